"""A move and what the applicant is told of it stand or fall together: the notification row
is written inside the transition's transaction and mailed only after commit."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import transaction

from applicants.models import Notification
from loans.applications import services
from loans.review import services as review
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def officer(db):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Program officer"))
    return user


@pytest.fixture
def in_review(ready_draft, owner):
    services.application_submit(application=ready_draft, user=owner)
    ready_draft.refresh_from_db()
    assert ready_draft.status == "in_review"
    return ready_draft


class Boom(Exception):
    pass


def test_the_row_exists_before_commit_and_the_mail_goes_after(in_review, officer):
    mail.outbox = []
    with transaction.atomic():
        review.application_request_info(application=in_review, officer=officer, message="¿Tiene el RUT?")
        row = Notification.objects.get(user=in_review.applicant, kind="info_requested")
        assert row.emailed_at is None
        assert mail.outbox == []
    row.refresh_from_db()
    assert row.emailed_at is not None
    assert [m.subject for m in mail.outbox] == [row.subject]


def test_a_rolled_back_move_leaves_no_message(in_review, officer):
    mail.outbox = []
    with pytest.raises(Boom), transaction.atomic():
        review.application_request_info(application=in_review, officer=officer, message="¿Tiene el RUT?")
        raise Boom
    assert not Notification.objects.filter(kind="info_requested").exists()
    assert mail.outbox == []
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
