"""``python manage.py seed_bulk --applications 1000000``: a realistic program at scale, for
benchmarks (docs/BENCHMARKS.md) and for trying the reports on real volumes.

Loaded with PostgreSQL ``COPY ... FROM STDIN`` (psycopg2 ``cursor.copy_expert``): Python
generates each chunk of rows as text while a second thread copies the previous chunk, so
generation and loading overlap on two cores. PostgreSQL only: it refuses SQLite.

What it writes (docs/REPORTS.md, "Bulk data"):

- one account and returnee profile per application; departments weighted by population
  (DANE 2024 projections, rounded), half in the department's capital; sex, age, return type
  and sector drawn from fixed, documented weights;
- applications in every status, with the plan as sent (``frozen_plan``) for the sent ones,
  references RP-YYYY-NNNNNN continuing the year's counter;
- loans for the disbursed ones, with the schedule a real disbursement gets (``schedule_for``
  of products/schedule.py: exact to the peso, the product's grace mode, due dates by
  ``add_months``), repayments for the instalments paid, arrears for the
  late payers, and follow-up visits at 3, 6 and 12 months;
- encrypted columns (document number, phone, address) are NULL with their blind-index
  hashes filled in, except the first ``--encrypted`` profiles (default 1,000), which are
  really encrypted so that exports with personal data decrypt something;
- no business-plan rows, documents, eligibility results, events or history rows: nothing in
  the reports, exports or the admin changelist reads them.
"""

from __future__ import annotations

import bisect
import io
import json
import queue
import random
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import cast

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.db.models import Field, Max
from django.utils import timezone

from applicants import crypto
from applicants.models import Municipality, ReturneeProfile, User
from applicants.search import fold
from loans.applications.models import LoanApplication, ReferenceCounter
from loans.products.models import LoanProduct
from loans.products.schedule import add_months, schedule_for
from loans.reports import summaries
from loans.servicing.models import FollowUpVisit, Loan, LoanInstalment, Repayment
from loans.servicing.services import FOLLOW_UP_MONTHS

# Population in thousands (DANE projections for 2024, rounded): returnees are drawn in proportion.
DEPARTMENT_WEIGHTS = {
    "11": 7930, "05": 6900, "76": 4600, "25": 3600, "08": 2800, "68": 2350, "13": 2230, "23": 1900,
    "54": 1700, "52": 1650, "19": 1540, "47": 1500, "20": 1340, "73": 1350, "15": 1260, "41": 1150,
    "50": 1100, "70": 1000, "44": 1000, "17": 1030, "66": 970, "63": 560, "27": 560, "85": 450,
    "18": 420, "86": 370, "81": 300, "99": 120, "95": 90, "91": 80, "88": 65, "97": 50, "94": 50,
}  # fmt: skip
# Share of all applications in each status.
STATUS_WEIGHTS = {
    "draft": 0.14, "submitted": 0.005, "in_review": 0.06, "info_requested": 0.02, "recommended": 0.015,
    "approved": 0.01, "disbursed": 0.18, "ineligible": 0.16, "rejected": 0.28, "withdrawn": 0.13,
}  # fmt: skip
SECTION_WEIGHTS = {
    "G": 30, "C": 18, "I": 17, "A": 10, "S": 8, "H": 5, "F": 4, "N": 3, "M": 2, "J": 1, "P": 1, "Q": 1,
}  # fmt: skip
SEX_WEIGHTS = {"M": 54, "F": 45, "N": 1}
RETURN_TYPE_WEIGHTS = {"productivo": 45, "laboral": 25, "humanitario": 20, "solidario": 10}
COUNTRY_WEIGHTS = {"US": 55, "ES": 15, "VE": 15, "CL": 5, "EC": 4, "PA": 3, "MX": 3}
FIRST_NAMES = ["María", "José", "Luis", "Ana", "Carlos", "Luz", "Juan", "Diana", "Andrés", "Paola", "Jorge", "Sandra"]
# Surnames as they are spread in Colombia: the 70 most common ones, most common first (the
# familiar ranking led by Rodríguez, Gómez, González), with weights falling as 1/rank^0.6 and
# together 55 % of draws, so the commonest is about 4 % of people as in the country; the other
# 45 % spread over 700 rarer made-up surnames. Accents included, so the accent-blind search
# meets real spellings.
COMMON_SURNAMES = [
    "Rodríguez", "Gómez", "González", "Martínez", "García", "López", "Hernández", "Sánchez", "Ramírez",
    "Pérez", "Díaz", "Muñoz", "Rojas", "Moreno", "Jiménez", "Vargas", "Torres", "Castro", "Ortiz",
    "Gutiérrez", "Ruiz", "Álvarez", "Suárez", "Romero", "Herrera", "Valencia", "Quintero", "Restrepo",
    "Giraldo", "Rincón", "Mejía", "Cárdenas", "Castillo", "Osorio", "Ospina", "Medina", "Cruz", "Guerrero",
    "Parra", "Salazar", "Ríos", "Cortés", "Arias", "Vásquez", "Mendoza", "Peña", "Reyes", "Acosta", "Gil",
    "Marín", "Zapata", "Bermúdez", "Montoya", "Navarro", "Duque", "Orozco", "Patiño", "Calderón", "Agudelo",
    "Henao", "Betancur", "Londoño", "Cifuentes", "Ibarra", "Caicedo", "Mosquera", "Córdoba", "Palacios",
    "Rentería", "Murillo",
]  # fmt: skip
RARE_SURNAMES = [
    stem + middle + ending
    for stem in ("Ar", "Bel", "Car", "Dor", "Es", "Fal", "Gal", "Ler", "Mon", "Ol", "Pal", "Sar", "Tob", "Var")
    for middle in ("", "am", "ib", "or", "ust")
    for ending in ("ango", "ero", "illa", "ón", "uela", "ares", "eda", "iño", "úa", "oya")
]  # fmt: skip
_COMMON_SHAPE = [rank**-0.6 for rank in range(1, len(COMMON_SURNAMES) + 1)]
SURNAME_WEIGHTS = {
    name: 55 * weight / sum(_COMMON_SHAPE) for name, weight in zip(COMMON_SURNAMES, _COMMON_SHAPE, strict=True)
} | {name: 45 / len(RARE_SURNAMES) for name in RARE_SURNAMES}
# fold() of each surname, once: fold("A B") is fold("A") + " " + fold("B") for words without spaces.
FOLDED_SURNAMES = {name: fold(name) for name in SURNAME_WEIGHTS if len(name.split()) == 1}
SENT = {"submitted", "in_review", "info_requested", "recommended", "approved", "disbursed", "ineligible", "rejected"}
DECIDED = {"approved", "disbursed", "rejected", "ineligible"}
# Schedules are computed once per request and reused: only their amounts are kept, so any start will do.
SCHEDULE_START = date(2026, 1, 1)
HISTORY_DAYS = 3 * 365
NULL = "\\N"


class Weighted:
    """Draws keys with the given weights: one random() and a bisect per draw."""

    def __init__(self, weights: dict, rng: random.Random):
        self.keys = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]
        self.rng = rng

    def __call__(self):
        return self.keys[bisect.bisect_right(self.cumulative, self.rng.random() * self.total)]


def _text(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class Table:
    """A COPY target: the model's every column, ours filled per row, the rest with their defaults."""

    def __init__(self, model, fields: list[str]):
        self.model = model
        self.name = model._meta.db_table
        self.rows = 0
        concrete = model._meta.concrete_fields
        by_attname = {f.attname: f for f in concrete}
        unknown = set(fields) - set(by_attname)
        if unknown:
            raise CommandError(f"{self.name}: no column {sorted(unknown)}")
        parts: list[int | str] = []  # each column: the index of its value in ``fields``, or its default's text
        for f in concrete:
            if f.attname in fields:
                parts.append(fields.index(f.attname))
                continue
            if f.has_default():
                default = f.get_default()
            elif f.null:
                default = None
            elif f.blank and f.get_internal_type() in ("CharField", "TextField"):
                default = ""
            else:
                raise CommandError(f"{self.name}.{f.column} needs a value")
            parts.append(_text(default))
        self.parts = parts
        self.template = (
            "\t".join(
                f"{{{part}}}" if isinstance(part, int) else part.replace("{", "{{").replace("}", "}}")
                for part in parts
            )
            + "\n"
        )
        self.sql = f"COPY {self.name} ({', '.join(f.column for f in concrete)}) FROM STDIN"

    def row(self, *values) -> str:
        self.rows += 1
        return self.template.format(*values)

    def printf(self) -> str:
        """The row template for ``%``: cheaper than ``row`` for the many rows of a loan; the caller counts them.

        Only for a table whose values (``fields``) come in the order of its columns; ``%s`` writes the
        same text as ``str.format`` for the values given (numbers and text)."""
        indices = [part for part in self.parts if isinstance(part, int)]
        if indices != list(range(len(indices))):
            raise CommandError(f"{self.name}: the values are not in the order of the columns")
        return "\t".join("%s" if isinstance(part, int) else part.replace("%", "%%") for part in self.parts) + "\n"


def _uuid_text(value: int) -> str:
    """``str(uuid.UUID(int=value))`` without building the UUID (two per application)."""
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _ts(moment: datetime) -> str:
    return moment.isoformat()


class _DayText(dict):
    """A date's ISO text, written once per date."""

    def __missing__(self, day: date) -> str:
        text = self[day] = str(day)
        return text


# Midnight UTC of a day (a loan's creation, a repayment's recording): _ts(datetime.combine(day, time(0), UTC)).
MIDNIGHT_UTC = "T00:00:00+00:00"
# Paid 0 to 4 days before the due date.
DAYS_EARLY = tuple(timedelta(days=days) for days in range(5))


class Generator:
    def __init__(self, *, rng: random.Random, now: datetime, encrypted: int, start_ids: dict, staff_id: int):
        self.rng = rng
        self.start_profile = start_ids["profile"]
        self.now = now
        self.today = timezone.localdate(now)
        self.zone = timezone.get_current_timezone()  # looked up once, not per application
        self.yesterday = self.today - timedelta(days=1)
        self.day_text = _DayText()
        self.encrypted = encrypted
        self.ids = dict(start_ids)
        self.staff_id = staff_id
        self.department = Weighted(DEPARTMENT_WEIGHTS, rng)
        self.status = Weighted(STATUS_WEIGHTS, rng)
        self.section = Weighted(SECTION_WEIGHTS, rng)
        self.sex = Weighted(SEX_WEIGHTS, rng)
        # Its own stream (seeded from the main one's state, not drawn from it): the other columns stay as before.
        self.surname = Weighted(SURNAME_WEIGHTS, random.Random(rng.getstate()[1][1]))  # noqa: S311 - test data
        self.return_type = Weighted(RETURN_TYPE_WEIGHTS, rng)
        self.country = Weighted(COUNTRY_WEIGHTS, rng)
        self.municipalities: dict[str, list[str]] = {}
        for code, department_id in Municipality.objects.values_list("code", "department_id"):
            self.municipalities.setdefault(department_id, []).append(code)
        self.product_by_pk = {product.pk: product for product in LoanProduct.objects.order_by("name")}
        self.products = [(product.pk, product.annual_rate_pct) for product in self.product_by_pk.values()]
        self.schedules: dict[tuple[int, int, int, int], tuple[tuple[int, int, int], ...]] = {}
        self.due_dates: dict[tuple[date, int], tuple[tuple[date, str], ...]] = {}
        if not self.products:
            raise CommandError("No loan product exists: run the migrations and seed_demo, or create one.")
        self.counters = dict(ReferenceCounter.objects.values_list("year", "last"))
        self.salt = uuid.uuid4().int & ((1 << 64) - 1)
        self.run = uuid.uuid4().hex[:6]
        profile_fields = ReturneeProfile._meta
        self.crypt = {
            name: cast(Field, profile_fields.get_field(name)) for name in ("document_number", "phone", "address")
        }
        self.tables = {
            "user": Table(User, ["id", "password", "email", "date_joined", "email_verified_at"]),
            "profile": Table(
                ReturneeProfile,
                [
                    "id",
                    "public_id",
                    "user_id",
                    "document_type",
                    "document_number",
                    "document_number_hash",
                    "is_colombian_national",
                    "first_names",
                    "last_names",
                    "last_names_search",
                    "birth_date",
                    "sex",
                    "phone",
                    "phone_hash",
                    "department_id",
                    "municipality_id",
                    "address",
                    "country_returned_from",
                    "departure_date",
                    "return_date",
                    "return_type",
                    "forced_return",
                    "rur_number",
                    "declarations_accepted_at",
                    "declares_no_custodial_sentence",
                    "declares_no_public_admin_conviction",
                    "declares_benefits_not_used",
                    "declares_truthful",
                    "created_at",
                    "updated_at",
                ],
            ),  # fmt: skip
            "application": Table(
                LoanApplication,
                [
                    "id",
                    "public_id",
                    "reference",
                    "applicant_id",
                    "status",
                    "product_id",
                    "amount",
                    "term_months",
                    "grace_months",
                    "declarations_accepted_at",
                    "frozen_plan",
                    "submitted_at",
                    "decided_at",
                    "created_at",
                    "updated_at",
                    "recommended_amount",
                    "recommended_term_months",
                    "approved_by_id",
                    "recommended_by_id",
                    "rejection_reason",
                    "business_department_id",
                    "business_section_id",
                    "eligibility_outcome",
                ],
            ),  # fmt: skip
            "loan": Table(
                Loan,
                [
                    "id",
                    "application_id",
                    "principal",
                    "annual_rate_pct",
                    "term_months",
                    "grace_months",
                    "disbursed_on",
                    "bank_reference",
                    "disbursed_by_id",
                    "state",
                    "days_in_arrears",
                    "created_at",
                ],
            ),  # fmt: skip
            "instalment": Table(
                LoanInstalment,
                [
                    "id",
                    "loan_id",
                    "number",
                    "due_date",
                    "interest",
                    "principal",
                    "payment",
                    "paid_interest",
                    "paid_principal",
                    "paid_on",
                ],
            ),  # fmt: skip
            "repayment": Table(
                Repayment,
                [
                    "id",
                    "loan_id",
                    "paid_on",
                    "amount",
                    "bank_reference",
                    "source",
                    "allocated_interest",
                    "allocated_principal",
                    "recorded_at",
                ],
            ),  # fmt: skip
            "visit": Table(
                FollowUpVisit,
                ["id", "loan_id", "months_after", "due_on", "done_on", "business_operating", "jobs_created"],
            ),
        }

        self.instalment_text, self.repayment_text = (
            self.tables["instalment"].printf(),
            self.tables["repayment"].printf(),
        )

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _reference(self, year: int) -> str:
        self.counters[year] = self.counters.get(year, 0) + 1
        return f"RP-{year}-{self.counters[year]:06d}"

    def chunk(self, count: int) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {name: [] for name in self.tables}
        for _ in range(count):
            self._application(out)
        return out

    def _application(self, out) -> None:
        rng, now, t = self.rng, self.now, self.tables
        status = self.status()
        # Applications that went far took time: they started at least four months ago.
        newest = 1 if status in ("draft", "submitted", "in_review", "ineligible") else 120
        created = now - timedelta(days=rng.uniform(newest, HISTORY_DAYS))
        user_id, profile_id, app_id = self._next("user"), self._next("profile"), self._next("application")
        department = self.department()
        towns = self.municipalities[department]
        municipality = towns[0] if rng.random() < 0.5 else towns[int(rng.random() * len(towns))]
        capital = f"{department}001"
        if capital in towns and municipality == towns[0]:
            municipality = capital
        sex = self.sex()
        age = int(rng.triangular(18, 70, 35))
        birth = self.today - timedelta(days=age * 365 + int(rng.random() * 360))
        returned = created.date() - timedelta(days=int(rng.uniform(30, 330)))
        left = returned - timedelta(days=int(rng.uniform(3 * 365, 15 * 365)))
        document = str(10_000_000 + user_id * 7)
        phone = f"+573{(user_id * 7919) % 1_000_000_000:09d}"
        address = None
        stored_document = stored_phone = NULL
        if profile_id - self.start_profile <= self.encrypted:
            address = f"Calle {user_id % 100} # {user_id % 57}-{user_id % 89}"
            stored_document = self.crypt["document_number"].get_prep_value(document)
            stored_phone = self.crypt["phone"].get_prep_value(phone)
            address = self.crypt["address"].get_prep_value(address)
        created_text = _ts(created)
        first_surname, second_surname = self.surname(), self.surname()
        last_names = f"{first_surname} {second_surname}"
        out["user"].append(
            t["user"].row(user_id, "!", f"retornado{self.run}-{user_id}@bulk.example", created_text, created_text)
        )
        out["profile"].append(
            t["profile"].row(
                profile_id,
                _uuid_text((self.salt << 64) | profile_id),
                user_id,
                "CC",
                stored_document,
                crypto.document_number_index(document),
                "t",
                FIRST_NAMES[user_id % len(FIRST_NAMES)],
                last_names,
                f"{FOLDED_SURNAMES[first_surname]} {FOLDED_SURNAMES[second_surname]}",  # fold(last_names)
                birth,
                sex,
                stored_phone,
                crypto.phone_index(phone),
                department,
                municipality,
                address or NULL,
                self.country(),
                left,
                returned,
                self.return_type(),
                "t" if rng.random() < 0.2 else "f",
                f"RUR-{user_id}",
                created_text,
                "t",
                "t",
                "t",
                "t",
                created_text,
                created_text,
            )
        )
        product_id, rate = self.products[user_id % len(self.products)]
        amount = int(rng.uniform(5, 80)) * 1_000_000
        term = rng.choice((12, 18, 24, 24, 36))
        grace = rng.choice((0, 0, 3, 6))
        section = self.section()
        jobs = int(rng.triangular(0, 8, 1))
        submitted = decided = None
        reference = frozen = NULL
        outcome = ""
        if status in SENT or status == "withdrawn" and rng.random() < 0.7:
            submitted = created + timedelta(days=rng.uniform(0, 10))
            reference = self._reference(timezone.localtime(submitted, self.zone).year)
            frozen = json.dumps(
                {
                    "department": department,
                    "section": section,
                    "municipality": municipality,
                    "jobs_to_create": jobs,
                    "stage": "idea",
                }
            )
            outcome = "ineligible" if status == "ineligible" else ("review" if rng.random() < 0.3 else "eligible")
            if status == "submitted":
                outcome = ""
        if status in DECIDED and submitted:
            if status == "ineligible":
                decided = submitted + timedelta(seconds=rng.uniform(5, 600))
            else:
                decided = min(submitted + timedelta(days=rng.lognormvariate(3.0, 0.6)), now - timedelta(days=1))
        approved = status in ("approved", "disbursed")
        recommended = int(amount * rng.choice((1, 1, 1, 0.9, 0.8))) if approved or status == "recommended" else None
        out["application"].append(
            t["application"].row(
                app_id,
                _uuid_text((self.salt << 64) | (1 << 63) | app_id),
                reference,
                user_id,
                status,
                product_id,
                amount,
                term,
                grace,
                _ts(submitted) if submitted else NULL,
                frozen,
                _ts(submitted) if submitted else NULL,
                _ts(decided) if decided else NULL,
                created_text,
                _ts(decided or submitted or created),
                recommended if recommended is not None else NULL,
                term if recommended is not None else NULL,
                self.staff_id if approved else NULL,
                self.staff_id if recommended is not None else NULL,
                "other" if status == "rejected" else "",
                department if submitted else NULL,
                section if submitted else NULL,
                outcome,
            )
        )
        if status == "disbursed":
            self._loan(out, app_id, product_id, recommended, rate, term, grace, decided, jobs)

    def _schedule_rows(
        self, product_id: int, principal: int, term: int, grace: int
    ) -> tuple[tuple[int, int, int], ...]:
        """(interest, principal, payment) of each instalment, from the project's schedule (products/schedule.py).

        The amounts do not depend on the disbursement date, so each (product, amount, term, grace)
        is computed once: with a few hundred distinct requests, a million loans cost a few
        thousand Decimal schedules. The dates are the loan's own (add_months, as schedule_for).
        """
        key = (product_id, principal, term, grace)
        rows = self.schedules.get(key)
        if rows is None:
            schedule = schedule_for(
                self.product_by_pk[product_id],
                amount=principal,
                term_months=term,
                grace_months=grace,
                start=SCHEDULE_START,
            )
            rows = self.schedules[key] = tuple(
                (row.interest, row.principal, row.interest + row.principal) for row in schedule.instalments
            )
        return rows

    def _due_dates(self, disbursed: date, term: int) -> tuple[tuple[date, str], ...]:
        """Due dates, and their text, as schedule_for sets them (first a month after disbursement).

        Computed once per disbursement day and term."""
        key = (disbursed, term)
        dues = self.due_dates.get(key)
        if dues is None:
            first_due = add_months(disbursed, 1)
            dues = self.due_dates[key] = tuple(
                (due, str(due)) for due in (add_months(first_due, number) for number in range(term))
            )
        return dues

    def _loan(self, out, app_id, product_id, principal, rate, term, grace, decided, jobs) -> None:
        rng, t, today, yesterday = self.rng, self.tables, self.today, self.yesterday
        loan_id = self._next("loan")
        disbursed = (decided + timedelta(days=rng.uniform(3, 30))).date()
        disbursed = min(disbursed, yesterday)
        rows = self._schedule_rows(product_id, principal, term, grace)
        dues = self._due_dates(disbursed, term)
        behaviour = rng.random()
        # 80 % pay on time; 15 % stop paying at some point; 5 % paid everything early.
        stops_after = int(rng.uniform(0, term)) if 0.80 <= behaviour < 0.95 else None
        pays_all = behaviour >= 0.95
        oldest_unpaid = None
        paid_count = 0
        # The rows are written here rather than by Table.row (the same text: the dates' ISO text,
        # written once per date; the ids counted in a local), as this loop writes most of the rows.
        instalment, repayment = self.instalment_text, self.repayment_text
        instalments, repayments, day_text = out["instalment"], out["repayment"], self.day_text
        instalment_id, repayment_id, bank_prefix = self.ids["instalment"], self.ids["repayment"], f"BULK-{self.run}-"
        for number, (interest, capital, payment), (due, due_text) in zip(range(1, term + 1), rows, dues, strict=True):
            instalment_id += 1
            if pays_all or (due < today and (stops_after is None or number <= stops_after)):
                paid_on = min(due - DAYS_EARLY[int(rng.uniform(0, 5))], yesterday)
                paid_text = day_text[paid_on]
                paid_count += 1
                repayment_id += 1
                instalments.append(
                    instalment
                    % (
                        instalment_id,
                        loan_id,
                        number,
                        due_text,
                        interest,
                        capital,
                        payment,
                        interest,
                        capital,
                        paid_text,
                    )
                )
                repayments.append(
                    repayment
                    % (
                        repayment_id,
                        loan_id,
                        paid_text,
                        payment,
                        f"{bank_prefix}{repayment_id}",
                        "bank_file",
                        interest,
                        capital,
                        paid_text + MIDNIGHT_UTC,
                    )
                )
            else:
                if oldest_unpaid is None and due < today:
                    oldest_unpaid = due
                instalments.append(
                    instalment % (instalment_id, loan_id, number, due_text, interest, capital, payment, 0, 0, NULL)
                )
        t["instalment"].rows += instalment_id - self.ids["instalment"]
        t["repayment"].rows += repayment_id - self.ids["repayment"]
        self.ids["instalment"], self.ids["repayment"] = instalment_id, repayment_id
        arrears = (today - oldest_unpaid).days if oldest_unpaid else 0
        if paid_count == term:
            state = "repaid"
        elif arrears:
            state = "in_arrears"
        else:
            state = "active"
        out["loan"].append(
            t["loan"].row(
                loan_id,
                app_id,
                principal,
                rate,
                term,
                grace,
                day_text[disbursed],
                f"DESEMBOLSO-{self.run}-{loan_id}",
                self.staff_id,
                state,
                arrears,
                day_text[disbursed] + MIDNIGHT_UTC,
            )
        )
        for months in FOLLOW_UP_MONTHS:
            due = add_months(disbursed, months)
            if due >= today:
                break
            done = rng.random() < 0.85
            operating = rng.random() < 0.9
            found = max(0, jobs + int(rng.uniform(-2, 2))) if operating else 0
            out["visit"].append(
                t["visit"].row(
                    self._next("visit"),
                    loan_id,
                    months,
                    day_text[due],
                    day_text[due + timedelta(days=int(rng.uniform(0, 20)))] if done else NULL,
                    ("t" if operating else "f") if done else NULL,
                    found if done else NULL,
                )
            )


TABLE_ORDER = ["user", "profile", "application", "loan", "instalment", "repayment", "visit"]
ID_SOURCES = {
    "user": User,
    "profile": ReturneeProfile,
    "application": LoanApplication,
    "loan": Loan,
    "instalment": LoanInstalment,
    "repayment": Repayment,
    "visit": FollowUpVisit,
}


ABORT = object()
COPY_READ_BYTES = 4 * 1024 * 1024


class Copier(threading.Thread):
    """Copies queued chunks, in order, on its own connection and in one transaction."""

    def __init__(self, tables: dict[str, Table]):
        super().__init__(daemon=True)
        self.tables = tables
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.copy_seconds = 0.0

    def run(self):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                while (item := self.queue.get()) is not None:
                    if item is ABORT:
                        raise CommandError("the generator failed")
                    for name in TABLE_ORDER:
                        lines = item[name]
                        if lines:
                            started = time.perf_counter()
                            # Large reads: each read takes the GIL back from the generating thread.
                            data = io.BytesIO("".join(lines).encode())
                            cursor.cursor.copy_expert(self.tables[name].sql, data, size=COPY_READ_BYTES)
                            self.copy_seconds += time.perf_counter() - started
        except BaseException as error:  # noqa: BLE001 - handed to the main thread, which raises it
            self.error = error
            while self.queue.get() is not None:  # let the producer finish
                continue
        finally:
            connections.close_all()


class Command(BaseCommand):
    help = "Load N realistic applications (with loans, instalments, repayments, visits) through PostgreSQL COPY."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, required=True)
        parser.add_argument("--chunk", type=int, default=20_000, help="applications per COPY round")
        parser.add_argument("--encrypted", type=int, default=1_000, help="profiles whose PII is really encrypted")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")

    def handle(self, *args, applications, chunk, encrypted, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_bulk loads data with PostgreSQL COPY and does not run on "
                f"{connection.vendor}. Point DATABASE_URL at a PostgreSQL database made for benchmarks, "
                "e.g. postgres://postgres@127.0.0.1:5432/retorno_bench."
            )
        if applications < 1 or chunk < 1:
            raise CommandError("--applications and --chunk must be positive.")
        staff, _created = User.objects.get_or_create(
            email="seed-bulk-approver@bulk.example", defaults={"is_staff": True, "password": "!"}
        )
        if not LoanProduct.objects.exists():
            _create_product()
        start_ids = {name: model.objects.aggregate(top=Max("pk"))["top"] or 0 for name, model in ID_SOURCES.items()}
        generator = Generator(
            rng=random.Random(seed),  # noqa: S311 - test data, not secrets
            now=timezone.now(),
            encrypted=encrypted,
            start_ids=start_ids,
            staff_id=staff.pk,
        )
        copier = Copier(generator.tables)
        started = time.perf_counter()
        copier.start()
        done = 0
        try:
            while done < applications and copier.error is None:
                size = min(chunk, applications - done)
                copier.queue.put(generator.chunk(size))
                done += size
                if options["verbosity"] >= 2:
                    self.stdout.write(f"  {done:,} applications generated")
        except BaseException:
            copier.queue.put(ABORT)  # roll the copier's transaction back
            raise
        finally:
            copier.queue.put(None)
            copier.join()
        if copier.error is not None:
            raise CommandError(f"COPY failed; nothing was loaded: {copier.error}") from copier.error
        loaded = time.perf_counter() - started
        self._finish(generator)
        finished = time.perf_counter() - started
        # Rows loaded by COPY bypass the services: recount the report and statistics summaries.
        check = summaries.rebuild(bulk_load=True)
        seconds = time.perf_counter() - started
        if options["verbosity"] >= 2:
            self.stdout.write(
                f"  loaded in {loaded:.1f} s, sequences, counters and ANALYZE {finished - loaded:.1f} s, "
                f"summaries ({check.cells:,} cells) {seconds - finished:.1f} s"
            )
        rows = {name: generator.tables[name].rows for name in TABLE_ORDER}
        total = sum(rows.values())
        self.stdout.write(
            ", ".join(f"{name}s {count:,}" for name, count in rows.items())
            + f"\n{total:,} rows in {seconds:.1f} s ({total / seconds:,.0f} rows/s; "
            f"COPY itself {copier.copy_seconds:.1f} s)."
        )

    def _finish(self, generator: Generator) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for model in ID_SOURCES.values():
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))",  # noqa: S608
                    [table],
                )
            for year, last in generator.counters.items():
                ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
            cursor.execute("ANALYZE")


def _create_product() -> LoanProduct:
    """A product like the 2026 public line, for an empty benchmark database."""
    return LoanProduct.objects.create(
        code="retorno-productivo-bulk",
        name="Retorno productivo (datos de prueba)",
        min_amount_cop=1_000_000,
        max_amount_cop=140_000_000,
        max_financing_pct=Decimal("80"),
        min_term_months=12,
        max_term_months=36,
        max_grace_months=6,
        annual_rate_pct=Decimal("22.68"),
        credit_category="productivo_urbano",
        guarantee_coverage_pct=Decimal("90"),
        state_pays_every=12,
        on_time_rebate_pct=Decimal("14"),
        window_opens=date(2023, 1, 1),
    )
