"""Pages a returnee opens often cost a fixed number of queries, however much history they hold."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from loans.applications import services
from loans.choices import ApplicationStatus
from loans.models import ApplicationEvent, EligibilityResult, LoanApplication
from tests.factories import ApplicationFactory, PlanFactory
from tests.loans.helpers import add_documents

# Ceilings measured once (November 2026: 4, 9 and 15, counting the session, the user and the inbox
# badge) with a little slack; what matters most is that 1 and 50 rows cost the same.
MAX_LIST_QUERIES = 6
MAX_STATUS_QUERIES = 12
MAX_TASKS_QUERIES = 18


def _count(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def _add_applications(owner, product, n):
    plan = PlanFactory(owner=owner)
    statuses = [ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE, ApplicationStatus.REJECTED]
    for i in range(n):
        ApplicationFactory(
            applicant=owner,
            product=product,
            plan=plan,
            amount=5_000_000 + i,
            term_months=24,
            grace_months=0,
            status=statuses[i % len(statuses)],
            reference=f"RP-2026-{i + 1:06d}" if i % 2 else None,
        )


def test_my_applications_costs_the_same_for_1_and_50(owner_client, owner, product, django_assert_max_num_queries):
    url = reverse("loans:applications")
    _add_applications(owner, product, 1)
    one, response = _count(owner_client, url)
    assert len(response.context["applications"]) == 1

    _add_applications(owner, product, 49)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        fifty, response = _count(owner_client, url)

    assert len(response.context["applications"]) == 50
    assert fifty == one
    html = response.content.decode()
    assert html.count("Crédito de prueba") == 50
    assert html.count("Panadería La Esperanza") == 50


@pytest.fixture
def sent(ready_draft, owner):
    """A submitted application (the eligibility check waits for the commit that a test never makes)."""
    services.application_submit(application=ready_draft, user=owner)
    ready_draft.refresh_from_db()
    assert ready_draft.status == ApplicationStatus.SUBMITTED
    return ready_draft


def _add_events(application, n):
    start = timezone.now()
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=application,
            from_status=ApplicationStatus.IN_REVIEW,
            to_status=ApplicationStatus.INFO_REQUESTED if i % 2 else ApplicationStatus.IN_REVIEW,
            message_to_applicant=f"Mensaje {i}",
            created_at=start + timedelta(seconds=i + 1),
        )
        for i in range(n)
    )


def _add_results(application, n):
    for i in range(n):
        EligibilityResult.objects.create(
            application=application,
            ruleset_version=f"2026.{i}",
            outcome="review",
            verdicts=[{"rule": "rur", "verdict": "review", "reason": "rur_missing"}],
            started_at=timezone.now(),
            duration_ms=3,
        )


def test_the_status_page_costs_the_same_for_1_and_50_events(owner_client, sent, django_assert_max_num_queries):
    url = reverse("loans:application_detail", args=[sent.public_id])
    _add_results(sent, 1)
    one, response = _count(owner_client, url)
    assert len(response.context["events"]) == 1 + 0  # draft → submitted

    _add_events(sent, 50)
    add_documents(sent, 19)
    _add_results(sent, 5)
    with django_assert_max_num_queries(MAX_STATUS_QUERIES):
        fifty, response = _count(owner_client, url)

    assert fifty == one
    events = response.context["events"]
    assert len(events) == 51
    assert [e.to_status for e in events[:3]] == ["submitted", "in_review", "info_requested"]
    assert len(response.context["documents"]) == 20
    assert response.context["result"].ruleset_version == "2026.4"  # the latest run
    html = response.content.decode()
    assert "Mensaje 0" in html and "Mensaje 49" in html
    assert html.index("Mensaje 0") < html.index("Mensaje 49")


def test_the_task_list_costs_the_same_for_1_and_20_documents(owner_client, ready_draft, django_assert_max_num_queries):
    url = reverse("loans:application_detail", args=[ready_draft.public_id])
    one, response = _count(owner_client, url)
    assert response.context["done"] == 5

    add_documents(ready_draft, 19)
    with django_assert_max_num_queries(MAX_TASKS_QUERIES):
        twenty, response = _count(owner_client, url)

    assert twenty == one
    assert response.context["done"] == 5


def test_the_list_shows_only_my_applications(owner_client, owner, stranger, product):
    _add_applications(owner, product, 2)
    ApplicationFactory(applicant=stranger, product=product, reference="RP-2026-999999")

    response = owner_client.get(reverse("loans:applications"))

    assert {a.applicant_id for a in response.context["applications"]} == {owner.pk}
    assert "RP-2026-999999" not in response.content.decode()
    assert LoanApplication.objects.count() == 3
