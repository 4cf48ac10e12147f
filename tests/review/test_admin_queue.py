"""The officers' queue in the admin: columns, filters, search, bulk assignment, query counts."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applicants.models import ReturneeProfile, User
from loans.models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationMessage,
    ApplicationScore,
    EligibilityResult,
    LoanApplication,
    ReviewNote,
    ScoringCriterion,
)
from tests.factories import ProductFactory
from tests.review.admin_pages import (
    flash_messages,
    listed_references,
    queued_application,
    result_table,
    staff_client,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:loans_loanapplication_changelist")


@pytest.fixture
def colleague(db):
    from tests.review.conftest import _staff_in

    return _staff_in("Program officer")


@pytest.fixture
def other_product(product):
    return ProductFactory(name="Crédito rural")


@pytest.fixture
def queue(product, other_product, program_officer, colleague):
    """Five applications in the queue and a draft that must never show."""
    return {
        "mine": queued_application(
            product=product, department="05", section="C", assigned_to=program_officer, waiting_days=3
        ),
        "asked": queued_application(
            product=product,
            status="info_requested",
            department="11",
            section="G",
            outcome="review",
            flags=["rur"],
            assigned_to=colleague,
        ),
        "recommended": queued_application(
            product=other_product,
            status="recommended",
            department="05",
            section="G",
            outcome="review",
            flags=["country", "rur"],
        ),
        "ineligible": queued_application(
            product=other_product,
            status="ineligible",
            department="76",
            section="C",
            outcome="ineligible",
            flags=["adult"],
        ),
        "approved": queued_application(
            product=product, status="approved", department="11", section="A", assigned_to=program_officer
        ),
        "draft": queued_application(product=product, status="draft"),
    }


def _refs(queue, *names):
    return {queue[name].reference for name in names}


def test_the_queue_shows_every_column_of_an_application(program_officer, product):
    application = queued_application(
        product=product,
        first_names="Ana María",
        last_names="Gómez Restrepo",
        department="05",
        section="C",
        outcome="review",
        flags=["rur", "years_abroad"],
        assigned_to=program_officer,
        waiting_days=3,
    )
    response = staff_client(program_officer).get(CHANGELIST)
    assert response.status_code == 200
    headers, rows = result_table(response)
    assert headers == [
        "Reference",
        "Applicant",
        "Amount",
        "Status",
        "Eligibility and flags",
        "Department of the business",
        "Assigned officer",
        "Days waiting",
    ]
    assert rows == [
        [
            application.reference,
            "Ana María Gómez Restrepo",
            "COP 10,000,000",
            "In review",
            "Eligible, with points for the officer to review: Registro Único de Retornados, Years lived abroad",
            "Antioquia",
            program_officer.email,
            "3",
        ]
    ]


def test_the_amount_is_in_pesos_for_spanish_readers(program_officer, product):
    queued_application(product=product, amount=12_500_000)
    _headers, rows = result_table(staff_client(program_officer, language="es").get(CHANGELIST))
    assert rows[0][2] == "$12.500.000"


def test_an_applicant_without_a_name_is_shown_by_email_and_a_decided_application_waits_for_nobody(
    program_officer, product
):
    from tests.factories import ProfileFactory

    profile = ProfileFactory()
    queued_application(product=product, status="approved", profile=profile, waiting_days=9)
    _headers, rows = result_table(staff_client(program_officer).get(CHANGELIST))
    assert (rows[0][1], rows[0][3], rows[0][6], rows[0][7]) == (profile.user.email, "Approved", "-", "—")


def test_drafts_are_not_listed_and_cannot_be_opened(program_officer, queue):
    client = staff_client(program_officer)
    response = client.get(CHANGELIST)
    assert listed_references(response) == _refs(queue, "mine", "asked", "recommended", "ineligible", "approved")
    assert LoanApplication.objects.filter(status="draft").count() == 1
    draft = queue["draft"]
    response = client.get(reverse("admin:loans_loanapplication_change", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "in_review"}, {"mine"}),
        ({"status__exact": "info_requested"}, {"asked"}),
        ({"status__exact": "ineligible"}, {"ineligible"}),
        ({"eligibility_outcome__exact": "review"}, {"asked", "recommended"}),
        ({"eligibility_outcome__exact": "eligible"}, {"mine", "approved"}),
        ({"flag": "rur"}, {"asked", "recommended"}),
        ({"flag": "country"}, {"recommended"}),
        ({"flag": "adult"}, {"ineligible"}),
        ({"flag": "documents"}, set()),
        ({"business_department__code__exact": "05"}, {"mine", "recommended"}),
        ({"business_department__code__exact": "11"}, {"asked", "approved"}),
        ({"business_section__code__exact": "C"}, {"mine", "ineligible"}),
        ({"business_section__code__exact": "G"}, {"asked", "recommended"}),
        ({"queue": "mine"}, {"mine", "approved"}),
        ({"queue": "unassigned"}, {"recommended", "ineligible"}),
        ({"queue": "mine", "status__exact": "approved"}, {"approved"}),
        ({"flag": "rur", "business_department__code__exact": "11"}, {"asked"}),
    ],
)
def test_each_filter_lists_exactly_its_applications(program_officer, queue, query, expected):
    response = staff_client(program_officer).get(CHANGELIST, query)
    assert response.status_code == 200
    assert listed_references(response) == _refs(queue, *expected)


def test_the_product_filter(program_officer, queue, product, other_product):
    client = staff_client(program_officer)
    response = client.get(CHANGELIST, {"product__id__exact": product.pk})
    assert listed_references(response) == _refs(queue, "mine", "asked", "approved")
    response = client.get(CHANGELIST, {"product__id__exact": other_product.pk})
    assert listed_references(response) == _refs(queue, "recommended", "ineligible")


def test_the_assigned_officer_filter(program_officer, colleague, queue):
    client = staff_client(program_officer)
    response = client.get(CHANGELIST, {"assigned_to__id__exact": colleague.pk})
    assert listed_references(response) == _refs(queue, "asked")
    response = client.get(CHANGELIST, {"assigned_to__id__exact": program_officer.pk})
    assert listed_references(response) == _refs(queue, "mine", "approved")
    response = client.get(CHANGELIST, {"assigned_to__isnull": "True"})
    assert listed_references(response) == _refs(queue, "recommended", "ineligible")


def test_my_queue_is_the_queue_of_whoever_looks(colleague, queue):
    response = staff_client(colleague).get(CHANGELIST, {"queue": "mine"})
    assert listed_references(response) == _refs(queue, "asked")


def test_the_assigned_officer_filter_offers_officers_not_every_account(program_officer, colleague, approver, queue):
    response = staff_client(program_officer).get(CHANGELIST)
    spec = next(s for s in response.context["cl"].filter_specs if getattr(s, "field_path", "") == "assigned_to")
    offered = {label for _pk, label in spec.lookup_choices}
    assert offered == {program_officer.email, colleague.email}
    assert queue["mine"].applicant.email not in offered


# --- search -----------------------------------------------------------------------------


@pytest.fixture
def searched(product, queue):
    return queued_application(
        product=product,
        document_number="1020304050",
        phone="+573001234567",
        last_names="Wolkenberg Ibargüen",
        user__email="ana.wolkenberg@example.co",
    )


@pytest.mark.parametrize(
    "term",
    [
        "{reference}",
        "{lowercase reference}",
        "ana.wolkenberg@example.co",
        "ANA.Wolkenberg@Example.co",
        "1020304050",
        "1.020.304.050",
        " 1020304050 ",
        "300 123 4567",
        "3001234567",
        "+57 300 123 4567",
        "(300) 123-4567",
        "Wolkenberg",
        "wolk",
        "Wolkenberg Ib",
        "WOLKENBERG IBARGUEN",
        "wölkenberg ibargüen",
        "  Wolkenberg   Ibarguen ",
    ],
)
def test_search_finds_the_application(program_officer, searched, term):
    term = term.replace("{reference}", searched.reference).replace("{lowercase reference}", searched.reference.lower())
    response = staff_client(program_officer).get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    assert listed_references(response) == {searched.reference}


@pytest.mark.parametrize("term", ["1020304", "Ibargüen", "300 123 4568", "ana.wolkenberg", "example.co", "RP-2025"])
def test_search_is_exact_and_finds_nothing_on_a_partial_term(program_officer, searched, term):
    response = staff_client(program_officer).get(CHANGELIST, {"q": term})
    assert listed_references(response) == set()


def test_the_last_name_search_ignores_accents_and_case(program_officer, product, queue):
    gomez = queued_application(product=product, last_names="Gómez Peña")
    gomezano = queued_application(product=product, last_names="Gomezano Ruiz")
    perez = queued_application(product=product, last_names="Pérez Gómez")
    client = staff_client(program_officer)

    for term in ("gomez pena", "GÓMEZ PEÑA", "Gomez Pe"):
        assert listed_references(client.get(CHANGELIST, {"q": term})) == {gomez.reference}
    # Gómez and Gomezano, not Pérez (the queue's random es_CO surnames may add another Gómez).
    found = listed_references(client.get(CHANGELIST, {"q": "gomez"}))
    assert found >= {gomez.reference, gomezano.reference}
    assert perez.reference not in found


def test_the_document_number_is_found_through_its_blind_index_not_stored_in_clear(program_officer, searched):
    profile = ReturneeProfile.objects.get(user=searched.applicant)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT document_number, phone FROM {ReturneeProfile._meta.db_table} WHERE id = %s",  # noqa: S608
            [profile.pk],
        )
        stored_document, stored_phone = cursor.fetchone()
    assert "1020304050" not in stored_document
    assert "3001234567" not in stored_phone
    with CaptureQueriesContext(connection) as queries:
        response = staff_client(program_officer).get(CHANGELIST, {"q": "1.020.304.050"})
    assert listed_references(response) == {searched.reference}
    assert any(profile.document_number_hash in q["sql"] for q in queries.captured_queries)
    assert not any("1020304050" in q["sql"] for q in queries.captured_queries)


def test_search_combines_with_the_filters(program_officer, searched):
    client = staff_client(program_officer)
    assert listed_references(client.get(CHANGELIST, {"q": "Wolkenberg", "status__exact": "in_review"})) == {
        searched.reference
    }
    assert listed_references(client.get(CHANGELIST, {"q": "Wolkenberg", "status__exact": "approved"})) == set()


def test_a_draft_is_not_found_by_search(program_officer, product):
    draft = queued_application(product=product, status="draft", document_number="55667788")
    response = staff_client(program_officer).get(CHANGELIST, {"q": "55667788"})
    assert draft.reference is None
    assert listed_references(response) == set()


# --- bulk assignment --------------------------------------------------------------------


def test_assigning_in_bulk_shows_a_confirmation_then_assigns(program_officer, colleague, approver, queue):
    client = staff_client(program_officer)
    chosen = [queue["recommended"].pk, queue["ineligible"].pk]
    response = client.post(CHANGELIST, {"action": "assign_to", "_selected_action": chosen})
    assert response.status_code == 200
    assert response.templates[0].name == "admin/loans/loanapplication/assign.html"
    assert "2 applications selected." in response.text
    offered = {str(user) for user in response.context["form"].fields["officer"].queryset}
    assert offered == {program_officer.email, colleague.email}
    assert LoanApplication.objects.filter(pk__in=chosen, assigned_to__isnull=False).count() == 0

    response = client.post(
        CHANGELIST, {"action": "assign_to", "_selected_action": chosen, "apply": "Assign", "officer": colleague.pk}
    )
    assert response.status_code == 302
    assert flash_messages(response) == ["2 application(s) assigned."]
    assert dict(LoanApplication.objects.exclude(status="draft").values_list("reference", "assigned_to")) == {
        queue["mine"].reference: program_officer.pk,
        queue["asked"].reference: colleague.pk,
        queue["recommended"].reference: colleague.pk,
        queue["ineligible"].reference: colleague.pk,
        queue["approved"].reference: program_officer.pk,
    }


def test_assigning_to_nobody_unassigns(program_officer, queue):
    client = staff_client(program_officer)
    chosen = [queue["mine"].pk, queue["approved"].pk]
    response = client.post(
        CHANGELIST, {"action": "assign_to", "_selected_action": chosen, "apply": "Assign", "officer": ""}
    )
    assert response.status_code == 302
    assert LoanApplication.objects.filter(pk__in=chosen, assigned_to__isnull=True).count() == 2


def test_an_approver_cannot_be_chosen_as_the_officer(program_officer, approver, queue):
    client = staff_client(program_officer)
    chosen = [queue["recommended"].pk]
    response = client.post(
        CHANGELIST, {"action": "assign_to", "_selected_action": chosen, "apply": "Assign", "officer": approver.pk}
    )
    assert response.status_code == 200
    assert "officer" in response.context["form"].errors
    assert LoanApplication.objects.get(pk=queue["recommended"].pk).assigned_to is None


def test_an_approver_has_no_assign_action_and_cannot_post_it(approver, program_officer, queue):
    client = staff_client(approver)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    # The approver has no action at all, so the admin shows no action bar.
    assert response.context["action_form"] is None
    assert "assign_to" not in response.text
    chosen = [queue["recommended"].pk]
    response = client.post(
        CHANGELIST,
        {"action": "assign_to", "_selected_action": chosen, "apply": "Assign", "officer": program_officer.pk},
    )
    # Without any action the posted one is ignored: the list is shown again, nothing changes.
    assert response.status_code == 200
    assert LoanApplication.objects.get(pk=queue["recommended"].pk).assigned_to is None


def test_an_analyst_cannot_open_the_queue_nor_assign(analyst, program_officer, queue):
    client = staff_client(analyst)
    assert client.get(CHANGELIST).status_code == 403
    chosen = [queue["recommended"].pk]
    response = client.post(
        CHANGELIST,
        {"action": "assign_to", "_selected_action": chosen, "apply": "Assign", "officer": program_officer.pk},
    )
    assert response.status_code == 403
    assert LoanApplication.objects.get(pk=queue["recommended"].pk).assigned_to is None


# --- query counts -----------------------------------------------------------------------


def _bulk_applications(count: int, *, products, officers, start: int) -> None:
    """Applications with applicants and profiles, written in a handful of queries."""
    from django.utils import timezone

    users = User.objects.bulk_create(User(email=f"cola{start + i}@example.co") for i in range(count))
    ReturneeProfile.objects.bulk_create(
        ReturneeProfile(user=user, first_names="Persona", last_names=f"Apellido{start + i}")
        for i, user in enumerate(users)
    )
    departments, sections = ["05", "11", "76"], ["A", "C", "G"]
    now = timezone.now()
    LoanApplication.objects.bulk_create(
        LoanApplication(
            applicant=user,
            reference=f"RP-2024-{start + i:06d}",
            status=["in_review", "info_requested", "recommended", "ineligible"][i % 4],
            product=products[i % len(products)],
            amount=5_000_000 + i,
            term_months=24,
            submitted_at=now - timezone.timedelta(days=i % 30),
            business_department_id=departments[i % 3],
            business_section_id=sections[i % 3],
            eligibility_outcome=["eligible", "review", "ineligible"][i % 3],
            review_flags=[["rur"], [], ["country", "adult"]][i % 3],
            assigned_to=officers[i % len(officers)],
        )
        for i, user in enumerate(users)
    )


def _count_queries(client, url, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("params", [{}, {"queue": "mine"}, {"status__exact": "in_review", "flag": "rur"}])
def test_the_queue_costs_the_same_queries_for_10_and_1000_applications(
    program_officer, colleague, product, other_product, params
):
    products, officers = [product, other_product], [program_officer, colleague, None]
    client = staff_client(program_officer)
    _bulk_applications(10, products=products, officers=officers, start=0)
    client.get(CHANGELIST)  # warm caches (content types, translations)
    few = _count_queries(client, CHANGELIST, params)
    _bulk_applications(990, products=products, officers=officers, start=10)
    many = _count_queries(client, CHANGELIST, params)
    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 20


def _page_rows(application, officer, count: int, start: int) -> None:
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=application, actor=officer, from_status="in_review", to_status="in_review")
        for _ in range(count)
    )
    ReviewNote.objects.bulk_create(
        ReviewNote(application=application, author=officer, body=f"Nota {start + i}") for i in range(count)
    )
    ApplicationMessage.objects.bulk_create(
        ApplicationMessage(application=application, sender=officer, from_applicant=False, body=f"Pregunta {i}")
        for i in range(count)
    )
    ApplicationDocument.objects.bulk_create(
        ApplicationDocument(
            application=application,
            kind="other",
            file=f"documents/aa/{start + i}",
            original_name=f"soporte-{start + i}.pdf",
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
            uploaded_by=application.applicant,
        )
        for i in range(count)
    )
    criteria = ScoringCriterion.objects.bulk_create(
        ScoringCriterion(name=f"Criterio {start + i}", weight=1 + i % 3) for i in range(count)
    )
    ApplicationScore.objects.bulk_create(
        ApplicationScore(application=application, criterion=criterion, score=3, scored_by=officer)
        for criterion in criteria
    )


def test_the_application_page_costs_the_same_queries_for_1_and_50_rows_of_each_kind(program_officer, product):
    from django.utils import timezone

    application = queued_application(product=product, assigned_to=program_officer, flags=["rur"])
    EligibilityResult.objects.create(
        application=application,
        ruleset_version="2026.1",
        outcome="review",
        verdicts=[{"rule": "rur", "verdict": "review", "reason": "rur_missing", "facts": {}}],
        started_at=timezone.now(),
        duration_ms=3,
    )
    client = staff_client(program_officer)
    url = reverse("admin:loans_loanapplication_change", args=[application.pk])
    _page_rows(application, program_officer, 1, start=0)
    client.get(url)  # warm caches
    few = _count_queries(client, url)
    _page_rows(application, program_officer, 49, start=1)
    response = client.get(url)
    assert response.text.count("soporte-") == 50
    many = _count_queries(client, url)
    assert len(few) == len(many), "\n".join(many)


def _counts_applications(sql: str) -> bool:
    return sql.startswith("SELECT COUNT(") and f'FROM "{LoanApplication._meta.db_table}"' in sql


@pytest.mark.needs_postgres
def test_the_whole_queue_is_estimated_by_the_planner_not_counted(
    program_officer, colleague, product, other_product, monkeypatch
):
    from portal import pagination

    _bulk_applications(40, products=[product, other_product], officers=[program_officer, colleague], start=0)
    owner = User.objects.create(email="borradores@example.co")
    LoanApplication.objects.bulk_create(LoanApplication(applicant=owner, status="draft") for _ in range(10))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {LoanApplication._meta.db_table}")
    monkeypatch.setattr(pagination, "EXACT_BELOW", 10)
    client = staff_client(program_officer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if _counts_applications(q)]
    assert len([q for q in sql if q.startswith("SELECT retorno_count(")]) == 1
    # The planner's estimate for the queue (drafts left out), whatever the planner thinks today.
    plan = json.loads(LoanApplication.objects.exclude(status="draft").explain(format="json"))
    assert response.context["cl"].result_count == plan[0]["Plan"]["Plan Rows"] >= 10
    assert len(response.context["cl"].result_list) == 40

    # Below the threshold the same one query returns the exact count.
    monkeypatch.setattr(pagination, "EXACT_BELOW", 100_000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if q.startswith("SELECT retorno_count(")]) == 1
    assert not [q for q in sql if q.startswith("EXPLAIN") or _counts_applications(q)]
    assert response.context["cl"].result_count == 40

    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, {"status__exact": "in_review"})
    assert [q["sql"] for q in queries.captured_queries if _counts_applications(q["sql"])]
    assert response.context["cl"].result_count == 10


def _listed_in_order(response) -> list[str]:
    return [row[0] for row in result_table(response)[1]]


@pytest.mark.needs_postgres
@pytest.mark.parametrize("common_from", [1, 1_000_000], ids=["as a common surname", "as a rarer surname"])
def test_a_last_name_search_lists_every_match_newest_first_whichever_plan(
    program_officer, product, monkeypatch, common_from
):
    from loans.review import selectors

    monkeypatch.setattr(selectors, "COMMON_SURNAME_FROM", common_from)
    matches = [
        queued_application(product=product, last_names=name, waiting_days=days)
        for name, days in [("Rodríguez Peña", 9), ("RODRIGUEZ Ruiz", 2), ("Rodriguezana Gil", 5)]
    ]
    queued_application(product=product, last_names="Pérez Rodríguez")
    queued_application(product=product, status="draft", last_names="Rodríguez Ortiz")

    response = staff_client(program_officer).get(CHANGELIST, {"q": "rodriguez"})
    newest_first = [matches[1].reference, matches[2].reference, matches[0].reference]
    assert _listed_in_order(response) == newest_first
    assert response.context["cl"].result_count == 3


@pytest.mark.needs_postgres
def test_a_search_with_many_matches_shows_the_planners_estimate_not_a_count(program_officer, product, monkeypatch):
    from portal import pagination

    for days in range(12):
        queued_application(product=product, last_names="Rodríguez Peña", waiting_days=days + 1)
    queued_application(product=product, last_names="Murillo Ruiz")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {LoanApplication._meta.db_table}, {ReturneeProfile._meta.db_table}")
    monkeypatch.setattr(pagination, "SEARCH_EXACT_BELOW", 0)
    client = staff_client(program_officer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, {"q": "rodriguez"})
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if _counts_applications(q)]
    assert len([q for q in sql if q.startswith("SELECT retorno_count(")]) == 1
    assert len(response.context["cl"].result_list) == 12

    # At the real threshold a handful of matches is counted exactly, in the same one query.
    monkeypatch.setattr(pagination, "SEARCH_EXACT_BELOW", 2_000)
    response = client.get(CHANGELIST, {"q": "rodriguez"})
    assert response.context["cl"].result_count == 12
    assert client.get(CHANGELIST, {"q": "murillo"}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"q": "zuluaga"}).context["cl"].result_count == 0
