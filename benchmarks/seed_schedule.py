"""``seed_bulk`` with the project's schedule code vs its former float amortisation (docs/BENCHMARKS.md, P8).

    git show ce6abf7:loans/management/commands/seed_bulk.py > loans/management/commands/seed_bulk_float.py
    SEED_SCHEDULE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/retorno_layout \\
        .venv/bin/python benchmarks/seed_schedule.py [--applications 20000] [--runs 5]
    rm loans/management/commands/seed_bulk_float.py

The reference is the command as it was before it used products/schedule.py (commit ce6abf7,
copied next to it as ``seed_bulk_float`` for the run and removed afterwards; it is not part of
the project). Two measures, each the median of ``--runs``, the two versions alternating:

1. generation only, in this process, in CPU seconds (``time.process_time``, steadier than the
   clock on a shared machine): ``Generator.chunk(N)`` builds every row of N applications as COPY
   text (users, profiles, applications, loans, instalments, repayments, visits) without touching
   the database; this is where the schedule is computed;
2. unless ``--generation-only``, the whole command (``manage.py seed_bulk --applications N``:
   generation overlapped with COPY, sequences, ANALYZE), each run into emptied tables.

The ratio is float time / schedule-code time: >= 1 means the new code is at least as fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import re
import time

from harness import ensure_database, machine, manage, median, setup_django

DATABASE_URL = os.environ.get("SEED_SCHEDULE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_layout")
VERSIONS = {"schedule": "seed_bulk", "float": "seed_bulk_float"}


def generation_seconds(module_name: str, applications: int) -> float:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    module = importlib.import_module(f"loans.management.commands.{module_name}")
    staff = get_user_model().objects.get(email="seed-bulk-approver@bulk.example")
    generator = module.Generator(
        rng=random.Random(2026),  # noqa: S311 - test data
        now=timezone.now(),
        encrypted=1_000,
        start_ids=dict.fromkeys(module.ID_SOURCES, 0),
        staff_id=staff.pk,
    )
    started = time.process_time()
    generator.chunk(applications)
    return time.process_time() - started


def empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM loans_followupvisit; DELETE FROM loans_repayment")
        cursor.execute("DELETE FROM loans_loaninstalment; DELETE FROM loans_historicalloan; DELETE FROM loans_loan")
        cursor.execute("DELETE FROM loans_loanapplication; DELETE FROM applicants_returneeprofile")
        cursor.execute("DELETE FROM applicants_user WHERE email LIKE 'retornado%%@bulk.example'")
        cursor.execute("DELETE FROM loans_referencecounter")


def command_seconds(command: str, applications: int) -> float:
    output = manage(command, "--applications", str(applications), database_url=DATABASE_URL)
    return float(re.search(r"rows in ([\d.]+) s", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--generation-only", action="store_true")
    args = parser.parse_args()
    print(machine())
    if ensure_database(DATABASE_URL):
        manage("migrate", "-v0", database_url=DATABASE_URL)
    setup_django(DATABASE_URL)
    empty()
    manage("seed_bulk", "--applications", "10", database_url=DATABASE_URL)  # product and staff user
    empty()

    generation: dict[str, list[float]] = {name: [] for name in VERSIONS}
    whole: dict[str, list[float]] = {name: [] for name in VERSIONS}
    for run in range(args.runs):
        order = list(VERSIONS.items()) if run % 2 == 0 else list(reversed(VERSIONS.items()))
        for name, command in order:
            generation[name].append(generation_seconds(command, args.applications))
        for name, command in order:
            if not args.generation_only:
                empty()
                whole[name].append(command_seconds(command, args.applications))
        new, old = generation["schedule"][-1], generation["float"][-1]
        line = f"run {run + 1}: generation {new:.2f} s (schedule) / {old:.2f} s (float)"
        if whole["schedule"]:
            line += f"; command {whole['schedule'][-1]:.1f} / {whole['float'][-1]:.1f} s"
        print(line)
    empty()
    for label, figures in (("generation (CPU)", generation), ("whole command (clock)", whole)):
        if not figures["schedule"]:
            continue
        new, old = median(figures["schedule"]), median(figures["float"])
        print(f"{label}: schedule code {new:.2f} s, float {old:.2f} s, float/schedule = {old / new:.2f}")


if __name__ == "__main__":
    main()
