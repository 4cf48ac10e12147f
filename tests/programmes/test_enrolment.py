"""Enrolling in a cohort: a place, or the waiting list; never twice, never after the deadline."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from applicants.models import Notification
from loans.programmes import services
from loans.programmes.errors import ProgrammeError
from loans.programmes.models import Enrolment, EnrolmentStatus, Modality
from tests.factories import CompleteProfileFactory
from tests.programmes.conftest import make_programme

pytestmark = pytest.mark.django_db


def _people(n):
    return [CompleteProfileFactory().user for _ in range(n)]


def test_places_go_first_then_the_waiting_list_in_order(cohort, django_capture_on_commit_callbacks):
    first, second, third = _people(3)

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [services.enrolment_create(returnee=p, cohort=cohort).status for p in (first, second, third)]

    assert statuses == [EnrolmentStatus.ENROLLED, EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING]
    assert sorted(Notification.objects.values_list("user__email", "kind")) == sorted(
        [
            (first.email, "programme_enrolled"),
            (second.email, "programme_enrolled"),
            (third.email, "programme_waiting_list"),
        ]
    )
    assert len(mail.outbox) == 3


def test_enrolling_twice_is_refused_and_nothing_is_saved(owner, cohort):
    services.enrolment_create(returnee=owner, cohort=cohort)

    with pytest.raises(ProgrammeError, match="You are already enrolled in this cohort."):
        services.enrolment_create(returnee=owner, cohort=cohort)

    assert Enrolment.objects.filter(returnee=owner).count() == 1


def test_joining_the_waiting_list_twice_is_refused(cohort):
    *_full, late = _people(3)
    for person in _full:
        services.enrolment_create(returnee=person, cohort=cohort)
    services.enrolment_create(returnee=late, cohort=cohort)

    with pytest.raises(ProgrammeError, match="already on the waiting list"):
        services.enrolment_create(returnee=late, cohort=cohort)


def test_a_closed_cohort_refuses_with_a_clear_message(owner, cohort):
    cohort.enrolment_deadline = timezone.localdate() - timedelta(days=1)
    cohort.save()

    with pytest.raises(ProgrammeError, match="Enrolment in this cohort is closed"):
        services.enrolment_create(returnee=owner, cohort=cohort)

    assert not Enrolment.objects.exists()


def test_the_deadline_day_is_still_open(owner, cohort):
    cohort.enrolment_deadline = timezone.localdate()
    cohort.save()

    assert services.enrolment_create(returnee=owner, cohort=cohort).status == EnrolmentStatus.ENROLLED


def test_someone_still_abroad_may_enrol_in_a_virtual_cohort_only(owner, cohort, other_cohort):
    owner.profile.lives_abroad = True
    owner.profile.save()

    assert services.enrolment_create(returnee=owner, cohort=cohort).status == EnrolmentStatus.ENROLLED
    with pytest.raises(ProgrammeError, match="from there you can enrol in virtual programmes"):
        services.enrolment_create(returnee=owner, cohort=other_cohort)
    assert other_cohort.programme.modality == Modality.IN_PERSON
    assert not other_cohort.enrolments.exists()


def test_leaving_gives_the_place_to_the_first_on_the_waiting_list(cohort, django_capture_on_commit_callbacks):
    first, second, third, fourth = _people(4)
    enrolments = [services.enrolment_create(returnee=p, cohort=cohort) for p in (first, second, third, fourth)]

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(enrolment=enrolments[0], user=first)

    assert [Enrolment.objects.get(pk=e.pk).status for e in enrolments] == [
        EnrolmentStatus.WITHDRAWN,
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.WAITING,
    ]
    assert Notification.objects.get(user=third, key=f"enrolment-place:{enrolments[2].pk}").kind == "programme_enrolled"


def test_someone_else_cannot_withdraw_an_enrolment(owner, stranger, cohort):
    enrolment = services.enrolment_create(returnee=owner, cohort=cohort)

    with pytest.raises(ProgrammeError, match="This enrolment is not yours."):
        services.enrolment_withdraw(enrolment=enrolment, user=stranger)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_the_public_page_lists_programmes_with_filters_without_javascript(client, cohort, other_cohort):
    response = client.get("/programas/", {"modality": "virtual"})

    assert response.status_code == 200
    assert [p.name for p in response.context["programmes"]] == ["Emprende tu retorno"]
    assert "2 places left." in response.content.decode()
    assert "<script" not in response.content.decode().split("<main", 1)[1]

    other_cohort.programme.departments.add("05")
    by_department = client.get("/programas/", {"department": "76"})
    assert [p.name for p in by_department.context["programmes"]] == ["Emprende tu retorno"]  # nationwide only
    antioquia = client.get("/programas/", {"department": "05"})
    assert [p.name for p in antioquia.context["programmes"]] == ["Emprende tu retorno", "Negocios que vuelven"]


def test_the_home_page_links_to_the_programmes(client):
    assert 'href="/programas/"' in client.get("/").content.decode()


def test_the_enrol_button_gives_a_place_or_the_waiting_list_and_says_which(cohort, owner_client, owner):
    response = owner_client.post(f"/programas/cohortes/{cohort.public_id}/inscribirme/", follow=True)

    assert response.status_code == 200
    assert Enrolment.objects.get(returnee=owner).status == EnrolmentStatus.ENROLLED
    assert "You are enrolled." in response.content.decode()

    again = owner_client.post(f"/programas/cohortes/{cohort.public_id}/inscribirme/", follow=True)
    assert "You are already enrolled in this cohort." in again.content.decode()
    assert Enrolment.objects.filter(returnee=owner).count() == 1


def test_a_full_cohort_offers_the_waiting_list(owner_client, owner, sena):
    cohort = make_programme(sena, places=1, name="Pequeño")
    services.enrolment_create(returnee=CompleteProfileFactory().user, cohort=cohort)

    page = owner_client.get(f"/programas/{cohort.programme.public_id}/")
    assert "Join the waiting list" in page.content.decode()
    response = owner_client.post(f"/programas/cohortes/{cohort.public_id}/inscribirme/", follow=True)

    assert Enrolment.objects.get(returnee=owner).status == EnrolmentStatus.WAITING
    assert "The cohort is full: you are on its waiting list." in response.content.decode()
    assert cohort.enrolments.filter(status=EnrolmentStatus.ENROLLED).count() == 1
