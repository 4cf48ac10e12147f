"""The public self-check (/requisitos/): the same rule functions, nothing stored."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

WRITES = ("insert", "update", "delete", "replace")


def answers(**overrides):
    today = timezone.localdate()
    values = {
        "birth_date": "1990-05-20",
        "is_colombian_national": "True",
        "document_type": "CC",
        "departure_date": "2015-01-10",
        "return_date": today.replace(day=1).isoformat(),
        "forced_return": "False",
        "return_type": "productivo",
        "rur_number": "RUR-1",
    }
    return {**values, **overrides}


def get(client, **overrides):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("loans:self_check"), answers(**overrides))
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().lower().startswith(WRITES)]
    return response, writes


def test_someone_who_qualifies_is_told_so_and_nothing_is_written(client):
    client.cookies["django_language"] = "en"
    response, writes = get(client)

    assert response.status_code == 200
    assert response.context["outcome"] == "eligible"
    assert "You seem to meet the basic requirements." in response.content.decode()
    assert writes == []
    assert response.cookies.get("sessionid") is None


def test_a_minor_is_told_why_and_what_to_do_in_spanish(client):
    today = timezone.localdate()
    almost_18 = date(today.year - 18, today.month, today.day) + timezone.timedelta(days=1)
    response, writes = get(client, birth_date=almost_18.isoformat())

    page = response.content.decode()
    assert response.context["outcome"] == "ineligible"
    assert "Debe tener 18 años o más." in page
    assert writes == []


def test_a_short_stay_after_deportation_is_for_review(client):
    client.cookies["django_language"] = "en"
    back = timezone.localdate().replace(day=1)
    response, writes = get(
        client, departure_date=(back - timezone.timedelta(days=400)).isoformat(), forced_return="True", rur_number=""
    )

    assert response.context["outcome"] == "review"
    verdicts = {v["rule"]: v["reason"] for v in response.context["verdicts"]}
    assert verdicts["years_abroad"] == "short_stay_exception"
    assert verdicts["rur"] == "rur_missing"
    assert "You may qualify; an officer would review some points." in response.content.decode()
    assert writes == []


def test_a_late_return_fails_the_same_rule_as_an_application(client):
    back = timezone.localdate() - timezone.timedelta(days=800)
    response, _writes = get(client, departure_date="2010-01-01", return_date=back.isoformat())
    assert {v["rule"]: v["reason"] for v in response.context["verdicts"]}["applied_in_time"] == "too_late"


def test_bad_answers_show_errors_and_no_verdict(client):
    response, writes = get(client, return_date="2001-01-01", departure_date="2010-01-01")
    assert response.status_code == 200
    assert response.context["outcome"] is None
    assert "return_date" in response.context["form"].errors
    assert writes == []


def test_the_empty_page_asks_the_questions(client):
    response = client.get(reverse("loans:self_check"))
    assert response.status_code == 200
    assert response.context["outcome"] is None
