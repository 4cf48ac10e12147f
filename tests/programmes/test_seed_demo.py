"""seed_demo brings two operators' programmes with cohorts, an operator, a mentor and a returnee
still abroad, prints their logins, and can run again without duplicating anything."""

import io

import pytest
from django.core.management import call_command

from applicants.models import ReturneeProfile, User
from loans.programmes.models import Cohort, Enrolment, Programme, ProgrammeOperator

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_programme_world_once(settings):
    settings.DEBUG = True  # seed_demo refuses to run without it
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())

    assert sorted(ProgrammeOperator.objects.values_list("name", flat=True)) == [
        "Cámara de Comercio de Medellín",
        "SENA – Fondo Emprender",
    ]
    assert Programme.objects.count() == 2 and Cohort.objects.count() == 3
    operator = User.objects.get(email="operador@demo.retorno.co")
    mentor = User.objects.get(email="mentora@demo.retorno.co")
    assert operator.has_perm("loans.operate_programme") and operator.programme_operators.exists()
    assert mentor.has_perm("loans.mentor_enrolment") and not mentor.is_staff
    ana = ReturneeProfile.objects.get(user__email="ana@demo.retorno.co")
    assert (ana.lives_abroad, ana.phone, ana.return_date) == (True, "+12125550123", None)
    assert Enrolment.objects.get().mentor == mentor
    printed = out.getvalue()
    assert "operador@demo.retorno.co" in printed and "mentora@demo.retorno.co" in printed
    assert "ana@demo.retorno.co" in printed
