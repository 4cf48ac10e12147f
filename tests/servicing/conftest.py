"""Servicing tests use the review tests' people and applications (the same fixtures, one definition)."""

from tests.review.conftest import (  # noqa: F401 - fixtures, found by pytest through this module
    _english,
    _staff_in,
    approver,
    in_review,
    program_officer,
    second_approver,
)
