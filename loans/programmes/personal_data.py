"""What the programmes package holds about a person, for the personal-data registry: their
enrolments (cohort, status, attendance, certificate) and the comments exchanged with their
mentor on their business plans."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.utils.translation import gettext_lazy as _

from applicants.personal_data import DataProvider
from loans.programmes.models import Attendance, Enrolment, EnrolmentStatus, PlanComment
from loans.programmes.services import enrolment_withdraw


def export(user) -> dict[str, Any]:
    enrolments = Enrolment.objects.filter(returnee=user).select_related("cohort__programme__operator")
    comments = PlanComment.objects.filter(enrolment__returnee=user).select_related("plan")
    attendances = Attendance.objects.filter(enrolment__returnee=user).select_related("enrolment__cohort")
    return {
        "enrolments": [
            {
                "programme": e.cohort.programme.name,
                "operator": e.cohort.programme.operator.name,
                "cohort": e.cohort.name,
                "status": str(e.get_status_display()),
                "enrolled_on": e.created_at.isoformat(),
                "completed_at": e.completed_at.isoformat() if e.completed_at else "",
                "certificate": e.certificate_name,
            }
            for e in enrolments
        ],
        "attendance": [
            {"cohort": a.enrolment.cohort.name, "session": a.session_on.isoformat(), "present": a.present}
            for a in attendances
        ],
        "mentor_comments": [
            {
                "plan": c.plan.name,
                "when": c.created_at.isoformat(),
                "from_mentor": c.by_mentor,
                "body": c.body,
            }
            for c in comments
        ],
    }


def erase(user) -> dict[str, int]:
    comments = PlanComment.objects.filter(enrolment__returnee=user).delete()[0]
    certificates = 0
    for enrolment in Enrolment.objects.filter(returnee=user).exclude(certificate=""):
        with suppress(OSError):
            enrolment.certificate.delete(save=False)
        certificates += 1
    # The enrolment rows stay (the cohort's places and the programme's completion counts), tied
    # to an account that no longer names anybody; what could identify the person is blanked.
    Enrolment.objects.filter(returnee=user).update(certificate="", certificate_name="", plan=None)
    return {"plan_comments": comments, "certificates": certificates}


def stop_processing(user, by) -> None:
    """Leave every cohort place or waiting-list spot, so the place goes to the next person."""
    for enrolment in Enrolment.objects.filter(
        returnee=user, status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING]
    ):
        enrolment_withdraw(enrolment=enrolment, user=user)


PROVIDER = DataProvider(
    name="loans.programmes",
    label=_("Entrepreneurship programmes and mentoring"),
    export=export,
    erase=erase,
    stop_processing=stop_processing,
    order=90,
)
