"""Operators record attendance and completion for their own programmes only; mentors comment on
their mentees' plans and the returnee answers; both are told by email and in the inbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applicants.models import Notification
from loans.programmes import services
from loans.programmes.errors import ProgrammeError
from loans.programmes.models import Attendance, EnrolmentStatus, PlanComment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%certificado\n"


def test_the_operator_records_attendance_and_completion(operator_client, enrolment, operator):
    today = timezone.localdate().isoformat()

    attended = operator_client.post(
        f"/operador/inscripciones/{enrolment.public_id}/asistencia/", {"session_on": today, "present": "True"}
    )
    completed = operator_client.post(f"/operador/inscripciones/{enrolment.public_id}/completar/", follow=True)

    assert attended.status_code == 302
    assert list(Attendance.objects.values_list("enrolment", "present", "recorded_by")) == [
        (enrolment.pk, True, operator.pk)
    ]
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.completed_by) == (EnrolmentStatus.COMPLETED, operator)
    assert "Completion recorded." in completed.content.decode()
    assert Notification.objects.filter(user=enrolment.returnee, kind="programme_completed").count() == 1


def test_attendance_for_a_future_day_is_refused_and_nothing_saved(operator_client, enrolment):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = operator_client.post(
        f"/operador/inscripciones/{enrolment.public_id}/asistencia/", {"session_on": tomorrow, "present": "True"}
    )

    assert response.status_code == 400
    assert "Attendance is recorded for sessions that already took place." in response.content.decode()
    assert not Attendance.objects.exists()


def test_completion_for_another_operators_cohort_is_refused(other_operator, other_operator_client, enrolment):
    with pytest.raises(ProgrammeError, match="Only the staff of this programme's operator can do this."):
        services.enrolment_complete(enrolment=enrolment, operator=other_operator)

    response = other_operator_client.post(f"/operador/inscripciones/{enrolment.public_id}/completar/")

    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.completed_at) == (EnrolmentStatus.ENROLLED, None)


def test_an_operator_without_the_second_factor_is_sent_to_the_staff_login(operator, enrolment):
    from django.test import Client

    client = Client()
    client.force_login(operator)

    response = client.post(f"/operador/inscripciones/{enrolment.public_id}/completar/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_a_certificate_uploaded_by_the_returnee_counts_once_the_operator_verifies_it(
    owner_client, operator_client, enrolment
):
    upload = SimpleUploadedFile("certificado.pdf", PDF, content_type="application/pdf")
    owner_client.post(f"/mis-programas/{enrolment.public_id}/certificado/", {"certificate": upload})
    enrolment.refresh_from_db()
    assert (enrolment.certificate_name, enrolment.status) == ("certificado.pdf", EnrolmentStatus.ENROLLED)

    download = operator_client.get(f"/operador/inscripciones/{enrolment.public_id}/certificado/")
    assert b"".join(download.streaming_content) == PDF
    operator_client.post(f"/operador/inscripciones/{enrolment.public_id}/verificar-certificado/")

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment.certificate_verified_at is not None


def test_a_file_that_is_not_a_certificate_is_refused_with_a_message(owner_client, enrolment):
    upload = SimpleUploadedFile("certificado.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = owner_client.post(f"/mis-programas/{enrolment.public_id}/certificado/", {"certificate": upload})

    assert response.status_code == 400
    assert "Only PDF, JPEG or PNG files are accepted." in response.content.decode()
    enrolment.refresh_from_db()
    assert not enrolment.certificate


def test_the_mentor_comments_and_the_returnee_answers_each_told_by_email_and_inbox(
    mentor_client, owner_client, enrolment, mentor, owner, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        mentor_client.post(f"/mentoria/{enrolment.public_id}/", {"body": "Detalle los costos del horno."})
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/mis-programas/{enrolment.public_id}/comentar/", {"body": "Ya agregué la cotización."})

    assert list(PlanComment.objects.values_list("author", "by_mentor", "body")) == [
        (mentor.pk, True, "Detalle los costos del horno."),
        (owner.pk, False, "Ya agregué la cotización."),
    ]
    assert sorted(Notification.objects.filter(kind__startswith="plan_comment").values_list("user", "kind")) == sorted(
        [(owner.pk, "plan_comment"), (mentor.pk, "plan_comment_answer")]
    )
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, mentor.email])
    page = owner_client.get(f"/mis-programas/{enrolment.public_id}/").content.decode()
    assert "Detalle los costos del horno." in page and "Ya agregué la cotización." in page


def test_an_empty_comment_is_refused_and_nothing_saved(mentor_client, enrolment):
    response = mentor_client.post(f"/mentoria/{enrolment.public_id}/", {"body": "   "})

    assert response.status_code == 400
    assert "Write the comment." in response.content.decode()
    assert not PlanComment.objects.exists()


def test_a_mentor_assigned_is_told_and_so_is_the_returnee(enrolment, mentor):
    kinds = set(Notification.objects.values_list("user", "kind"))

    assert (mentor.pk, "mentee_assigned") in kinds
    assert (enrolment.returnee_id, "mentor_assigned") in kinds


def test_only_a_mentor_can_be_assigned(enrolment, operator, stranger):
    with pytest.raises(ProgrammeError, match="is not a mentor"):
        services.mentor_assign(enrolment=enrolment, mentor=stranger, operator=operator)
