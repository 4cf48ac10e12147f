"""The lenders' API list endpoint at scale (issue 16; docs/BENCHMARKS.md, "API list").

Seeds N applications, each referred to one intermediary, by SQL (INSERT … SELECT copying one
template row per table, so every NOT NULL column is filled), then times GET /api/v1/referrals/
through the whole middleware stack (Django test client): the first page, and a page twenty
cursors deep. The goal: p50 at the big size ≤ 1.5 × p50 at 1,000, measured in the same run.

    .venv/bin/python benchmarks/api_referrals.py --big 1000000 [--runs 30]
    (database: API_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/retorno_api_bench, migrated)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retorno_api_bench")
os.environ["DATABASE_URL"] = os.environ.get("API_BENCH_DATABASE_URL", os.environ["DATABASE_URL"])
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"


def _copy_rows(cursor, table: str, count: int, template_id: int, overrides: dict[str, str]) -> None:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", [table]
    )
    columns = [row[0] for row in cursor.fetchall() if row[0] != "id"]
    select = ", ".join(overrides.get(column, f"t.{column}") for column in columns)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "  # noqa: S608  (names from the catalog)
        f"FROM {table} t, generate_series(1, %s) AS g WHERE t.id = %s",
        [count, template_id],
    )


def seed(size: int, name: str, nit: str):
    from django.db import connection

    from loans.choices import ApplicationStatus as S
    from loans.lenders.models import ApiToken, Intermediary, Referral
    from loans.models import LoanApplication
    from tests.factories import ProductFactory, UserFactory, UsuryCapFactory

    UsuryCapFactory()
    product = ProductFactory()
    lender = Intermediary.objects.create(
        name=name, nit=nit, kind="bank", contact_name="x", contact_email="x@example.com"
    )
    staff = UserFactory()
    user = UserFactory()
    application = LoanApplication.objects.create(applicant=user, product=product, status=S.APPROVED, amount=1_000_000)
    referral = Referral.objects.create(application=application, intermediary=lender, referred_by=staff)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM applicants_user")
        _copy_rows(cursor, "applicants_user", size, user.pk, {"email": "'b' || g || '-' || t.id || '@x.invalid'"})
        cursor.execute("SELECT min(id) FROM applicants_user WHERE email LIKE %s", [f"b1-{user.pk}@x.invalid"])
        first_user = cursor.fetchone()[0]
        _copy_rows(
            cursor,
            "loans_loanapplication",
            size,
            application.pk,
            {"applicant_id": f"{first_user} + g - 1", "public_id": "gen_random_uuid()", "reference": "NULL"},
        )
        cursor.execute("SELECT min(id) FROM loans_loanapplication WHERE id > %s", [application.pk])
        first_app = cursor.fetchone()[0]
        _copy_rows(
            cursor,
            "loans_referral",
            size,
            referral.pk,
            {"application_id": f"{first_app} + g - 1", "public_id": "gen_random_uuid()"},
        )
        cursor.execute("ANALYZE")
    _token, clear = ApiToken.issue(intermediary=lender, name="bench", scopes=["referrals:read"])
    return clear


def p50(client, token: str, url: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    return statistics.median(times)


def deep_url(client, token: str, hops: int) -> str:
    url = "/api/v1/referrals/"
    for _ in range(hops):
        url = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()["next"]
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"token": "1000000/min"}
    settings.ALLOWED_HOSTS = ["*"]
    t0 = time.perf_counter()
    small = seed(args.small, "Small", "890903938-8")
    big = seed(args.big, "Big", "860034313-7")
    print(f"seeded {args.small:,} + {args.big:,} referrals in {time.perf_counter() - t0:.0f} s")
    client = Client()
    rows = {}
    for label, token in (("small", small), ("big", big)):
        first = p50(client, token, "/api/v1/referrals/", args.runs)
        deep = p50(client, token, deep_url(client, token, 19), args.runs)
        rows[label] = (first, deep)
        print(f"{label}: first page p50 {first * 1000:.1f} ms, page 20 p50 {deep * 1000:.1f} ms")
    (big_first, big_deep), (small_first, small_deep) = rows["big"], rows["small"]
    print(f"ratio big/small: first page {big_first / small_first:.2f}, page 20 {big_deep / small_deep:.2f}")


if __name__ == "__main__":
    main()
