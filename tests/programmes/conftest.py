from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone, translation

from loans.programmes import services
from loans.programmes.models import Cohort, Modality, Programme, ProgrammeOperator
from tests.conftest import otp_verified_client
from tests.factories import StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and messages are asserted in English here; the Spanish catalog is checked by test_translations."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def make_programme(operator, *, modality=Modality.VIRTUAL, places=2, name="Emprende tu retorno") -> Cohort:
    today = timezone.localdate()
    programme = Programme.objects.create(
        operator=operator,
        name=name,
        description_es="Ocho sesiones en línea.",
        description_en="Eight online sessions.",
        modality=modality,
    )
    return Cohort.objects.create(
        programme=programme,
        name="2026-II",
        enrolment_deadline=today + timedelta(days=10),
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=60),
        places=places,
    )


def operator_staff(organisation: ProgrammeOperator):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Programme operator"))
    organisation.staff.add(user)
    return user


@pytest.fixture
def sena(db):
    return ProgrammeOperator.objects.create(name="SENA")


@pytest.fixture
def chamber(db):
    return ProgrammeOperator.objects.create(name="Cámara de Comercio de Medellín")


@pytest.fixture
def cohort(sena):
    return make_programme(sena)


@pytest.fixture
def other_cohort(chamber):
    return make_programme(chamber, modality=Modality.IN_PERSON, name="Negocios que vuelven")


@pytest.fixture
def operator(sena):
    return operator_staff(sena)


@pytest.fixture
def other_operator(chamber):
    return operator_staff(chamber)


@pytest.fixture
def operator_client(operator):
    return otp_verified_client(operator)


@pytest.fixture
def other_operator_client(other_operator):
    return otp_verified_client(other_operator)


def make_mentor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Mentor"))
    return user


@pytest.fixture
def mentor(db):
    return make_mentor()


@pytest.fixture
def other_mentor(db):
    return make_mentor()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def mentor_client(mentor):
    return logged_in(mentor)


@pytest.fixture
def other_mentor_client(other_mentor):
    return logged_in(other_mentor)


@pytest.fixture
def enrolment(owner, cohort, operator, mentor):
    """The owner has a place, a mentor and a plan the mentor follows."""
    from tests.factories import PlanFactory

    enrolment = services.enrolment_create(returnee=owner, cohort=cohort)
    services.mentor_assign(enrolment=enrolment, mentor=mentor, operator=operator)
    services.enrolment_set_plan(enrolment=enrolment, user=owner, plan=PlanFactory(owner=owner))
    enrolment.refresh_from_db()
    return enrolment
