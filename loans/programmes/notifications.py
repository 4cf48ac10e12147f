"""What returnees and mentors are told about programmes: an inbox message and an email, once each.

Composed in the recipient's language; ``applicants.notify`` records the message in the current
transaction and queues the email on commit, so a rolled-back action tells nobody anything.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from applicants.notify import notify
from loans.programmes.models import Enrolment, EnrolmentStatus, PlanComment


def _tell(user, *, key: str, kind: str, subject, body, link: str) -> None:
    with translation.override(user.preferred_language):
        notify(user=user, key=key, kind=kind, subject=str(subject()), body=str(body()), link=link)


def _returnee_link(enrolment: Enrolment) -> str:
    return reverse("loans:enrolment_detail", args=[enrolment.public_id])


def enrolment_created(enrolment: Enrolment) -> None:
    cohort = enrolment.cohort
    names = {"programme": cohort.programme.name, "cohort": cohort.name}
    if enrolment.status == EnrolmentStatus.WAITING:
        _tell(
            enrolment.returnee,
            key=f"enrolment-waiting:{enrolment.pk}",
            kind="programme_waiting_list",
            subject=lambda: _("You are on the waiting list of %(programme)s") % names,
            body=lambda: (
                _(
                    "The cohort %(cohort)s of %(programme)s is full. You are on its waiting list and we will tell "
                    "you as soon as a place opens."
                )
                % names
            ),
            link=_returnee_link(enrolment),
        )
    else:
        _tell(
            enrolment.returnee,
            key=f"enrolment-place:{enrolment.pk}",
            kind="programme_enrolled",
            subject=lambda: _("You are enrolled in %(programme)s") % names,
            body=lambda: (
                _("You have a place in the cohort %(cohort)s of %(programme)s. It starts on %(date)s.")
                % {**names, "date": cohort.starts_on.isoformat()}
            ),
            link=_returnee_link(enrolment),
        )


def place_offered(enrolment: Enrolment) -> None:
    names = {"programme": enrolment.cohort.programme.name, "cohort": enrolment.cohort.name}
    _tell(
        enrolment.returnee,
        key=f"enrolment-place:{enrolment.pk}",
        kind="programme_enrolled",
        subject=lambda: _("A place opened for you in %(programme)s") % names,
        body=lambda: (
            _("You moved from the waiting list to a place in the cohort %(cohort)s of %(programme)s.") % names
        ),
        link=_returnee_link(enrolment),
    )


def enrolment_completed(enrolment: Enrolment) -> None:
    names = {"programme": enrolment.cohort.programme.name}
    _tell(
        enrolment.returnee,
        key=f"enrolment-completed:{enrolment.pk}",
        kind="programme_completed",
        subject=lambda: _("You completed %(programme)s") % names,
        body=lambda: (
            _("The operator recorded that you completed %(programme)s. A loan that requires it can now be disbursed.")
            % names
        ),
        link=_returnee_link(enrolment),
    )


def mentor_assigned(enrolment: Enrolment) -> None:
    mentor = enrolment.mentor
    if mentor is None:
        return
    names = {"programme": enrolment.cohort.programme.name, "mentor": str(mentor), "returnee": str(enrolment.returnee)}
    _tell(
        enrolment.returnee,
        key=f"mentor-assigned:{enrolment.pk}:{mentor.pk}",
        kind="mentor_assigned",
        subject=lambda: _("Your mentor in %(programme)s") % names,
        body=lambda: (
            _(
                "%(mentor)s will follow your business plan. Choose the plan on your enrolment page so your mentor "
                "can read it and comment."
            )
            % names
        ),
        link=_returnee_link(enrolment),
    )
    _tell(
        mentor,
        key=f"mentee-assigned:{enrolment.pk}:{mentor.pk}",
        kind="mentee_assigned",
        subject=lambda: _("A new mentee in %(programme)s") % names,
        body=lambda: _("You are now the mentor of %(returnee)s.") % names,
        link=reverse("loans:mentor_enrolment", args=[enrolment.public_id]),
    )


def comment_added(comment: PlanComment) -> None:
    enrolment = comment.enrolment
    names = {"plan": comment.plan.name}
    if comment.by_mentor:
        _tell(
            enrolment.returnee,
            key=f"plan-comment:{comment.pk}",
            kind="plan_comment",
            subject=lambda: _("Your mentor commented on your plan “%(plan)s”") % names,
            body=lambda: _("Read the comment and answer it on your enrolment page."),
            link=_returnee_link(enrolment),
        )
    elif (mentor := enrolment.mentor) is not None:
        _tell(
            mentor,
            key=f"plan-comment:{comment.pk}",
            kind="plan_comment_answer",
            subject=lambda: _("Your mentee answered on the plan “%(plan)s”") % names,
            body=lambda: _("Read the answer on the mentee's page."),
            link=reverse("loans:mentor_enrolment", args=[enrolment.public_id]),
        )
