"""Every enrolment status changes through workflow.enrolment_transition and its MOVES table."""

import pytest
from django.utils import timezone, translation

from applicants.models import Notification
from loans.programmes.errors import ProgrammeError
from loans.programmes.models import Enrolment, EnrolmentStatus
from loans.programmes.workflow import ALLOWED, MOVES, enrolment_transition
from tests.factories import CompleteProfileFactory

pytestmark = pytest.mark.django_db

ALLOWED_MOVES = [(name, source) for name, move in MOVES.items() for source in sorted(move.sources)]


def _enrolment(cohort, status):
    return Enrolment.objects.create(cohort=cohort, returnee=CompleteProfileFactory().user, status=status)


def test_the_table_has_the_moves_of_the_programme():
    assert {name: (move.to, set(move.sources)) for name, move in MOVES.items()} == {
        "withdraw": (EnrolmentStatus.WITHDRAWN, {EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING}),
        "offer_place": (EnrolmentStatus.ENROLLED, {EnrolmentStatus.WAITING}),
        "complete": (EnrolmentStatus.COMPLETED, {EnrolmentStatus.ENROLLED}),
    }
    # Completed and withdrawn are final.
    assert ALLOWED[EnrolmentStatus.COMPLETED] == frozenset()
    assert ALLOWED[EnrolmentStatus.WITHDRAWN] == frozenset()


@pytest.mark.parametrize(("name", "source"), ALLOWED_MOVES)
def test_every_allowed_move_succeeds(cohort, operator, name, source):
    enrolment = _enrolment(cohort, source)
    told = []
    changes = {"completed_at": timezone.now(), "completed_by": operator} if name == "complete" else None

    moved = enrolment_transition(enrolment, name, changes=changes, notify=told.append)

    assert moved.status == MOVES[name].to
    assert enrolment.status == MOVES[name].to  # the caller's instance is refreshed
    assert Enrolment.objects.get(pk=enrolment.pk).status == MOVES[name].to
    assert [e.pk for e in told] == [enrolment.pk]
    if changes:
        assert Enrolment.objects.get(pk=enrolment.pk).completed_by == operator


def test_a_move_not_in_the_table_is_refused_and_changes_nothing(cohort):
    enrolment = _enrolment(cohort, EnrolmentStatus.COMPLETED)
    before = Enrolment.objects.filter(pk=enrolment.pk).values().get()
    told = []

    with translation.override("es"), pytest.raises(ProgrammeError) as refused:
        enrolment_transition(enrolment, "offer_place", notify=told.append)

    assert str(refused.value) == "Una inscripción en estado “Completada” no puede pasar a “Inscrito”."
    assert Enrolment.objects.filter(pk=enrolment.pk).values().get() == before
    assert told == []
    assert not Notification.objects.exists()


def test_a_refused_move_says_the_moves_own_message(cohort):
    enrolment = _enrolment(cohort, EnrolmentStatus.WITHDRAWN)
    before = Enrolment.objects.filter(pk=enrolment.pk).values().get()

    with pytest.raises(ProgrammeError) as refused:
        enrolment_transition(enrolment, "complete")

    assert str(refused.value) == "Only an enrolment with a place (not on the waiting list) can do this."
    assert Enrolment.objects.filter(pk=enrolment.pk).values().get() == before
