"""The officers' application changelist in the admin at 1,000,000 against 1,000 applications,
and its search against the unfiltered list at 1,000,000 (docs/BENCHMARKS.md, "Admin changelist").

    .venv/bin/python benchmarks/reports_admin.py [--runs 9]

Through gunicorn (one sync worker) with a staff session that passed django-otp's second factor
(a static device set in the session). Each figure is the median of ``--runs`` requests after
three warm-up requests, the pages taking turns. Needs both benchmark databases (harness.py).
"""

from __future__ import annotations

import argparse
import os
import time
from urllib.parse import quote

from harness import BIG_DATABASE_URL, SMALL_DATABASE_URL, gunicorn, machine, median, request, setup_django

CHANGELIST = "/admin/loans/loanapplication/"


def timed(server, session, paths: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds per page; the pages take turns (one request each per round), so the load
    of a shared machine falls on all of them alike."""
    for path in paths.values():
        for _ in range(3):
            status, *_rest = request(server.port, "GET", path, session)
            assert status == 200, (status, path)
    found: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(runs):
        for name, path in paths.items():
            found[name].append(request(server.port, "GET", path, session)[3])
    return {name: median(values) for name, values in found.items()}


def measure(database_url: str, paths: dict[str, str], runs: int) -> dict[str, float]:
    from django.db import connections
    from harness import staff_session

    # This process creates the session in the database the server will read.
    connections.close_all()
    connections["default"].settings_dict["NAME"] = database_url.rsplit("/", 1)[1]

    session = staff_session("bench-officer@bulk.example", ["superuser"])
    with gunicorn(database_url) as server:
        return timed(server, session, paths, runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    setup_django(BIG_DATABASE_URL)
    from applicants.models import ReturneeProfile
    from applicants.search import fold
    from loans.models import LoanApplication

    print(machine())
    sent = LoanApplication.objects.filter(reference__isnull=False).order_by("pk")
    sent_count = sent.count()
    sample = sent[sent_count // 2]
    document = str(10_000_000 + sample.applicant_id * 7)  # seed_bulk's synthetic document numbers
    last_name = ReturneeProfile.objects.get(user_id=sample.applicant_id).last_names.split()[0]
    big = measure(
        BIG_DATABASE_URL,
        {
            "list": CHANGELIST,
            "reference": f"{CHANGELIST}?q={quote(sample.reference)}",
            "document": f"{CHANGELIST}?q={document}",
            "last name": f"{CHANGELIST}?q={quote(last_name)}",
            "last name, no accents": f"{CHANGELIST}?q={quote(fold(last_name))}",
            # The commonest surname (about 4.7 % of people in seed_bulk): the most matches to collect.
            "common last name": f"{CHANGELIST}?q={quote('Rodríguez')}",
            "common last name, typed rodriguez": f"{CHANGELIST}?q=rodriguez",
            # A typical surname (0.36 % of people): below the common-surname threshold of the search.
            "typical last name, Murillo": f"{CHANGELIST}?q=Murillo",
            "filtered": f"{CHANGELIST}?status__exact=in_review&business_department__code__exact=05",
        },
        runs,
    )
    small = measure(SMALL_DATABASE_URL, {"list": CHANGELIST}, runs)
    print(f"changelist: {big['list'] * 1000:.0f} ms at {sent_count:,} sent; {small['list'] * 1000:.0f} ms small; "
          f"ratio {big['list'] / small['list']:.2f} (goal <= 1.5)")  # fmt: skip
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    print(f"finished {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"last name searched: {last_name!r} (and {fold(last_name)!r})")
    names = ("reference", "document", "last name", "last name, no accents", "common last name")
    for name in (*names, "common last name, typed rodriguez", "typical last name, Murillo", "filtered"):
        print(
            f"search by {name}: {big[name] * 1000:.0f} ms; ratio to the unfiltered list "
            f"{big[name] / big['list']:.2f} (goal <= 3)"
        )


if __name__ == "__main__":
    main()
