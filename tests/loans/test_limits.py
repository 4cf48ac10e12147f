"""Limits a person meets: free text has a shown maximum length, at most 10 plans each, and
pages with a whole document number are never stored by a browser or a proxy."""

import pytest
from django.urls import reverse

from loans.applications import services
from loans.models import BusinessPlan
from tests.factories import PlanFactory
from tests.loans.test_bad_input import _plan_post, _plan_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(owner_client):
    owner_client.cookies["django_language"] = "en"
    return owner_client


@pytest.fixture
def plan(owner):
    return PlanFactory(owner=owner)


def test_a_megabyte_of_business_plan_text_is_refused_and_nothing_is_lost(english, plan):
    before = _plan_state(plan)
    data = {**_plan_post(plan, {}), "customers": "x" * 1_000_000}

    response = english.post(reverse("loans:plan_edit", args=[plan.public_id]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["customers"] == [
        "Ensure this value has at most 1000 characters (it has 1000000)."
    ]
    assert _plan_state(plan) == before


def test_every_text_area_of_the_plan_shows_its_limit(english, plan):
    page = english.get(reverse("loans:plan_edit", args=[plan.public_id])).content.decode()
    for field, limit in [("description", 2000), ("customers", 1000), ("competition", 1000), ("experience", 2000)]:
        assert f'name="{field}"' in page
        assert f'maxlength="{limit}"' in page
        assert f"Up to {limit} characters." in page


def test_the_service_refuses_an_over_long_text_too(plan):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.plan_update(plan=plan, data={"experience": "y" * 2001})
    assert error.value.message_dict == {"experience": ["Up to 2000 characters."]}


def test_the_eleventh_plan_is_refused_with_a_clear_message(english, owner):
    for n in range(10):
        PlanFactory(owner=owner, name=f"Plan {n}")

    response = english.post(reverse("loans:plans"), {"name": "Uno más"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You already have 10 business plans, the most one person can keep. Edit one of them instead."
    ]
    assert BusinessPlan.objects.filter(owner=owner).count() == 10


def test_the_tenth_plan_is_accepted(english, owner):
    for n in range(9):
        PlanFactory(owner=owner, name=f"Plan {n}")
    response = english.post(reverse("loans:plans"), {"name": "El décimo"})
    assert response.status_code == 302
    assert BusinessPlan.objects.filter(owner=owner).count() == 10


def test_pages_with_the_whole_document_number_are_not_stored(owner, owner_client, ready_draft):
    profile = owner.profile
    urls = [
        reverse("applicants:profile_summary", args=[profile.public_id]),
        reverse("applicants:profile_step", args=[profile.public_id, "identity"]),
        reverse("loans:application_review", args=[ready_draft.public_id]),
    ]
    for url in urls:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert profile.document_number in response.content.decode(), url
        assert "no-store" in response["Cache-Control"], url
