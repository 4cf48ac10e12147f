"""Programme figures: the analysts' funnel and the suppressed open completion counts."""

import pytest
from django.core.cache import cache

from loans.programmes import services
from loans.programmes.models import Enrolment, EnrolmentStatus
from loans.reports.programmes import programme_funnel, suppress_completions
from tests.factories import CompleteProfileFactory
from tests.programmes.conftest import make_programme

pytestmark = pytest.mark.django_db


def test_the_funnel_counts_people_by_operator_and_programme(sena, chamber, operator):
    cohort = make_programme(sena, places=10)
    people = [CompleteProfileFactory().user for _ in range(4)]
    enrolments = [services.enrolment_create(returnee=p, cohort=cohort) for p in people]
    for enrolment in enrolments[:2]:
        services.enrolment_complete(enrolment=enrolment, operator=operator)
    make_programme(chamber, name="Vacío")  # nobody in it: no row

    rows = programme_funnel()

    assert [(r.operator, r.programme, r.funnel()) for r in rows] == [
        ("SENA", "Emprende tu retorno", [("enrolled", 4), ("completed", 2), ("applied", 0), ("disbursed", 0)])
    ]


def test_waiting_lists_and_withdrawals_are_not_enrolled(sena):
    cohort = make_programme(sena, places=1)
    first, second = CompleteProfileFactory().user, CompleteProfileFactory().user
    services.enrolment_create(returnee=first, cohort=cohort)
    services.enrolment_create(returnee=second, cohort=cohort)
    Enrolment.objects.filter(returnee=first).update(status=EnrolmentStatus.WITHDRAWN)

    assert [r.enrolled for r in programme_funnel()] == []  # the waiting one was never promoted here


def test_open_counts_hide_small_cells_and_small_differences():
    rows = [
        {"operator": "A", "programme": "Uno", "enrolled": 40, "completed": 3},
        {"operator": "B", "programme": "Dos", "enrolled": 12, "completed": 9},
        {"operator": "C", "programme": "Tres", "enrolled": 30, "completed": 20},
    ]

    published = suppress_completions(rows)

    assert [(r["enrolled"], r["completed"]) for r in published] == [
        (40, "<5"),  # fewer than five people
        (12, "*"),  # 12 - 9 = 3 people who did not complete: a small difference
        (30, 20),
    ]


def test_the_open_statistics_page_shows_the_programme_table(client, sena, operator):
    cache.clear()
    cohort = make_programme(sena, places=10)
    for _ in range(6):
        services.enrolment_create(returnee=CompleteProfileFactory().user, cohort=cohort)

    response = client.get("/estadisticas/")

    assert response.context["programme_rows"] == [
        {"operator": "SENA", "programme": "Emprende tu retorno", "enrolled": 6, "completed": "<5"}
    ]


def test_the_funnel_page_is_for_analysts_with_the_second_factor(owner_client, sena, operator):
    from django.contrib.auth.models import Group

    from tests.conftest import otp_verified_client
    from tests.factories import StaffFactory

    analyst = StaffFactory()
    analyst.groups.add(Group.objects.get(name="Analyst"))
    cohort = make_programme(sena, places=10)
    services.enrolment_create(returnee=CompleteProfileFactory().user, cohort=cohort)

    response = otp_verified_client(analyst).get("/informes/programas/")

    assert response.status_code == 200
    assert [(r.programme, r.enrolled) for r in response.context["rows"]] == [("Emprende tu retorno", 1)]
    assert owner_client.get("/informes/programas/").status_code == 404
