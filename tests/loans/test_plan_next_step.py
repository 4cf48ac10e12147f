"""After saving a complete plan the page says where to go next; amounts read as people write them."""

import re

import pytest
from django.urls import reverse

from loans.applications import services
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def _next_step(html: str) -> str:
    return re.search(r'<div class="card card-body mb-3" id="plan-next-step">(.*?)</div>', html, re.S).group(1)


def test_without_an_application_the_next_step_starts_one(owner, owner_client):
    plan = PlanFactory(owner=owner)

    step = _next_step(owner_client.get(reverse("loans:plan_edit", args=[plan.public_id])).content.decode())

    assert f'<form method="post" action="{reverse("loans:application_new")}">' in step
    assert "Empezar una solicitud de crédito" in step


def test_with_a_draft_on_another_plan_the_next_step_chooses_this_one(owner, owner_client):
    plan = PlanFactory(owner=owner)
    draft = services.application_create(applicant=owner)

    step = _next_step(owner_client.get(reverse("loans:plan_edit", args=[plan.public_id])).content.decode())

    assert f'href="{reverse("loans:application_plan", args=[draft.public_id])}"' in step
    assert "Usar este plan en su solicitud" in step


def test_with_a_draft_on_this_plan_the_next_step_goes_back_to_it(owner, owner_client):
    plan = PlanFactory(owner=owner)
    draft = services.application_create(applicant=owner)
    services.application_set_plan(application=draft, plan=plan)

    step = _next_step(owner_client.get(reverse("loans:plan_edit", args=[plan.public_id])).content.decode())

    assert f'href="{reverse("loans:application_detail", args=[draft.public_id])}"' in step
    assert "Seguir con su solicitud" in step


def test_an_incomplete_plan_shows_what_is_missing_instead(owner, owner_client):
    plan = PlanFactory(owner=owner, description="")

    html = owner_client.get(reverse("loans:plan_edit", args=[plan.public_id])).content.decode()

    assert 'id="plan-next-step"' not in html
    assert "Para completar antes de enviar:" in html


def test_saved_amounts_show_with_dots_and_typed_ones_come_back_as_typed(owner, owner_client):
    plan = PlanFactory(owner=owner)
    url = reverse("loans:plan_edit", args=[plan.public_id])

    html = owner_client.get(url).content.decode()

    assert 'name="own_contribution" value="5.000.000"' in html
    assert 'name="items-0-amount" value="20.000.000"' in html

    refused = owner_client.post(
        url,
        {
            "name": plan.name,
            "own_contribution": "5000000",
            "monthly_sales": "nueve millones",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    ).content.decode()

    assert 'name="own_contribution" value="5000000"' in refused
    assert 'name="monthly_sales" value="nueve millones"' in refused
