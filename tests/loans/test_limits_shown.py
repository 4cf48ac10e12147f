"""The loan form and the simulator say each limit before the first try, from the chosen product:
in the hints (server-written, so true without JavaScript), in the inputs' min/max, and on each
product's option for the script that follows a change of product."""

import re
from html import unescape

import pytest
from django.urls import reverse

from loans.applications import services
from loans.models import InvestmentItem
from tests.factories import PlanFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _hint(html: str, name: str) -> str:
    return unescape(re.search(rf'<div id="id_{name}_helptext" class="form-text">(.*?)</div>', html, re.S).group(1))


def _input(html: str, name: str) -> str:
    return re.search(rf'<input type="number" name="{name}"[^>]*>', html).group(0)


@pytest.fixture
def product(db):
    return ProductFactory(
        name="Crédito Semilla",
        min_amount_cop=1_000_000,
        max_amount_cop=100_000_000,
        max_financing_pct=80,
        min_term_months=12,
        max_term_months=36,
        max_grace_months=6,
    )


@pytest.fixture
def draft(owner, product):
    plan = PlanFactory(owner=owner, items=False)
    InvestmentItem.objects.create(plan=plan, category="machinery", description="Horno", amount=15_000_000)
    application = services.application_create(applicant=owner)
    services.application_set_plan(application=application, plan=plan)
    return application


def test_the_loan_form_says_the_limits_of_the_only_open_product_and_this_plan(owner_client, draft):
    html = owner_client.get(reverse("loans:application_loan", args=[draft.public_id])).content.decode()

    # 80 % of a $15.000.000 plan caps the amount below the product's own maximum.
    assert _hint(html, "amount") == (
        "De $1.000.000 a $12.000.000 (como máximo el 80% de la inversión de su plan), en pesos; por ejemplo 9.000.000."
    )
    assert _hint(html, "term_months") == "De 12 a 36 meses, con la gracia incluida."
    assert _hint(html, "grace_months") == "Hasta 6 meses al comienzo en los que no paga capital."
    assert 'min="12"' in _input(html, "term_months") and 'max="36"' in _input(html, "term_months")
    assert 'min="0"' in _input(html, "grace_months") and 'max="6"' in _input(html, "grace_months")


def test_each_product_option_carries_its_limits_for_the_script(owner_client, draft, product):
    other = ProductFactory(name="Crédito Raíces", min_term_months=6, max_term_months=24, max_grace_months=0)

    html = owner_client.get(reverse("loans:application_loan", args=[draft.public_id])).content.decode()

    option = re.search(rf'<option value="{other.pk}"[^>]*>', html).group(0)
    assert 'data-term-min="6"' in option and 'data-term-max="24"' in option and 'data-grace-max="0"' in option
    assert 'data-grace-hint="Este producto no tiene periodo de gracia: escriba 0."' in option
    # No product chosen yet among two: the hints give the range over both.
    assert _hint(html, "term_months") == "De 6 a 36 meses, con la gracia incluida."


def test_the_hints_follow_the_product_chosen_in_a_refused_try(owner_client, draft, product):
    other = ProductFactory(name="Crédito Raíces", min_term_months=6, max_term_months=24, max_grace_months=0)
    url = reverse("loans:application_loan", args=[draft.public_id])

    response = owner_client.post(
        url, {"product": other.pk, "amount": "5.000.000", "term_months": "30", "grace_months": "0"}
    )

    html = response.content.decode()
    assert response.context["form"].errors == {"term_months": ["El plazo debe estar entre 6 y 24 meses."]}
    assert _hint(html, "term_months") == "De 6 a 24 meses, con la gracia incluida."
    assert 'max="24"' in _input(html, "term_months")


def test_the_example_amount_is_inside_the_limits(client, product):
    html = client.get(reverse("loans:simulator")).content.decode()

    assert _hint(html, "amount") == "De $1.000.000 a $100.000.000, en pesos; por ejemplo 75.000.000."
    assert 'max="36"' in _input(html, "term_months")
