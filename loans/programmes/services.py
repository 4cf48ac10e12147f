"""Writes for programmes: enrolment and its waiting list, attendance, completion, mentors, comments.

Each function is one transaction; a status changes only through
``workflow.enrolment_transition``. The cohort row is locked while places are counted, so two
people taking the last place at once get one place and one waiting-list entry, never an
over-filled cohort (tests/programmes/test_concurrency.py, on PostgreSQL).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from applicants.models import ReturneeProfile, User
from loans import permissions
from loans.programmes import errors, notifications
from loans.programmes.errors import ProgrammeError
from loans.programmes.models import Attendance, Cohort, Enrolment, EnrolmentStatus, Modality, PlanComment
from loans.programmes.workflow import enrolment_transition

MAX_COMMENT_CHARS = 4000


def enrolment_create(*, returnee: User, cohort: Cohort, today: date | None = None) -> Enrolment:
    """A place in the cohort if one is left, else a place on its waiting list."""
    today = today or timezone.localdate()
    profile = ReturneeProfile.objects.filter(user=returnee).first()
    with transaction.atomic():
        # Lock the cohort: counting its places and taking one must see the same rows.
        locked = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
        if not locked.is_open_on(today) or not locked.programme.is_published:
            raise ProgrammeError(errors.COHORT_CLOSED)
        if profile is not None and profile.lives_abroad and locked.programme.modality != Modality.VIRTUAL:
            raise ProgrammeError(errors.ABROAD_IN_PERSON)
        existing = locked.enrolments.filter(returnee=returnee, status__in=EnrolmentStatus.active()).first()
        if existing is not None:
            raise ProgrammeError(
                errors.ALREADY_WAITING if existing.status == EnrolmentStatus.WAITING else errors.ALREADY_ENROLLED
            )
        taken = locked.enrolments.filter(status__in=EnrolmentStatus.holding_a_place()).count()
        status = EnrolmentStatus.ENROLLED if taken < locked.places else EnrolmentStatus.WAITING
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(cohort=locked, returnee=returnee, status=status)
        except IntegrityError:
            raise ProgrammeError(errors.ALREADY_ENROLLED) from None
        notifications.enrolment_created(enrolment)
    return enrolment


def enrolment_withdraw(*, enrolment: Enrolment, user: User) -> Enrolment:
    """The returnee leaves; a freed place goes to the first person on the waiting list."""
    if enrolment.returnee_id != user.pk:
        raise ProgrammeError(errors.NOT_YOURS)
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
        locked = Enrolment.objects.select_related("cohort__programme").get(pk=enrolment.pk)
        freed = locked.status == EnrolmentStatus.ENROLLED
        enrolment_transition(locked, "withdraw")
        if freed:
            _offer_freed_place(locked.cohort)
    enrolment.refresh_from_db()
    return enrolment


def _offer_freed_place(cohort: Cohort) -> None:
    taken = cohort.enrolments.filter(status__in=EnrolmentStatus.holding_a_place()).count()
    if taken >= cohort.places:
        return
    first = cohort.enrolments.filter(status=EnrolmentStatus.WAITING).order_by("created_at", "pk").first()
    if first is not None:
        enrolment_transition(first, "offer_place", notify=notifications.place_offered)


def _operated(enrolment: Enrolment, operator: User) -> Enrolment:
    """Lock the enrolment and check the operator acts for this programme's operator."""
    locked = Enrolment.objects.select_for_update().select_related("cohort__programme__operator").get(pk=enrolment.pk)
    if not permissions.operates_cohort(operator, locked.cohort):
        raise ProgrammeError(errors.NOT_OPERATOR)
    return locked


def attendance_record(*, enrolment: Enrolment, operator: User, session_on: date, present: bool) -> Attendance:
    with transaction.atomic():
        locked = _operated(enrolment, operator)
        if locked.status not in EnrolmentStatus.holding_a_place():
            raise ProgrammeError(errors.NOT_ENROLLED)
        attendance, _created = Attendance.objects.update_or_create(
            enrolment=locked,
            session_on=session_on,
            defaults={"present": present, "recorded_by": operator, "recorded_at": timezone.now()},
        )
    return attendance


def _complete(locked: Enrolment, operator: User) -> None:
    if locked.status == EnrolmentStatus.COMPLETED:
        return  # recorded already: a second click, or a certificate verified after the completion
    enrolment_transition(
        locked,
        "complete",
        changes={"completed_at": timezone.now(), "completed_by": operator},
        notify=notifications.enrolment_completed,
    )


def enrolment_complete(*, enrolment: Enrolment, operator: User) -> Enrolment:
    """The operator records that the returnee completed the programme (safe to repeat)."""
    with transaction.atomic():
        locked = _operated(enrolment, operator)
        _complete(locked, operator)
    enrolment.refresh_from_db()
    return enrolment


def certificate_upload(*, enrolment: Enrolment, user: User, name: str, content) -> Enrolment:
    """The returnee uploads the operator's certificate; it counts once the operator verifies it."""
    if enrolment.returnee_id != user.pk:
        raise ProgrammeError(errors.NOT_YOURS)
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if locked.status not in EnrolmentStatus.holding_a_place():
            raise ProgrammeError(errors.NOT_ENROLLED)
        if locked.certificate:
            locked.certificate.delete(save=False)
        locked.certificate.save("certificate", content, save=False)
        locked.certificate_name = name
        locked.certificate_uploaded_at = timezone.now()
        locked.certificate_verified_at = None
        locked.certificate_verified_by = None
        locked.save()
    enrolment.refresh_from_db()
    return enrolment


def certificate_verify(*, enrolment: Enrolment, operator: User) -> Enrolment:
    """The operator confirms the uploaded certificate is theirs: the enrolment is completed."""
    with transaction.atomic():
        locked = _operated(enrolment, operator)
        if not locked.certificate:
            raise ProgrammeError(errors.NO_CERTIFICATE)
        locked.certificate_verified_at = timezone.now()
        locked.certificate_verified_by = operator
        locked.save(update_fields=["certificate_verified_at", "certificate_verified_by", "updated_at"])
        _complete(locked, operator)
    enrolment.refresh_from_db()
    return enrolment


def mentor_assign(*, enrolment: Enrolment, mentor: User, operator: User) -> Enrolment:
    if not permissions.is_mentor(mentor):
        raise ProgrammeError(errors.NOT_A_MENTOR % {"user": mentor})
    with transaction.atomic():
        locked = _operated(enrolment, operator)
        if locked.status not in EnrolmentStatus.holding_a_place():
            raise ProgrammeError(errors.NOT_ENROLLED)
        if locked.mentor_id != mentor.pk:
            locked.mentor = mentor
            locked.save(update_fields=["mentor", "updated_at"])
            notifications.mentor_assigned(locked)
    enrolment.refresh_from_db()
    return enrolment


def enrolment_set_plan(*, enrolment: Enrolment, user: User, plan) -> Enrolment:
    """The returnee chooses which of their business plans the mentor follows."""
    if enrolment.returnee_id != user.pk or plan.owner_id != user.pk:
        raise ProgrammeError(errors.NOT_YOURS)
    Enrolment.objects.filter(pk=enrolment.pk).update(plan=plan, updated_at=timezone.now())
    enrolment.refresh_from_db()
    return enrolment


def plan_comment_add(*, enrolment: Enrolment, author: User, body: str) -> PlanComment:
    """A mentor comments on the mentee's plan, or the returnee answers; the other one is told."""
    body = (body or "").strip()[:MAX_COMMENT_CHARS]
    if not body:
        raise ProgrammeError(errors.EMPTY_COMMENT)
    if permissions.mentors_enrolment(author, enrolment):
        by_mentor = True
    elif enrolment.returnee_id == author.pk:
        by_mentor = False
    else:
        raise ProgrammeError(errors.NOT_MENTOR_OF)
    if enrolment.plan_id is None:
        raise ProgrammeError(errors.NO_PLAN)
    with transaction.atomic():
        comment = PlanComment.objects.create(
            enrolment=enrolment, plan_id=enrolment.plan_id, author=author, by_mentor=by_mentor, body=body
        )
        notifications.comment_added(comment)
    return comment
