"""Reminders (idle draft, unanswered question) and the officers' daily digest: once each."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone

from applicants.models import Notification
from loans.applications import reminders, services, tasks
from loans.applications.workflow import transition
from loans.choices import ApplicationStatus
from loans.models import ApplicationEvent, LoanApplication
from loans.review import digest
from loans.review import tasks as review_tasks
from tests.factories import CompleteProfileFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def days_ago(days, hours=0):
    return timezone.now() - timezone.timedelta(days=days, hours=hours)


# --- idle drafts ----------------------------------------------------------------------------


@pytest.fixture
def draft():
    user = CompleteProfileFactory().user
    user.preferred_language = "en"
    user.save()
    return services.application_create(applicant=user)


def test_a_draft_idle_for_7_days_is_reminded_once(draft):
    LoanApplication.objects.filter(pk=draft.pk).update(updated_at=days_ago(7, hours=1))

    assert tasks.remind_idle_drafts.delay(idle_days=7).get() == 1
    assert tasks.remind_idle_drafts.delay(idle_days=7).get() == 0

    notification = Notification.objects.get(kind="draft_reminder")
    assert notification.user == draft.applicant
    assert notification.subject == "Your loan application is waiting for you"
    assert notification.link == f"/solicitudes/{draft.public_id}/"
    assert [m.subject for m in mail.outbox] == ["Your loan application is waiting for you"]


def test_a_draft_touched_6_days_ago_is_left_alone(draft):
    LoanApplication.objects.filter(pk=draft.pk).update(updated_at=days_ago(6, hours=23))
    assert reminders.remind_idle_drafts(idle_days=7) == 0


def test_a_draft_abandoned_for_months_is_not_walked_again_every_day(draft):
    LoanApplication.objects.filter(pk=draft.pk).update(updated_at=days_ago(7 + 31))
    assert reminders.remind_idle_drafts(idle_days=7) == 0


def test_a_draft_saved_again_then_idle_again_gets_a_new_reminder(draft):
    LoanApplication.objects.filter(pk=draft.pk).update(updated_at=days_ago(20))
    reminders.remind_idle_drafts(idle_days=7)
    LoanApplication.objects.filter(pk=draft.pk).update(updated_at=days_ago(8))

    assert reminders.remind_idle_drafts(idle_days=7) == 1
    assert Notification.objects.filter(kind="draft_reminder").count() == 2


def test_sent_applications_and_inactive_people_are_not_reminded(draft, product, send):
    sent = send(product)
    LoanApplication.objects.filter(pk=sent.pk).update(updated_at=days_ago(30))
    draft.applicant.is_active = False
    draft.applicant.save()
    LoanApplication.objects.filter(pk=draft.pk).update(updated_at=days_ago(30))

    assert reminders.remind_idle_drafts(idle_days=7) == 0


# --- unanswered information requests ---------------------------------------------------------


@pytest.fixture
def asked(product, send):
    application = send(product)
    application.applicant.preferred_language = "en"
    application.applicant.save()
    transition(application, ApplicationStatus.INFO_REQUESTED, message_to_applicant="Send the RUR certificate.")
    return application


def _request_made(application, days):
    ApplicationEvent.objects.filter(application=application, to_status=ApplicationStatus.INFO_REQUESTED).update(
        created_at=days_ago(days)
    )


def test_a_question_unanswered_for_5_days_is_reminded_once(asked, sms_outbox):
    _request_made(asked, 5)
    mail.outbox.clear()

    assert tasks.remind_unanswered_info_requests.delay(waiting_days=5).get() == 1
    assert tasks.remind_unanswered_info_requests.delay(waiting_days=5).get() == 0

    notification = Notification.objects.get(kind="info_reminder")
    assert notification.subject == f"An officer is waiting for your answer ({asked.reference})"
    assert len(mail.outbox) == 1
    assert sms_outbox


def test_a_question_asked_4_days_ago_is_not_reminded_yet(asked):
    _request_made(asked, 4)
    assert reminders.remind_unanswered_info_requests(waiting_days=5) == 0


def test_an_answered_question_is_not_reminded(asked):
    _request_made(asked, 9)
    transition(asked, ApplicationStatus.IN_REVIEW)
    assert reminders.remind_unanswered_info_requests(waiting_days=5) == 0


def test_only_the_latest_question_counts(asked):
    _request_made(asked, 12)
    transition(asked, ApplicationStatus.IN_REVIEW)
    transition(asked, ApplicationStatus.INFO_REQUESTED, message_to_applicant="Another question")

    assert reminders.remind_unanswered_info_requests(waiting_days=5) == 0  # the new one waits 0 days

    latest = ApplicationEvent.objects.filter(application=asked, to_status=ApplicationStatus.INFO_REQUESTED).last()
    ApplicationEvent.objects.filter(pk=latest.pk).update(created_at=days_ago(6))
    assert reminders.remind_unanswered_info_requests(waiting_days=5) == 1
    assert Notification.objects.get(kind="info_reminder").key == f"info-reminder:{asked.pk}:{latest.pk}"


# --- officers' digest ------------------------------------------------------------------------


@pytest.fixture
def officers():
    view = Permission.objects.get(content_type__app_label="loans", codename="view_loanapplication")
    direct = StaffFactory(preferred_language="en")
    direct.user_permissions.add(view)
    through_group = StaffFactory()
    group = Group.objects.create(name="Digest readers")
    group.permissions.add(view)
    through_group.groups.add(group)
    superuser = StaffFactory(is_superuser=True)
    StaffFactory()  # staff without the permission
    UserFactory(is_superuser=False)  # a returnee
    StaffFactory(is_active=False, is_superuser=True)
    return direct, through_group, superuser


def _entered_review(application, days):
    ApplicationEvent.objects.filter(application=application, to_status=ApplicationStatus.IN_REVIEW).update(
        created_at=days_ago(days)
    )


def test_the_digest_reaches_staff_who_may_see_applications(officers):
    assert list(digest.digest_recipients()) == list(officers)


def test_the_digest_lists_new_and_overdue_applications_once_a_day(officers, product, send):
    new, recent, overdue = send(product), send(product), send(product)
    _entered_review(new, 0)
    _entered_review(recent, 3)
    _entered_review(overdue, 6)
    mail.outbox.clear()

    assert review_tasks.officer_digest.delay(overdue_days=5).get() == 3
    assert review_tasks.officer_digest.delay(overdue_days=5).get() == 0

    direct = officers[0]
    digest = Notification.objects.get(user=direct, kind="officer_digest")
    assert digest.subject == "Applications in review: 1 new, 1 waiting"
    assert digest.body.splitlines() == [
        "1 application entered review since yesterday:",
        f"· {new.reference}, in review for 0 days",
        "",
        "1 application has waited in review more than 5 days:",
        f"· {overdue.reference}, in review for 6 days",
    ]
    assert digest.link.endswith("/loans/loanapplication/?status__exact=in_review")
    assert len(mail.outbox) == 3


def test_an_application_assigned_to_a_colleague_is_in_the_colleagues_digest(officers, product, send):
    direct, through_group, _superuser = officers
    application = send(product)
    LoanApplication.objects.filter(pk=application.pk).update(assigned_to=through_group)

    digest.officer_digest()

    assert not Notification.objects.filter(user=direct).exists()  # nothing of theirs to say
    assert application.reference in Notification.objects.get(user=through_group).body


def test_no_digest_when_there_is_nothing_to_say(officers, product, send):
    _entered_review(send(product), 2)
    assert digest.officer_digest(overdue_days=5) == 0
    assert not Notification.objects.filter(kind="officer_digest").exists()


def test_a_long_digest_stops_at_50_lines_and_counts_them_all(officers, product, send, monkeypatch):
    monkeypatch.setattr(digest, "DIGEST_MAX_LINES", 2)
    for _ in range(3):
        send(product)

    digest.officer_digest()

    body = Notification.objects.get(user=officers[0]).body.splitlines()
    assert body[0] == "3 applications entered review since yesterday:"
    assert len([line for line in body if line.startswith("· RP-")]) == 2
