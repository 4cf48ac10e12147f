import pytest
from django.core import mail
from django.urls import reverse

from applicants.models import Notification
from loans.choices import ApplicationStatus
from loans.models import ApplicationEvent, EligibilityResult, LoanApplication

pytestmark = pytest.mark.django_db(transaction=True)


def test_sending_freezes_answers_gives_a_reference_and_runs_the_check(owner_client, ready_draft, owner):
    url = reverse("loans:application_review", args=[ready_draft.public_id])

    response = owner_client.post(url)

    assert response.status_code == 302
    application = LoanApplication.objects.get(pk=ready_draft.pk)
    assert application.reference.startswith("RP-")
    assert len(application.reference) == len("RP-2026-000001")
    assert application.frozen_plan["name"] == "Panadería La Esperanza"
    assert application.frozen_plan["total_investment"] == 20_000_000
    assert "document_number" not in application.frozen_profile  # encrypted fields stay out of the snapshot
    # The eager eligibility task ran on commit: the applicant meets every rule.
    assert application.status == ApplicationStatus.IN_REVIEW
    moves = list(ApplicationEvent.objects.filter(application=application).values_list("from_status", "to_status"))
    assert moves == [("draft", "submitted"), ("submitted", "in_review")]
    result = EligibilityResult.objects.get(application=application)
    assert result.outcome == "eligible"
    assert {v["verdict"] for v in result.verdicts} == {"pass"}
    kinds = sorted(Notification.objects.filter(user=owner).values_list("kind", flat=True))
    assert kinds == ["application_received", "eligibility_result"]
    assert len(mail.outbox) == 2


def test_a_replayed_post_gives_one_submission(owner_client, ready_draft):
    url = reverse("loans:application_review", args=[ready_draft.public_id])
    owner_client.post(url)
    owner_client.post(url)
    application = LoanApplication.objects.get(pk=ready_draft.pk)
    assert ApplicationEvent.objects.filter(application=application, to_status="submitted").count() == 1
    assert LoanApplication.objects.exclude(reference=None).count() == 1


def test_an_incomplete_draft_is_not_sent_and_says_why(owner_client, owner, product):
    from loans.applications import services

    application = services.application_create(applicant=owner)
    owner_client.cookies["django_language"] = "en"
    response = owner_client.post(reverse("loans:application_review", args=[application.public_id]), follow=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.reference is None
    assert "Complete this part first: Business plan." in response.content.decode()


def test_a_stranger_cannot_send_someone_elses_application(stranger_client, ready_draft):
    response = stranger_client.post(reverse("loans:application_review", args=[ready_draft.public_id]))
    assert response.status_code == 404
    ready_draft.refresh_from_db()
    assert ready_draft.status == ApplicationStatus.DRAFT


def test_a_rolled_back_submission_queues_nothing(ready_draft, owner, monkeypatch):
    from django.db import transaction

    from loans.applications import services

    queued = []
    monkeypatch.setattr("loans.applications.services.enqueue", lambda task, *args: queued.append(args))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.application_submit(application=ready_draft, user=owner)
        raise RuntimeError("rollback")
    ready_draft.refresh_from_db()
    assert ready_draft.status == ApplicationStatus.DRAFT
    assert queued == []
    assert not Notification.objects.exists()


def test_withdraw_before_a_decision(owner_client, ready_draft):
    response = owner_client.post(
        reverse("loans:application_withdraw", args=[ready_draft.public_id]),
        {"confirm": "on", "reason": "Cambié de idea"},
    )
    assert response.status_code == 302
    ready_draft.refresh_from_db()
    assert ready_draft.status == ApplicationStatus.WITHDRAWN
    event = ApplicationEvent.objects.get(application=ready_draft)
    assert (event.from_status, event.to_status, event.reason) == ("draft", "withdrawn", "Cambié de idea")
