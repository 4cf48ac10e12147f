"""Codenames and predicates of the loans app (STYLE.md: one place to look).

Entrepreneurship programmes (issue 11). When this file meets the officers' and approvers'
predicates at merge, the sections simply sit one after the other.
"""

from __future__ import annotations

from typing import Any

APP_LABEL = "loans"

# --- entrepreneurship programmes -----------------------------------------------------------

OPERATE_PROGRAMME = "operate_programme"  # operator staff: attendance, completion, certificates, mentors
MENTOR_ENROLMENT = "mentor_enrolment"  # mentors: read and comment on their mentees' plans

PROGRAMME_OPERATOR_GROUP = "Programme operator"
MENTOR_GROUP = "Mentor"


def _full(codename: str) -> str:
    return f"{APP_LABEL}.{codename}"


def is_programme_operator(user: Any) -> bool:
    """Has the operator role; the pages also ask for the second factor (``operator_required``)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(_full(OPERATE_PROGRAMME)))


def operates_cohort(user: Any, cohort: Any) -> bool:
    """Only the staff of the programme's own operator act on its cohorts."""
    return is_programme_operator(user) and cohort.programme.operator.staff.filter(pk=user.pk).exists()


def is_mentor(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(_full(MENTOR_ENROLMENT)))


def mentors_enrolment(user: Any, enrolment: Any) -> bool:
    """A mentor sees a plan only through an enrolment assigned to them."""
    return is_mentor(user) and enrolment.mentor_id == user.pk
