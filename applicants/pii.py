"""Who may see whole personal data (document numbers, phones, addresses) in the admin.

``applicants`` holds the data but not the roles: an app whose staff may see it registers a
predicate when it is ready (the loans app does, in its AppConfig), so no arrow points from
``applicants`` to that app. With nothing registered, nobody sees whole values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_viewers: list[Callable[[Any], bool]] = []


def register_viewer(predicate: Callable[[Any], bool]) -> None:
    """Let users for whom ``predicate(user)`` is true see whole personal data (idempotent)."""
    if predicate not in _viewers:
        _viewers.append(predicate)


def can_see_pii(user: Any) -> bool:
    return any(predicate(user) for predicate in _viewers)
