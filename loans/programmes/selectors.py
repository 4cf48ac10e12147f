"""Reads for programmes: the public list, a person's enrolments, a mentor's mentees, an operator's cohorts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from loans import permissions
from loans.programmes.models import Cohort, Enrolment, EnrolmentStatus, Programme

_PLACE = Q(enrolments__status__in=EnrolmentStatus.holding_a_place())
_WAITING = Q(enrolments__status=EnrolmentStatus.WAITING)


def cohorts_with_counts(queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
    return queryset.annotate(
        taken=Count("enrolments", filter=_PLACE, distinct=True),
        waiting=Count("enrolments", filter=_WAITING, distinct=True),
    ).annotate(places_left=F("places") - F("taken"))


def published_programmes(
    *, department: str = "", modality: str = "", today: date | None = None
) -> QuerySet[Programme]:
    """Published programmes with their open cohorts; a department filter keeps nationwide ones too."""
    today = today or timezone.localdate()
    open_cohorts = cohorts_with_counts(Cohort.objects.filter(enrolment_deadline__gte=today)).order_by("starts_on")
    programmes = Programme.objects.filter(is_published=True).select_related("operator")
    if modality:
        programmes = programmes.filter(modality=modality)
    if department:
        programmes = programmes.filter(Q(departments__code=department) | Q(departments__isnull=True))
    return (
        programmes.distinct()
        .prefetch_related("departments", Prefetch("cohorts", queryset=open_cohorts, to_attr="open_cohorts"))
        .order_by("name")
    )


def programme_public(public_id) -> Programme:
    return get_object_or_404(Programme.objects.select_related("operator"), public_id=public_id, is_published=True)


def programme_cohorts(programme: Programme) -> list[Cohort]:
    return list(cohorts_with_counts(programme.cohorts.all()).order_by("starts_on"))


def cohort_public(public_id) -> Cohort:
    return get_object_or_404(
        Cohort.objects.select_related("programme"), public_id=public_id, programme__is_published=True
    )


def enrolments_for(user: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(returnee=user)
        .select_related("cohort__programme__operator", "mentor", "plan")
        .order_by("-created_at")
    )


def active_enrolments_by_cohort(user: User) -> dict[int, Enrolment]:
    if not user.is_authenticated:
        return {}
    return {e.cohort_id: e for e in Enrolment.objects.filter(returnee=user, status__in=EnrolmentStatus.active())}


def enrolment_for_owner(*, public_id, user: User) -> Enrolment:
    """The returnee's own enrolment; 404 for anyone else."""
    return get_object_or_404(
        Enrolment.objects.select_related("cohort__programme__operator", "mentor", "plan"),
        public_id=public_id,
        returnee=user,
    )


def mentee_enrolments(mentor: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(mentor=mentor, status__in=EnrolmentStatus.holding_a_place())
        .select_related("cohort__programme", "returnee__profile", "plan")
        .order_by("cohort__starts_on", "pk")
    )


def enrolment_for_mentor(*, public_id, user: User) -> Enrolment:
    """Only through an enrolment assigned to this mentor; 404 for anyone else, other mentors included."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("cohort__programme", "returnee__profile", "plan"), public_id=public_id
    )
    if not permissions.mentors_enrolment(user, enrolment):
        raise Http404
    return enrolment


def cohorts_for_operator(user: User) -> QuerySet[Cohort]:
    return cohorts_with_counts(
        Cohort.objects.filter(programme__operator__staff=user).select_related("programme__operator")
    ).order_by("-starts_on")


def cohort_for_operator(*, public_id, user: User) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("programme__operator"), public_id=public_id)
    if not permissions.operates_cohort(user, cohort):
        raise Http404
    return cohort


def enrolment_for_operator(*, public_id, user: User) -> Enrolment:
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("cohort__programme__operator", "returnee"), public_id=public_id
    )
    if not permissions.operates_cohort(user, enrolment.cohort):
        raise Http404
    return enrolment


def cohort_enrolments(cohort: Cohort) -> QuerySet[Enrolment]:
    return (
        cohort.enrolments.exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("returnee__profile", "mentor")
        .prefetch_related("attendances")
        .annotate(attended=Count("attendances", filter=Q(attendances__present=True)))
        .order_by("status", "created_at", "pk")
    )


def mentors() -> QuerySet[User]:
    return (
        User.objects.filter(permissions.holders(permissions.MENTOR_ENROLMENT), is_active=True)
        .distinct()
        .order_by("email")
    )


def plan_comments(enrolment: Enrolment):
    return enrolment.comments.select_related("author").order_by("created_at", "pk")


# --- what the loan rules ask ---------------------------------------------------------------


def enrolled_programme_ids(user_id: int) -> list[int]:
    """Programmes where the person holds a place (enrolled or completed); a waiting list is not one."""
    return sorted(
        set(
            Enrolment.objects.filter(returnee_id=user_id, status__in=EnrolmentStatus.holding_a_place()).values_list(
                "cohort__programme_id", flat=True
            )
        )
    )


def completed_programme_ids(user_id: int) -> list[int]:
    return sorted(
        set(
            Enrolment.objects.filter(returnee_id=user_id, status=EnrolmentStatus.COMPLETED).values_list(
                "cohort__programme_id", flat=True
            )
        )
    )


@dataclass(frozen=True)
class ProgrammeRequirement:
    accepted: list[Programme]
    enrolled: bool
    completed: bool

    @property
    def required(self) -> bool:
        return bool(self.accepted)


def requirement_for(*, product, user_id: int) -> ProgrammeRequirement:
    """Which programmes a product accepts, and whether the person is enrolled in / completed one."""
    accepted = list(product.accepted_programmes.all()) if product is not None else []
    ids = {p.pk for p in accepted}
    return ProgrammeRequirement(
        accepted=accepted,
        enrolled=bool(ids & set(enrolled_programme_ids(user_id))),
        completed=bool(ids & set(completed_programme_ids(user_id))),
    )


def enrolment_problem(*, product, user_id: int) -> str | None:
    """Why an application for this product cannot be sent yet for lack of a programme, or None."""
    requirement = requirement_for(product=product, user_id=user_id)
    if not requirement.required or requirement.enrolled:
        return None
    return _(
        "This loan requires enrolment in one of these entrepreneurship programmes: %(names)s. Enrol in a cohort "
        "(a place, not the waiting list) under “Entrepreneurship programmes”, then send the application."
    ) % {"names": ", ".join(p.name for p in requirement.accepted)}


def completion_problem(*, product, user_id: int) -> str | None:
    """Why the loan cannot be disbursed yet for lack of a completed programme, or None."""
    requirement = requirement_for(product=product, user_id=user_id)
    if not requirement.required or requirement.completed:
        return None
    return _(
        "The loan cannot be disbursed until the applicant completes one of the accepted entrepreneurship "
        "programmes (%(names)s): the operator records the completion, or verifies the certificate the "
        "applicant uploaded."
    ) % {"names": ", ".join(p.name for p in requirement.accepted)}
