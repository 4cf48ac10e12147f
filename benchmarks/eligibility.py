"""Eligibility throughput: in-process vs through Celery + Redis with a real worker; re-check time.

    .venv/bin/python benchmarks/eligibility.py                  # 2,000 checks x 5 runs, re-check 100,000
    .venv/bin/python benchmarks/eligibility.py --recheck 10000  # a smaller re-check (say so if you extrapolate)

What is measured (each mode on the same applications, reset to `submitted` between runs):

* in-process: ``services.eligibility_run(id)`` in a loop in this process: gather the facts,
  run every rule, move the application through the transition function, store the result,
  queue the notification. The same code the task runs.
* celery, one task per check: ``loans.eligibility.check`` for each id, published to Redis,
  consumed by one worker process (``--pool=solo``), timed from the first publish until the
  last application has left `submitted`.
* celery, batched: ``loans.eligibility.check_batch`` with 100 ids per message, same worker.

The ratio is celery rate / in-process rate, one worker process against one process, so it
shows what the broker costs, not what parallelism adds. Each figure is the median of
``--runs`` runs. Then a re-check (``RecheckRun`` for a product) of ``--recheck`` applications in
review through Celery, with a worker of ``--recheck-concurrency`` processes.

Data lives in its own PostgreSQL database (BENCH_DATABASE_URL, default retorno_bench, created
and migrated here) and Redis database 13; nothing touches the development or test databases.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_bench")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.test",
    "DATABASE_URL": BENCH_DATABASE_URL,
    "REDIS_URL": BENCH_REDIS_URL,
    "CELERY_BROKER_URL": BENCH_REDIS_URL,
    "CELERY_TASK_ALWAYS_EAGER": "false",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    # As in production (settings/production.py): a worker keeps its database connection
    # between tasks instead of opening one per task.
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENVIRONMENT)

CHECK_PRODUCT = "bench-check"
RECHECK_PRODUCT = "bench-recheck"
BATCH = 5_000


def create_database() -> None:
    import psycopg2

    url = urlsplit(BENCH_DATABASE_URL)
    name = url.path.lstrip("/")
    connection = psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')  # noqa: S608 - our own constant name
    connection.close()


def setup_django() -> None:
    import django

    create_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- data ----------------------------------------------------------------------------------


def product(code: str):
    from decimal import Decimal

    from loans.models import LoanProduct, UsuryCap

    UsuryCap.objects.get_or_create(
        credit_category="productivo_urbano",
        valid_from=date(2026, 1, 1),
        defaults={"rate_pct": Decimal("42"), "valid_to": date(2026, 12, 31)},
    )
    found, _created = LoanProduct.objects.get_or_create(
        code=code,
        defaults={
            "name": f"Benchmark {code}",
            "min_amount_cop": 1_000_000,
            "max_amount_cop": 100_000_000,
            "max_financing_pct": Decimal("80"),
            "max_term_months": 36,
            "max_grace_months": 6,
            "annual_rate_pct": Decimal("22.68"),
            "credit_category": "productivo_urbano",
            "window_opens": date(2026, 1, 1),
            "required_documents": ["id_document"],
        },
    )
    return found


def create_applications(product, count: int, *, status: str, with_result: bool) -> None:
    """Bulk-create complete applications (user, profile, plan, items, document, frozen answers)."""
    from django.db import transaction
    from django.utils import timezone

    from applicants import crypto
    from applicants.models import ReturneeProfile, User
    from loans.applications import selectors
    from loans.models import ApplicationDocument, BusinessPlan, EligibilityResult, InvestmentItem, LoanApplication

    existing = LoanApplication.objects.filter(product=product).count()
    now = timezone.now()
    accepted = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    returned = timezone.localdate().replace(day=1)
    for start in range(existing, count, BATCH):
        size = min(BATCH, count - start)
        numbers = range(start, start + size)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(email=f"{product.code}-{n}@bench.example.co", password="!", email_verified_at=now)  # noqa: S106
                    for n in numbers
                ]
            )
            profiles = ReturneeProfile.objects.bulk_create(
                [
                    ReturneeProfile(
                        user=user,
                        document_type="CC",
                        document_number_hash=crypto.blind_index("document", f"{product.code}-{n}"),
                        is_colombian_national=True,
                        first_names="Ana María",
                        last_names="Pérez Gómez",
                        birth_date=date(1985, 5, 20),
                        sex="F",
                        department_id="05",
                        municipality_id="05001",
                        country_returned_from="US",
                        departure_date=date(2015, 1, 10),
                        return_date=returned,
                        return_type="productivo",
                        forced_return=False,
                        rur_number="RUR-123456",
                        education_level="secondary",
                        household_size=4,
                        declares_no_custodial_sentence=True,
                        declares_no_public_admin_conviction=True,
                        declares_benefits_not_used=True,
                        declares_truthful=True,
                        declarations_accepted_at=accepted,
                    )
                    for user, n in zip(users, numbers, strict=True)
                ]
            )
            plans = BusinessPlan.objects.bulk_create(
                [
                    BusinessPlan(
                        owner=user,
                        name="Panadería La Esperanza",
                        section_id="C",
                        division_id="10",
                        description="Pan artesanal",
                        stage="idea",
                        municipality_id="05001",
                        customers="Familias del barrio",
                        competition="Dos panaderías",
                        experience="Seis años en Miami",
                        own_contribution=5_000_000,
                        monthly_sales=9_000_000,
                        monthly_costs=6_000_000,
                        jobs_to_create=2,
                    )
                    for user in users
                ]
            )
            InvestmentItem.objects.bulk_create(
                [
                    InvestmentItem(plan=plan, category="machinery", description="Horno", amount=20_000_000)
                    for plan in plans
                ]
            )
            plans = (
                BusinessPlan.objects.filter(pk__in=[p.pk for p in plans])
                .select_related("section", "division", "municipality")
                .prefetch_related("items")
                .order_by("pk")
            )
            applications = LoanApplication.objects.bulk_create(
                [
                    LoanApplication(
                        applicant=user,
                        status=status,
                        product=product,
                        plan=plan,
                        amount=10_000_000,
                        term_months=24,
                        grace_months=3,
                        declarations_accepted_at=accepted,
                        frozen_plan=selectors.plan_snapshot(plan),
                        frozen_profile=selectors.profile_snapshot(profile),
                        submitted_at=now,
                        reference=f"B{product.pk}-{n:07d}",
                        eligibility_outcome="eligible" if with_result else "",
                    )
                    for user, plan, profile, n in zip(users, plans, profiles, numbers, strict=True)
                ]
            )
            ApplicationDocument.objects.bulk_create(
                [
                    ApplicationDocument(
                        application=application,
                        kind="id_document",
                        file="bench/cedula.pdf",
                        original_name="cedula.pdf",
                        content_type="application/pdf",
                        size=1000,
                        sha256="0" * 64,
                    )
                    for application in applications
                ]
            )
            if with_result:
                EligibilityResult.objects.bulk_create(
                    [
                        EligibilityResult(
                            application=application,
                            ruleset_version="2026.1",
                            outcome="eligible",
                            verdicts=[],
                            started_at=now,
                            duration_ms=1,
                        )
                        for application in applications
                    ]
                )
        print(f"  created {start + size:,} / {count:,} applications for {product.code}", flush=True)


def reset_to_submitted(product, count: int) -> list[int]:
    """Put ``count`` of the product's applications back in `submitted`, removing what a check wrote."""
    from django.db import transaction

    from applicants.models import Notification
    from loans.models import ApplicationEvent, EligibilityResult, LoanApplication

    ids = list(LoanApplication.objects.filter(product=product).order_by("pk").values_list("pk", flat=True)[:count])
    with transaction.atomic():
        EligibilityResult.objects.filter(application_id__in=ids).delete()
        ApplicationEvent.objects.filter(application_id__in=ids).delete()
        LoanApplication.history.filter(id__in=ids).delete()
        Notification.objects.filter(kind="eligibility_result").delete()
        LoanApplication.objects.filter(pk__in=ids).update(status="submitted", eligibility_outcome="", review_flags=[])
    flush_redis()
    return ids


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL).flushdb()


def pending(product, ids: list[int]) -> bool:
    from loans.models import LoanApplication

    # ids are the product's first applications by pk: a range query, cheap to repeat.
    return LoanApplication.objects.filter(product=product, pk__lte=ids[-1], status="submitted").exists()


# --- a worker -------------------------------------------------------------------------------


class Worker:
    def __init__(self, *, queues: str, pool: str, concurrency: int, log: Path):
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queues, f"--pool={pool}"]
        if pool == "prefork":
            command.append(f"--concurrency={concurrency}")
        command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "warning", "-n", "bench@%h"]
        self.log = log
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **ENVIRONMENT}, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        from portal.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("worker died:\n" + self.log.read_text())
            if app.control.ping(timeout=0.5):
                return
        raise SystemExit("worker did not answer a ping:\n" + self.log.read_text())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wait_until_checked(product, ids: list[int], timeout: float = 3600) -> None:
    # Once a second: a tight polling loop would take CPU from the worker it is timing.
    deadline = time.monotonic() + timeout
    while pending(product, ids):
        if time.monotonic() > deadline:
            raise SystemExit("checks did not finish in time")
        time.sleep(1)


# --- the measurements -----------------------------------------------------------------------


def in_process(product, count: int, *, summaries: bool = True) -> float:
    """``summaries=False``: with no tracker registered, as before the transitions kept the report
    summaries current in their own transaction (``portal.changes``; issue 13)."""
    from loans.applications import checks
    from portal import changes

    ids = reset_to_submitted(product, count)
    trackers = list(changes._trackers)
    if not summaries:
        changes._trackers.clear()
    try:
        started = time.perf_counter()
        for application_id in ids:
            checks.eligibility_run(application_id=application_id)
        elapsed = time.perf_counter() - started
    finally:
        changes._trackers[:] = trackers
    assert not pending(product, ids)
    return len(ids) / elapsed


def through_celery(product, count: int, *, batch: int | None) -> float:
    """From the first publish to the commit of the last result (its created_at), not to the poll."""
    from django.db.models import Max
    from django.utils import timezone

    from loans.applications.tasks import check_eligibility, check_eligibility_batch
    from loans.models import EligibilityResult

    ids = reset_to_submitted(product, count)
    started = timezone.now()
    if batch is None:
        for application_id in ids:
            check_eligibility.apply_async(args=[application_id])
    else:
        for start in range(0, len(ids), batch):
            check_eligibility_batch.apply_async(args=[ids[start : start + batch]])
    wait_until_checked(product, ids)
    last = EligibilityResult.objects.filter(application_id__in=ids).aggregate(last=Max("created_at"))["last"]
    return len(ids) / (last - started).total_seconds()


def recheck_through_celery(product) -> tuple[float, int]:
    from loans.applications import services as recheck
    from loans.models import RecheckRun

    flush_redis()
    started = time.perf_counter()
    run = recheck.recheck_start(product=product, user=None)
    while RecheckRun.objects.filter(pk=run.pk).exclude(status=RecheckRun.Status.FINISHED).exists():
        time.sleep(0.5)
        if RecheckRun.objects.filter(pk=run.pk, status=RecheckRun.Status.FAILED).exists():
            raise SystemExit("re-check failed")
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    assert run.done == run.total, (run.done, run.total)
    return elapsed, run.total


def recheck_in_process(product, sample: int) -> float:
    """One process running the chunk function itself, for the same per-application cost."""
    from loans.applications import recheck
    from loans.models import LoanApplication, RecheckRun

    ids = list(LoanApplication.objects.filter(product=product).order_by("pk").values_list("pk", flat=True)[:sample])
    run = RecheckRun.objects.create(
        product=product, ruleset_version="bench", status=RecheckRun.Status.RUNNING, total=len(ids)
    )
    started = time.perf_counter()
    for start in range(0, len(ids), recheck.CHUNK_SIZE):
        recheck.recheck_chunk(run.pk, ids[start : start + recheck.CHUNK_SIZE])
    return len(ids) / (time.perf_counter() - started)


def machine() -> str:
    import celery
    import django
    import redis
    from django.db import connection

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis_version = redis.Redis.from_url(BENCH_REDIS_URL).info("server")["redis_version"]
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {django.__version__}, Celery {celery.__version__}; "
        f"PostgreSQL {postgres}, Redis {redis_version}, both on the same machine"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=2_000, help="applications per throughput run")
    parser.add_argument("--runs", type=int, default=5, help="runs per mode, the median is reported (0: skip)")
    parser.add_argument("--recheck", type=int, default=100_000, help="applications in review to re-check (0: skip)")
    parser.add_argument("--recheck-concurrency", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--without-summaries",
        action="store_true",
        help="add an in-process mode with the summaries' tracker unregistered (the cost of keeping them current)",
    )
    parser.add_argument(
        "--in-process-only",
        action="store_true",
        help="skip the Celery modes (no worker): in-process only, e.g. with --without-summaries",
    )
    args = parser.parse_args()

    setup_django()
    from django.utils import timezone

    from loans.eligibility import rules as eligibility

    print(f"# Eligibility benchmark, {timezone.localtime():%Y-%m-%d %H:%M %Z}, ruleset {eligibility.RULESET_VERSION}")
    print(f"Machine: {machine()}", flush=True)

    # Stopped with SIGTERM: leave through the `finally` blocks, which stop the workers.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    log_dir = ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    if args.runs:
        throughput(args, log_dir)
    if args.recheck:
        recheck_time(args, log_dir)


def throughput(args, log_dir: Path) -> None:
    checked = product(CHECK_PRODUCT)
    create_applications(checked, args.checks, status="submitted", with_result=False)
    celery = not args.in_process_only
    worker = (
        Worker(queues="eligibility", pool="solo", concurrency=1, log=log_dir / "bench-worker.log") if celery else None
    )
    rates: dict[str, list[float]] = {"in-process": []}
    if celery:
        rates["celery, one task per check"] = []
        rates["celery, 100 per task"] = []
    if args.without_summaries:
        rates["in-process, summaries not kept (before issue 13)"] = []
    try:
        warm_up = min(200, args.checks)  # caches, connections, the worker's imports
        in_process(checked, warm_up)
        if celery:
            through_celery(checked, warm_up, batch=100)
        for run in range(1, args.runs + 1):
            rates["in-process"].append(in_process(checked, args.checks))
            if celery:
                rates["celery, one task per check"].append(through_celery(checked, args.checks, batch=None))
                rates["celery, 100 per task"].append(through_celery(checked, args.checks, batch=100))
            if args.without_summaries:
                rates["in-process, summaries not kept (before issue 13)"].append(
                    in_process(checked, args.checks, summaries=False)
                )
            load = os.getloadavg()[0]
            print(
                f"  run {run} (load {load:.1f}): " + ", ".join(f"{k} {v[-1]:.1f}/s" for k, v in rates.items()),
                flush=True,
            )
    finally:
        if worker is not None:
            worker.stop()

    # The modes of one run follow each other within a minute or two; the ratio taken within
    # each run, then its median, is steadier than the ratio of medians on a shared machine.
    base = rates["in-process"]
    print()
    print(
        f"| mode ({args.checks:,} checks, {args.runs} runs) | median checks/s | ratio of medians "
        "| median of per-run ratios |"
    )
    print("| --- | ---: | ---: | ---: |")
    for mode, values in rates.items():
        per_run = statistics.median(v / b for v, b in zip(values, base, strict=True))
        ratio = statistics.median(values) / statistics.median(base)
        print(f"| {mode} | {statistics.median(values):,.1f} | {ratio:.2f} | {per_run:.2f} |")


def recheck_time(args, log_dir: Path) -> None:
    rechecked = product(RECHECK_PRODUCT)
    create_applications(rechecked, args.recheck, status="in_review", with_result=True)
    single = recheck_in_process(rechecked, sample=min(5_000, args.recheck))
    worker = Worker(
        queues="eligibility",
        pool="prefork",
        concurrency=args.recheck_concurrency,
        log=log_dir / "bench-recheck-worker.log",
    )
    try:
        elapsed, total = recheck_through_celery(rechecked)
    finally:
        worker.stop()
    print()
    print(f"Re-check in one process (chunk function, {min(5_000, args.recheck):,} applications): {single:,.0f}/s")
    print(
        f"Re-check of {total:,} applications in review through Celery ({args.recheck_concurrency} worker "
        f"processes, chunks of 500): {elapsed:,.1f} s ({total / elapsed:,.0f}/s)"
    )


if __name__ == "__main__":
    main()
