import pytest
from django.contrib.auth.models import Group

from loans.applications import services
from tests.factories import StaffFactory


def _staff_in(group_name: str):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def program_officer(db):
    return _staff_in("Program officer")


@pytest.fixture
def approver(db):
    return _staff_in("Approver")


@pytest.fixture
def second_approver(db):
    return _staff_in("Approver")


@pytest.fixture
def analyst(db):
    return _staff_in("Analyst")


@pytest.fixture
def in_review(ready_draft, owner, django_capture_on_commit_callbacks):
    """A submitted application the (eager) eligibility check moved to in_review."""
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=ready_draft, user=owner)
    ready_draft.refresh_from_db()
    assert ready_draft.status == "in_review"
    return ready_draft


@pytest.fixture(autouse=True)
def _english():
    """Officer-facing messages are asserted in English here (the Spanish catalog is tested apart)."""
    from django.utils import translation

    with translation.override("en"):
        yield
