"""Launch-day load test: locust against gunicorn + PostgreSQL + Redis + a Celery worker, all on
127.0.0.1 (docs/BENCHMARKS.md, "Launch day").

    .venv/bin/python benchmarks/launch_load.py [--users 60] [--spawn-rate 5] [--seconds 180]
        [--workers 4] [--drafts 300]

Creates (or reuses) the database ``retorno_reports_launch`` (LAUNCH_DATABASE_URL), migrates it,
prepares ``--drafts`` returnees whose applications are ready to send (production password
hashing), flushes Redis db 10 (LAUNCH_REDIS_URL), starts gunicorn (``--workers`` sync workers)
and one Celery worker (queues default, notifications, eligibility, exports; concurrency 1) with
benchmarks/load_settings.py, then runs benchmarks/launch_locustfile.py headless for
``--seconds`` with at most ``--users`` simulated people. Prints per request type the count,
failures, rate and p50/p95/p99, the CPU time each part of the stack used (gunicorn, Celery,
PostgreSQL, Redis, locust itself) and the Celery backlog at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import GUNICORN, PYTHON, ROOT, ensure_database, free_port, machine

DATABASE_URL = os.environ.get("LAUNCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_reports_launch")
REDIS_URL = os.environ.get("LAUNCH_REDIS_URL", "redis://127.0.0.1:6379/10")
SETTINGS = "benchmarks.load_settings"
ENV = {**os.environ, "DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": SETTINGS, "LOAD_REDIS_URL": REDIS_URL}
PASSWORD = "Lanzamiento-2026!"  # noqa: S105 - test accounts on a benchmark database


def prepare(drafts: int) -> tuple[Path, int]:
    """Returnees with a draft ready to send; returns (JSON file for locust, product id)."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(ENV)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from loans.applications import services
    from loans.applications.documents import check_upload
    from loans.models import LoanApplication, LoanProduct
    from tests.factories import CompleteProfileFactory, PlanFactory, ProductFactory, UsuryCapFactory

    product = LoanProduct.objects.order_by("pk").first()
    if product is None:
        UsuryCapFactory()
        product = ProductFactory()
    hashed = make_password(PASSWORD)
    ready = list(
        LoanApplication.objects.filter(status="draft", applicant__email__startswith="lista-")
        .select_related("applicant")
        .values_list("applicant__email", "public_id")
    )
    from applicants.models import User

    first = User.objects.filter(email__startswith="lista-").count()  # earlier runs sent some of theirs
    for number in range(first, first + max(0, drafts - len(ready))):
        owner = CompleteProfileFactory(user__email=f"lista-{number}@example.co").user
        owner.password = hashed
        owner.save(update_fields=["password"])
        application = services.application_create(applicant=owner)
        services.application_set_plan(application=application, plan=PlanFactory(owner=owner))
        services.application_set_loan_request(
            application=application, product=product, amount=10_000_000, term_months=24, grace_months=3
        )
        pdf = SimpleUploadedFile("cedula.pdf", b"%PDF-1.4\n%launch\n", content_type="application/pdf")
        services.document_add(application=application, kind="id_document", upload=check_upload(pdf), user=owner)
        application.declarations_accepted_at = timezone.now()
        application.save(update_fields=["declarations_accepted_at"])
        ready.append((owner.email, application.public_id))
    path = Path(tempfile.mkstemp(prefix="launch-drafts-", suffix=".json")[1])
    path.write_text(json.dumps([{"email": e, "password": PASSWORD, "public_id": str(p)} for e, p in ready[:drafts]]))
    return path, product.pk


def cpu_seconds(pattern: str) -> dict[int, float]:
    """User + system CPU seconds of each process whose command line contains ``pattern``."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if pattern not in command:
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[int(pid)] = (int(fields[11]) + int(fields[12])) / tick
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return found


def used_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used meanwhile by the processes alive at the end (new ones count whole)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--drafts", type=int, default=300)
    options = parser.parse_args()

    print(machine())
    ensure_database(DATABASE_URL)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV, check=True)
    drafts, product = prepare(options.drafts)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    port = free_port()
    tag = f"launch-{port}"
    web = subprocess.Popen(
        [GUNICORN, "portal.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(options.workers),
         "-k", "sync", "--timeout", "60", "--log-level", "warning", "--name", tag],
        cwd=ROOT, env=ENV,
    )  # fmt: skip
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "portal", "worker", "-Q", "default,notifications,eligibility,exports",
         "-c", "1", "-l", "warning", "-n", f"{tag}@%h"],
        cwd=ROOT, env=ENV,
    )  # fmt: skip
    out = Path(tempfile.mkdtemp(prefix="launch-"))
    try:
        time.sleep(8)  # both up
        parts = {
            "gunicorn": f"127.0.0.1:{port}",
            "celery worker": f"{tag}@",
            # Only the backends serving this database: other databases on the server are not ours.
            "postgres": DATABASE_URL.rsplit("/", 1)[1],
            "redis": "redis-server",
        }
        before = {name: cpu_seconds(pattern) for name, pattern in parts.items()}
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(
            [str(Path(PYTHON).with_name("locust")), "-f", "benchmarks/launch_locustfile.py", "--headless",
             "-u", str(options.users), "-r", str(options.spawn_rate), "-t", f"{options.seconds}s",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(out / "launch"), "--only-summary",
             "--stop-timeout", "10", "--loglevel", "WARNING"],
            cwd=ROOT, env={**ENV, "LAUNCH_DRAFTS": str(drafts), "LAUNCH_PRODUCT": str(product)}, check=False,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        used = {name: used_since(before[name], cpu_seconds(pattern)) for name, pattern in parts.items()}
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used["locust (client)"] = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        backlog = {
            queue: redis.Redis.from_url(REDIS_URL).llen(queue)
            for queue in ("celery", "default", "notifications", "eligibility")
        }
    finally:
        web.terminate()
        worker.terminate()
        web.wait(timeout=30)
        worker.wait(timeout=30)
    print(f"\n{options.users} users (spawn {options.spawn_rate}/s), {options.seconds} s, gunicorn {options.workers} "
          f"sync workers, 1 Celery worker; {elapsed:.0f} s wall")  # fmt: skip
    print(f"{'request':<24}{'count':>7}{'fail':>6}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    with open(out / "launch_stats.csv") as stats:
        for row in csv.DictReader(stats):
            print(
                f"{row['Name']:<24}{row['Request Count']:>7}{row['Failure Count']:>6}"
                f"{float(row['Requests/s']):>8.1f}{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
            )
    failures = out / "launch_failures.csv"
    if failures.exists():
        print(failures.read_text().strip())
    print(f"CPU seconds used during the test (2 cores = {2 * elapsed:.0f} s available; load average now "
          f"{os.getloadavg()[0]:.1f}, other tenants included):")  # fmt: skip
    for name, seconds in used.items():
        print(f"  {name:<14}{seconds:8.1f} s  ({100 * seconds / elapsed:5.1f} % of one core)")
    print(f"Celery backlog at the end: {backlog}")


if __name__ == "__main__":
    main()
