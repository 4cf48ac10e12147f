"""The one definition of the program's durations: years abroad and "within N months of return".

Both count in calendar months with ``add_months`` (same day number N months later, or the last
day of that month when it has no such day). So a stay that began on 29 February 2020 completes
3 years on 28 February 2023, exactly as "12 months after 29 February 2024" is 28 February 2025:
one way of counting leap days everywhere (docs/ELIGIBILITY.md, "Dates").

Nothing is ever counted past ``today``: a return that has not happened yet adds no years abroad
and opens no 12-month window (a planned return is judged as a projection, never as a fact).
"""

from __future__ import annotations

from datetime import date

from loans.products.schedule import add_months


def completed_months(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


def years_abroad(departure_date: date, return_date: date | None, today: date) -> int:
    """Whole years lived abroad, from leaving Colombia to coming back, never past ``today``.

    A person still abroad (no return date, or one in the future) has lived abroad until today.
    """
    end = min(return_date, today) if return_date is not None else today
    return completed_months(departure_date, end) // 12


def apply_by(return_date: date, months: int) -> date:
    """The last day on which a request counts as made within ``months`` of the return."""
    return add_months(return_date, months)


def has_returned(return_date: date | None, today: date) -> bool:
    """A return counts from its day on: today is back, tomorrow is still planned."""
    return return_date is not None and return_date <= today
