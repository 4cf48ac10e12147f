"""A small program whose every figure is counted by hand (see ``program`` below), and the staff
who read it: an analyst (reports and exports), an analyst who may also see personal data, a
viewer (reports only) and an officer (no reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from loans.models import FollowUpVisit, Loan, LoanApplication, LoanInstalment, Repayment
from loans.reports import summaries
from loans.reports.filters import years_before
from tests.conftest import otp_verified_client
from tests.factories import CompleteProfileFactory, ProductFactory, StaffFactory

# The real-worker fixtures (tests/integration) for test_export_worker.py.
from tests.integration.conftest import celery_app_on_redis, celery_worker_process, start_worker  # noqa: F401


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _role(name: str) -> Group:
    """The role group of migration 0006 (transactional tests flush it: put it back)."""
    from importlib import import_module

    group, created = Group.objects.get_or_create(name=name)
    if created:
        for app_label, codename in import_module("loans.migrations.0006_roles").ROLES[name]:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def _staff_in(group: str, *extra: str):
    user = StaffFactory(preferred_language="en")
    user.groups.add(_role(group))
    for codename in extra:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="loans", codename=codename))
    return user


@pytest.fixture
def analyst(db):
    return _staff_in("Analyst")


@pytest.fixture
def pii_analyst(db):
    return _staff_in("Analyst", "view_pii")


@pytest.fixture
def viewer(db):
    """Sees reports, may not export."""
    user = StaffFactory(preferred_language="en")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="loans", codename="view_reports"))
    return user


@pytest.fixture
def program_officer(db):
    return _staff_in("Program officer")


def english_client(user):
    """A staff client past the second factor, reading the site in English."""
    client = otp_verified_client(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def analyst_client(analyst):
    return english_client(analyst)


@pytest.fixture
def pii_analyst_client(pii_analyst):
    return english_client(pii_analyst)


@pytest.fixture(autouse=True)
def _english_and_clean_cache():
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@dataclass
class Program:
    products: dict
    applications: dict
    loans: dict


def make_application(
    key: str,
    *,
    status: str,
    created: date,
    department: str | None = None,
    section: str | None = None,
    municipality: str | None = None,
    amount: int | None = None,
    recommended: int | None = None,
    submitted: date | None = None,
    decided: date | None = None,
    outcome: str = "",
    approved_by=None,
    product=None,
    jobs: int | None = None,
    sex: str = "F",
    return_type: str = "productivo",
    age: int = 30,
    today: date | None = None,
) -> LoanApplication:
    today = today or timezone.localdate()
    profile = CompleteProfileFactory(
        sex=sex, return_type=return_type, birth_date=years_before(today, age).replace(day=1)
    )
    frozen = None
    if submitted:
        frozen = {
            "department": department,
            "section": section,
            "municipality": municipality or (f"{department}001" if department else None),
            "jobs_to_create": jobs,
        }
    application = LoanApplication.objects.create(
        applicant=profile.user,
        reference=f"RP-TEST-{key}" if submitted else None,
        status=status,
        product=product,
        amount=amount,
        term_months=24 if amount else None,
        recommended_amount=recommended,
        approved_by=approved_by,
        submitted_at=at(submitted) if submitted else None,
        decided_at=at(decided) if decided else None,
        business_department_id=department,
        business_section_id=section,
        eligibility_outcome=outcome,
        frozen_plan=frozen,
    )
    LoanApplication.objects.filter(pk=application.pk).update(created_at=at(created, 9))
    application.refresh_from_db()
    return application


def make_loan(application, *, principal, disbursed_on, disbursed_by, instalments, days_in_arrears=0, visits=()):
    """``instalments``: (principal, paid principal) pairs; ``visits``: (months after, jobs found) pairs."""
    state = Loan.State.IN_ARREARS if days_in_arrears else Loan.State.ACTIVE
    loan = Loan.objects.create(
        application=application,
        principal=principal,
        annual_rate_pct=Decimal("22.68"),
        term_months=len(instalments),
        grace_months=0,
        disbursed_on=disbursed_on,
        bank_reference=f"DESEMBOLSO-{application.reference}",
        disbursed_by=disbursed_by,
        state=state,
        days_in_arrears=days_in_arrears,
    )
    for number, (owed, paid) in enumerate(instalments, start=1):
        due = date(
            disbursed_on.year + (disbursed_on.month + number - 1) // 12, (disbursed_on.month + number - 1) % 12 + 1, 5
        )
        LoanInstalment.objects.create(
            loan=loan,
            number=number,
            due_date=due,
            interest=owed // 100,
            principal=owed,
            payment=owed + owed // 100,
            paid_interest=owed // 100 if paid else 0,
            paid_principal=paid,
            paid_on=due if paid == owed else None,
        )
        if paid:
            Repayment.objects.create(
                loan=loan,
                paid_on=due,
                amount=paid + owed // 100,
                bank_reference=f"PAGO-{application.reference}-{number}",
                allocated_interest=owed // 100,
                allocated_principal=paid,
            )
    for months, jobs in visits:
        FollowUpVisit.objects.create(
            loan=loan,
            months_after=months,
            due_on=disbursed_on.replace(year=disbursed_on.year + (1 if months >= 12 else 0)),
            done_on=disbursed_on,
            jobs_created=jobs,
            business_operating=True,
        )
    return loan


M = 1_000_000


@pytest.fixture
def program(db):
    """Ten applications, counted by hand (docs/REPORTS.md defines each figure).

    ===  ==========  =====  ====  ======  ========  ==========  ==========  ===========================
    key  status      dept   sect  amount  approved  created     decided     loan
    ===  ==========  =====  ====  ======  ========  ==========  ==========  ===========================
    A1   draft       –      –     –       –         2026-01-05  –           –
    A2   draft       –      –     –       –         2026-01-06  –           –
    A3   ineligible  05     C     10 M    –         2026-01-10  01-10 auto  –
    A4   in_review   05     C     20 M    –         2026-01-11  –           –
    A5   rejected    11     G     15 M    –         2026-01-12  01-22 (10)  –
    A6   approved    11     G     30 M    25 M      2026-01-13  01-17 (4)   –
    A7   disbursed   05     C     40 M    40 M      2026-01-14  01-20 (6)   40 M, 20 M owed, 45 days
                                                                            late; visits: 1 then 2 jobs
    A8   disbursed   76     G     10 M    (10 M)    2026-01-15  01-17 (2)   10 M, 10 M owed, 10 days late
    A9   withdrawn   76     C     5 M     –         2026-01-16  –           –
    A10  disbursed   05     C     8 M     8 M       2025-12-20  12-31 (10)  8 M, 8 M owed, on time
    ===  ==========  =====  ====  ======  ========  ==========  ==========  ===========================

    A7 is a man aged 40 who returned under "laboral"; A8 is 60 years old; all others are women aged 30
    under "productivo". Products: A3–A7 "crecer", the rest "semilla".
    """
    approver = StaffFactory()
    crecer = ProductFactory(code="crecer", name="Crecer")
    semilla = ProductFactory(code="semilla", name="Semilla")
    d = date
    apps = {
        "A1": make_application("A1", status="draft", created=d(2026, 1, 5), product=semilla),
        "A2": make_application("A2", status="draft", created=d(2026, 1, 6), product=semilla),
        "A3": make_application(
            "A3",
            status="ineligible",
            created=d(2026, 1, 10),
            department="05",
            section="C",
            amount=10 * M,
            submitted=d(2026, 1, 10),
            decided=d(2026, 1, 10),
            outcome="ineligible",
            product=crecer,
            jobs=1,
        ),
        "A4": make_application(
            "A4",
            status="in_review",
            created=d(2026, 1, 11),
            department="05",
            section="C",
            amount=20 * M,
            submitted=d(2026, 1, 11),
            outcome="eligible",
            product=crecer,
            jobs=2,
        ),
        "A5": make_application(
            "A5",
            status="rejected",
            created=d(2026, 1, 12),
            department="11",
            section="G",
            amount=15 * M,
            submitted=d(2026, 1, 12),
            decided=d(2026, 1, 22),
            outcome="review",
            product=crecer,
            jobs=4,
        ),
        "A6": make_application(
            "A6",
            status="approved",
            created=d(2026, 1, 13),
            department="11",
            section="G",
            amount=30 * M,
            recommended=25 * M,
            approved_by=approver,
            submitted=d(2026, 1, 13),
            decided=d(2026, 1, 17),
            outcome="eligible",
            product=crecer,
            jobs=5,
        ),
        "A7": make_application(
            "A7",
            status="disbursed",
            created=d(2026, 1, 14),
            department="05",
            section="C",
            municipality="05088",
            amount=40 * M,
            recommended=40 * M,
            approved_by=approver,
            submitted=d(2026, 1, 14),
            decided=d(2026, 1, 20),
            outcome="eligible",
            product=crecer,
            jobs=3,
            sex="M",
            return_type="laboral",
            age=40,
        ),
        "A8": make_application(
            "A8",
            status="disbursed",
            created=d(2026, 1, 15),
            department="76",
            section="G",
            amount=10 * M,
            approved_by=approver,
            submitted=d(2026, 1, 15),
            decided=d(2026, 1, 17),
            outcome="review",
            product=semilla,
            jobs=2,
            age=60,
        ),
        "A9": make_application(
            "A9",
            status="withdrawn",
            created=d(2026, 1, 16),
            department="76",
            section="C",
            amount=5 * M,
            submitted=d(2026, 1, 16),
            outcome="eligible",
            product=semilla,
            jobs=1,
        ),
        "A10": make_application(
            "A10",
            status="disbursed",
            created=d(2025, 12, 20),
            department="05",
            section="C",
            amount=8 * M,
            recommended=8 * M,
            approved_by=approver,
            submitted=d(2025, 12, 21),
            decided=d(2025, 12, 31),
            outcome="eligible",
            product=semilla,
            jobs=1,
        ),
    }
    loans = {
        "A7": make_loan(
            apps["A7"],
            principal=40 * M,
            disbursed_on=d(2026, 2, 1),
            disbursed_by=approver,
            instalments=[(20 * M, 20 * M), (20 * M, 0)],
            days_in_arrears=45,
            visits=[(3, 1), (6, 2)],
        ),
        "A8": make_loan(
            apps["A8"],
            principal=10 * M,
            disbursed_on=d(2026, 2, 2),
            disbursed_by=approver,
            instalments=[(5 * M, 0), (5 * M, 0)],
            days_in_arrears=10,
        ),
        "A10": make_loan(
            apps["A10"], principal=8 * M, disbursed_on=d(2026, 1, 10), disbursed_by=approver, instalments=[(8 * M, 0)]
        ),
    }
    # Built row by row, not through the services: count the summaries once, as seed_bulk does.
    summaries.rebuild(bulk_load=True)
    return Program(products={"crecer": crecer, "semilla": semilla}, applications=apps, loans=loans)
