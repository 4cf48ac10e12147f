"""Two people take the last place of a cohort at the same moment (PostgreSQL row locks).

Each thread has its own connection. The first to lock the cohort is slowed down while it holds
the lock, so the second really waits on it: it then counts the place as taken and goes to the
waiting list. Without the lock both would count one free place and the cohort would over-fill.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from loans.programmes import services
from loans.programmes.models import Cohort, Enrolment, EnrolmentStatus
from tests.factories import CompleteProfileFactory
from tests.programmes.conftest import make_programme

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]

HOLD_SECONDS = 0.3


def test_two_people_taking_the_last_place_get_one_place_and_one_waiting_list(monkeypatch):
    from loans.programmes.models import ProgrammeOperator

    cohort = make_programme(ProgrammeOperator.objects.create(name="SENA"), places=1)
    ana, luis = CompleteProfileFactory().user, CompleteProfileFactory().user
    original_create = Enrolment.objects.create
    first = threading.Event()

    def slow_create(**kwargs):
        # Whoever got the cohort lock first holds it a while before writing.
        if not first.is_set():
            first.set()
            time.sleep(HOLD_SECONDS)
        return original_create(**kwargs)

    monkeypatch.setattr(Enrolment.objects, "create", slow_create)
    results, errors = {}, []

    def enrol(person):
        try:
            results[person.email] = services.enrolment_create(returnee=person, cohort=cohort).status
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(p,)) for p in (ana, luis)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results.values()) == [EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING]
    assert Cohort.objects.get(pk=cohort.pk).enrolments.filter(status=EnrolmentStatus.ENROLLED).count() == 1
    assert Enrolment.objects.count() == 2
