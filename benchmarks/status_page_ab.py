"""The applicant's status page against a minimal logged-in page, with ApacheBench, side by side
(docs/BENCHMARKS.md, "Status page").

    .venv/bin/python benchmarks/status_page_ab.py [--runs 5] [--seconds 10] [--concurrency 4] [--pages status,loan]

gunicorn with two sync workers (one per core) on REPORTS_BENCH_DATABASE_URL. ``ab -t`` sends
requests for ``--seconds`` from ``--concurrency`` connections, as the applicant of a disbursed
application (timeline, schedule of 12-36 instalments, documents). The reference is
``/bench/minimal/`` (benchmarks/bench_urls.py): login required, the same session and user,
``base.html`` and nothing else. ``--pages loan`` (or ``status,loan``) measures the borrower's loan
page ("Mi crédito": balance, schedule, payments) of the same application the same way. Runs
alternate; each figure is the median of the per-run ratios page ÷ minimal. Goal: ratio >= 0.5.
Needs ``ab`` (Debian: apt-get install apache2-utils).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess

from harness import applicant_session, gunicorn, machine, median, setup_django


def ab(port: int, path: str, session: str, seconds: float, concurrency: int) -> tuple[float, int, float]:
    """(requests/s, failed or non-2xx, median ms) from one ab run (``seconds`` 0: 20 requests)."""
    limit = ["-t", str(seconds), "-n", "1000000"] if seconds else ["-n", "20"]
    out = subprocess.run(
        [
            "ab", "-q", *limit, "-c", str(concurrency),
            "-C", f"sessionid={session}", "-H", "Accept-Language: es",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    if "Requests per second" not in out:
        raise RuntimeError(out)
    rate = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    p50 = re.search(r"\n\s+50%\s+(\d+)", out)
    return rate, failed + (int(non_2xx.group(1)) if non_2xx else 0), float(p50.group(1)) if p50 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pages", default="status", help="comma-separated: status, loan (Mi crédito)")
    options = parser.parse_args()
    setup_django()
    from django.urls import reverse

    from loans.models import LoanApplication

    print(machine())
    disbursed = LoanApplication.objects.filter(status="disbursed", loan__isnull=False).order_by("pk")
    application = disbursed[min(1000, disbursed.count() - 1)]
    session = applicant_session(application.applicant)
    every = {
        "status": reverse("loans:application_detail", args=[application.public_id]),
        "loan": reverse("loans:my_loan", args=[application.public_id]),
    }
    chosen = [name.strip() for name in options.pages.split(",") if name.strip()]
    pages = {name: every[name] for name in chosen} | {"minimal": "/bench/minimal/"}
    ratios: dict[str, list[float]] = {name: [] for name in chosen}
    rates: dict[str, list[float]] = {name: [] for name in pages}
    with gunicorn(workers=2) as server:
        for path in pages.values():
            ab(server.port, path, session, 0, options.concurrency)  # warm both workers up
        for run in range(options.runs):
            found = {}
            for name, path in pages.items():
                rate, errors, p50 = ab(server.port, path, session, options.seconds, options.concurrency)
                assert errors == 0, (name, errors)
                found[name] = rate
                rates[name].append(rate)
                print(
                    f"  run {run + 1} (load {os.getloadavg()[0]:.1f}): {name} {rate:.0f} req/s "
                    f"(median {p50:.0f} ms, 0 errors)"
                )
            for name in chosen:
                ratios[name].append(found[name] / found["minimal"])
    for name in chosen:
        print(
            f"{name} page {median(rates[name]):.0f} req/s; minimal logged-in page {median(rates['minimal']):.0f} "
            f"req/s; median of per-run ratios {median(ratios[name]):.2f} (goal >= 0.5)"
        )


if __name__ == "__main__":
    main()
