"""What the applicant is told at each step: inbox, email (HTML and text, their language), SMS.

Each notification has a unique key: a retried or redelivered task sends it once.
"""

import pytest
from django.core import mail
from django.db import transaction

from applicants.models import Notification
from applicants.tasks import deliver_notification, sweep_undelivered_notifications
from loans.applications import notifications
from loans.applications.workflow import transition
from loans.choices import ApplicationStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_review(product, send):
    application = send(product)
    application.applicant.preferred_language = "en"
    application.applicant.save()
    mail.outbox.clear()
    return application


def test_submission_and_eligibility_are_told_in_the_inbox_by_email_and_by_sms(product, send, sms_outbox):
    application = send(product)

    kinds = list(Notification.objects.filter(user=application.applicant).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["application_received", "eligibility_result"]
    assert [m.subject for m in mail.outbox] == [
        f"Recibimos su solicitud {application.reference}",
        f"Su solicitud {application.reference} está en revisión",
    ]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert len(sms_outbox) == 2
    assert all(n.emailed_at for n in Notification.objects.all())


def test_information_requested_carries_the_officers_question_in_the_applicants_language(in_review, sms_outbox):
    transition(in_review, ApplicationStatus.INFO_REQUESTED, message_to_applicant="Please upload the RUR certificate.")

    notifications.notify_info_requested(in_review.pk)
    notifications.notify_info_requested(in_review.pk)

    notification = Notification.objects.get(kind="info_requested")
    assert notification.subject == f"We need more information for your application {in_review.reference}"
    assert notification.body.endswith("Message from the officer:\nPlease upload the RUR certificate.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [in_review.applicant.email]
    assert "Please upload the RUR certificate." in message.body
    html = message.alternatives[0][0]
    assert "Please upload the RUR certificate." in html
    assert f"/solicitudes/{in_review.public_id}/" in html
    assert sms_outbox[-1][1].startswith(f"We need more information for your application {in_review.reference}.")


def test_a_second_request_is_a_new_message(in_review):
    transition(in_review, ApplicationStatus.INFO_REQUESTED, message_to_applicant="First question")
    notifications.notify_info_requested(in_review.pk)
    transition(in_review, ApplicationStatus.IN_REVIEW)
    transition(in_review, ApplicationStatus.INFO_REQUESTED, message_to_applicant="Second question")
    notifications.notify_info_requested(in_review.pk)

    bodies = list(Notification.objects.filter(kind="info_requested").order_by("pk").values_list("body", flat=True))
    assert [body.rsplit("\n", 1)[-1] for body in bodies] == ["First question", "Second question"]


@pytest.mark.parametrize(
    ("path", "subject"),
    [
        ([ApplicationStatus.REJECTED], "Your application {ref} was not approved"),
        ([ApplicationStatus.RECOMMENDED, ApplicationStatus.APPROVED], "Your application {ref} was approved"),
        ([ApplicationStatus.INELIGIBLE], "Your application {ref} does not meet the requirements"),
    ],
)
def test_each_decision_is_told_once(in_review, path, subject):
    for status in path:
        transition(in_review, status, message_to_applicant="Reason written by the officer.")

    notifications.notify_decision(in_review.pk)
    notifications.notify_decision(in_review.pk)

    notification = Notification.objects.get(kind="decision")
    assert notification.subject == subject.format(ref=in_review.reference)
    assert "Reason written by the officer." in notification.body
    assert len(mail.outbox) == 1


def test_a_status_that_is_not_a_decision_tells_nothing(in_review):
    notifications.notify_decision(in_review.pk)
    assert not Notification.objects.filter(kind="decision").exists()


def test_disbursement_is_told_once(in_review):
    for status in (ApplicationStatus.RECOMMENDED, ApplicationStatus.APPROVED):
        transition(in_review, status)
    notifications.notify_disbursed(in_review.pk)
    assert not Notification.objects.filter(kind="disbursed").exists()  # not disbursed yet

    transition(in_review, ApplicationStatus.DISBURSED)
    notifications.notify_disbursed(in_review.pk)
    notifications.notify_disbursed(in_review.pk)

    notification = Notification.objects.get(kind="disbursed")
    assert notification.subject == f"The money of your loan {in_review.reference} was disbursed"
    assert len(mail.outbox) == 1


def test_spanish_is_the_default(product, send):
    application = send(product)
    for status in (ApplicationStatus.RECOMMENDED, ApplicationStatus.APPROVED, ApplicationStatus.DISBURSED):
        transition(application, status)
    mail.outbox.clear()

    notifications.notify_disbursed(application.pk)

    assert mail.outbox[0].subject == f"El dinero de su crédito {application.reference} fue desembolsado"


# --- nothing lost, nothing twice -----------------------------------------------------------


def test_a_redelivered_task_sends_no_second_email(in_review):
    # The notification was emailed when the application was sent (the fixture); a broker that
    # delivers the task again, twice here, sends nothing more.
    notification = Notification.objects.filter(user=in_review.applicant).first()
    mail.outbox.clear()

    assert deliver_notification.delay(notification.pk).get() is False
    assert deliver_notification.delay(notification.pk).get() is False
    assert mail.outbox == []


def test_each_email_has_a_message_id_of_its_own_notification(in_review):
    transition(in_review, ApplicationStatus.INFO_REQUESTED, message_to_applicant="?")
    notifications.notify_info_requested(in_review.pk)
    notification = Notification.objects.get(kind="info_requested")
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{notification.pk}@localhost>"


def test_a_rolled_back_write_queues_no_notification(in_review, monkeypatch):
    queued = []
    monkeypatch.setattr("applicants.services.enqueue", lambda task, *args, **kwargs: queued.append(args))
    transition(in_review, ApplicationStatus.INFO_REQUESTED, message_to_applicant="?")

    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify_info_requested(in_review.pk)
        raise RuntimeError("rollback")

    assert queued == []
    assert not Notification.objects.filter(kind="info_requested").exists()
    assert mail.outbox == []


def test_a_notification_made_while_the_broker_was_down_is_emailed_by_the_sweeper(in_review, monkeypatch):
    monkeypatch.setattr("applicants.services.enqueue", lambda task, *args, **kwargs: False)
    transition(in_review, ApplicationStatus.INFO_REQUESTED, message_to_applicant="?")
    notifications.notify_info_requested(in_review.pk)
    notification = Notification.objects.get(kind="info_requested")
    assert (notification.emailed_at, mail.outbox) == (None, [])
    monkeypatch.undo()

    assert sweep_undelivered_notifications.delay(older_than_minutes=0).get() == 1
    assert sweep_undelivered_notifications.delay(older_than_minutes=0).get() == 0

    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert [m.subject for m in mail.outbox] == [notification.subject]


def test_a_failing_sms_provider_does_not_fail_the_email(in_review, settings):
    settings.SMS_BACKEND = "tests.notifications.test_events.BrokenSMS"
    transition(in_review, ApplicationStatus.INFO_REQUESTED, message_to_applicant="?")

    notifications.notify_info_requested(in_review.pk)

    assert Notification.objects.get(kind="info_requested").emailed_at is not None
    assert len(mail.outbox) == 1


class BrokenSMS:
    def send(self, to, text):
        raise ConnectionError("provider down")
