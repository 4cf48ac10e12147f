"""The applicant's status page under gunicorn against a trivial view on the same stack
(docs/BENCHMARKS.md, "Status page").

    .venv/bin/python benchmarks/reports_status_page.py [--runs 5] [--seconds 8] [--clients 4]

gunicorn with two sync workers (one per core) on the 1M database; ``--clients`` threads send
requests back to back for ``--seconds``, as the applicant of a disbursed application (the
page with the most on it: timeline, schedule, documents). The trivial view (benchmarks/bench_urls.py,
never in production URLs) goes through the same middleware with the same session. Runs
alternate between the two; each figure is the median of ``--runs``. Goal: ratio >= 0.5.
"""

from __future__ import annotations

import argparse
import threading
import time

from harness import applicant_session, gunicorn, machine, median, request, setup_django


def load(port: int, path: str, session: str, seconds: float, clients: int) -> float:
    done = []
    stop = time.monotonic() + seconds

    def client():
        count = 0
        while time.monotonic() < stop:
            status, *_rest = request(port, "GET", path, session)
            assert status == 200, (status, path)
            count += 1
        done.append(count)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=4)
    options = parser.parse_args()
    setup_django()
    from django.urls import reverse

    from loans.models import LoanApplication

    print(machine())
    application = LoanApplication.objects.filter(status="disbursed").order_by("pk")[1000]
    session = applicant_session(application.applicant)
    status_page = reverse("loans:application_detail", args=[application.public_id])
    rates = {"status": [], "trivial": []}
    with gunicorn(workers=2) as server:
        for path in (status_page, "/bench/trivial/"):
            load(server.port, path, session, 2, options.clients)  # warm both workers up
        for run in range(options.runs):
            for name, path in (("status", status_page), ("trivial", "/bench/trivial/")):
                rates[name].append(load(server.port, path, session, options.seconds, options.clients))
            print(
                f"  run {run + 1}: status page {rates['status'][-1]:.0f} req/s, "
                f"trivial {rates['trivial'][-1]:.0f} req/s"
            )
    status, trivial = median(rates["status"]), median(rates["trivial"])
    print(
        f"status page {status:.0f} req/s; trivial view {trivial:.0f} req/s; ratio {status / trivial:.2f} (goal >= 0.5)"
    )


if __name__ == "__main__":
    main()
