"""Run the daily servicing job for a day: ``manage.py servicing_daily --as-of 2026-03-31``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loans.applications.services import approvals_lapse
from loans.servicing.repayments import loans_daily


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date written YYYY-MM-DD, got {value!r}.") from error


class Command(BaseCommand):
    help = (
        "State-paid instalments, lapsed approvals, default interest, arrears and loan states as of a day "
        "(default today). A past day replays it; a future day shows what would be owed then."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=_day, default=None, help="The day to run for (YYYY-MM-DD).")

    def handle(self, *args, as_of: date | None = None, **options):
        day = as_of or timezone.localdate()
        lapsed = approvals_lapse(as_of=day)
        count = loans_daily(today=day)
        self.stdout.write(f"{lapsed} lapsed approvals cancelled; {count} open loans serviced as of {day.isoformat()}.")
