"""Bad input gets a clear message in the user's language, keeps what was typed, saves nothing, never 500s."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from loans.models import BusinessPlan, InvestmentItem, LoanApplication, LoanProduct
from tests.conftest import otp_verified_client
from tests.factories import PlanFactory, ProductFactory, UserFactory

AMOUNT_NOT_POSITIVE = "Enter an amount greater than zero."


@pytest.fixture
def english(owner_client):
    owner_client.cookies["django_language"] = "en"
    return owner_client


# --- business plan: investment lines ---------------------------------------------------


@pytest.fixture
def plan(owner):
    return PlanFactory(owner=owner)


def _plan_post(plan, new_line):
    item = plan.items.get()
    data = {
        "name": "Panadería y Café La Esperanza",
        "section": "C",
        "division": "10",
        "description": "Pan artesanal y café",
        "stage": "idea",
        "municipality": "05001",
        "customers": "Turistas y vecinos",
        "competition": "Dos panaderías",
        "experience": "Seis años en Miami",
        "own_contribution": "7000000",
        "monthly_sales": "11000000",
        "monthly_costs": "6500000",
        "jobs_to_create": "3",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
        "items-0-id": str(item.pk),
        "items-0-category": "machinery",
        "items-0-description": "Horno",
        "items-0-amount": "20000000",
        "items-2-category": "",
        "items-2-description": "",
        "items-2-amount": "",
    }
    data.update({f"items-1-{key}": value for key, value in new_line.items()})
    return data


def _plan_state(plan):
    plan = BusinessPlan.objects.get(pk=plan.pk)
    return (
        plan.name,
        plan.customers,
        plan.own_contribution,
        plan.monthly_sales,
        plan.jobs_to_create,
        list(InvestmentItem.objects.filter(plan=plan).values_list("category", "description", "amount")),
    )


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"category": "tools", "description": "Vitrina", "amount": "0"}, "amount", AMOUNT_NOT_POSITIVE),
        ({"category": "tools", "description": "Vitrina", "amount": "-500000"}, "amount", AMOUNT_NOT_POSITIVE),
        ({"category": "tools", "description": "Vitrina", "amount": ""}, "amount", AMOUNT_NOT_POSITIVE),
        ({"category": "tools", "description": "", "amount": "500000"}, "description", "This field is required."),
        ({"category": "", "description": "Vitrina", "amount": "500000"}, "category", "This field is required."),
        ({"category": "tools", "description": "Vitrina", "amount": "1,5 millones"}, "amount", "Enter a whole number."),
    ],
)
def test_a_bad_investment_line_is_marked_and_nothing_is_lost(line, field, message, english, plan):
    before = _plan_state(plan)

    response = english.post(reverse("loans:plan_edit", args=[plan.public_id]), _plan_post(plan, line))

    assert response.status_code == 200
    items = response.context["items"]
    assert [form.errors for form in items.forms] == [{}, {field: [message]}, {}]
    html = response.content.decode()
    # The message sits right under the field it is about.
    assert re.search(
        rf'id="id_items-1-{field}"[^>]*>.{{0,3000}}?<div id="id_items-1-{field}_error" class="invalid-feedback">\s*'
        rf'<p id="error_1_id_items-1-{field}"><strong>{re.escape(message)}</strong></p>',
        html,
        re.DOTALL,
    ), html
    assert "The plan was not saved. Correct the fields marked below." in html
    # Everything typed comes back, the good fields and the bad line alike.
    assert 'value="Panadería y Café La Esperanza"' in html
    assert "Turistas y vecinos</textarea>" in html
    assert 'name="jobs_to_create" value="3"' in html
    for key, value in line.items():
        if value and key != "category":
            assert f'name="items-1-{key}" value="{value}"' in html
    # And nothing was saved: not the plan fields, not the good line.
    assert _plan_state(plan) == before


def test_a_good_line_is_saved_and_empty_spare_lines_are_ignored(english, plan):
    data = _plan_post(plan, {"category": "tools", "description": "Vitrina", "amount": "1500000"})

    response = english.post(reverse("loans:plan_edit", args=[plan.public_id]), data)

    assert response.status_code == 302
    assert _plan_state(plan) == (
        "Panadería y Café La Esperanza",
        "Turistas y vecinos",
        7_000_000,
        11_000_000,
        3,
        [("machinery", "Horno", 20_000_000), ("tools", "Vitrina", 1_500_000)],
    )


def test_a_spanish_speaker_reads_the_line_error_in_spanish(owner_client, plan):
    line = {"category": "tools", "description": "Vitrina", "amount": "0"}

    response = owner_client.post(reverse("loans:plan_edit", args=[plan.public_id]), _plan_post(plan, line))

    assert response.context["items"].forms[1].errors == {"amount": ["Escriba un valor mayor que cero."]}


# --- loan request ----------------------------------------------------------------------


def _loan_state(application):
    application = LoanApplication.objects.get(pk=application.pk)
    return (
        application.status,
        application.product_id,
        application.amount,
        application.term_months,
        application.grace_months,
    )


def _loan_post(client, application, **data):
    return client.post(reverse("loans:application_loan", args=[application.public_id]), data)


@pytest.mark.parametrize(
    ("amount", "term", "grace", "field", "message"),
    [
        (999_999, 24, 3, "amount", "The amount must be between COP 1,000,000 and COP 100,000,000."),
        (100_000_001, 24, 3, "amount", "The amount must be between COP 1,000,000 and COP 100,000,000."),
        # The plan invests COP 20,000,000 and the product lends at most 80% of it.
        (
            16_000_001,
            24,
            3,
            "amount",
            "This product lends at most 80% of the plan's investment (COP 20,000,000): at most COP 16,000,000.",
        ),
        (10_000_000, 5, 0, "term_months", "The term must be between 6 and 36 months."),
        (10_000_000, 37, 3, "term_months", "The term must be between 6 and 36 months."),
        (10_000_000, 24, 7, "grace_months", "The grace can be at most 6 months."),
        (10_000_000, 6, 6, "grace_months", "The grace must be shorter than the term."),
        (10_000_000, 241, 3, "term_months", "Ensure this value is less than or equal to 240."),
        (10_000_000, 24, -1, "grace_months", "Ensure this value is greater than or equal to 0."),
        ("diez millones", 24, 3, "amount", "Enter a whole number."),
    ],
)
def test_a_loan_request_outside_the_product_is_refused(amount, term, grace, field, message, english, ready_draft):
    before = _loan_state(ready_draft)

    response = _loan_post(
        english, ready_draft, product=ready_draft.product_id, amount=amount, term_months=term, grace_months=grace
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert response.context["schedule"] is None
    html = response.content.decode()
    assert "There is a problem" in html
    assert message.replace("'", "&#x27;") in html
    assert _loan_state(ready_draft) == before


def test_the_largest_amount_the_plan_allows_is_accepted(english, ready_draft, product):
    response = _loan_post(english, ready_draft, product=product.pk, amount=16_000_000, term_months=36, grace_months=6)

    assert response.status_code == 302
    assert _loan_state(ready_draft) == ("draft", product.pk, 16_000_000, 36, 6)


def test_a_spanish_speaker_reads_the_amount_error_in_spanish(owner_client, ready_draft):
    response = _loan_post(
        owner_client, ready_draft, product=ready_draft.product_id, amount=999_999, term_months=24, grace_months=3
    )

    assert response.context["form"].errors == {"amount": ["El monto debe estar entre $1.000.000 y $100.000.000."]}


@pytest.fixture
def closed_product(db):
    today = timezone.localdate()
    return ProductFactory(
        name="Línea cerrada", window_opens=today - timedelta(days=60), window_closes=today - timedelta(days=1)
    )


def test_a_product_whose_window_closed_is_not_offered(english, ready_draft, closed_product):
    response = english.get(reverse("loans:application_loan", args=[ready_draft.public_id]))

    assert response.status_code == 200
    assert closed_product not in response.context["form"].fields["product"].queryset
    assert f'<option value="{closed_product.pk}"' not in response.content.decode()
    assert "Línea cerrada" not in response.content.decode()
    assert closed_product not in english.get(reverse("loans:products")).context["products"]


def test_posting_a_closed_products_id_gives_a_clear_error(english, ready_draft, closed_product):
    before = _loan_state(ready_draft)

    response = _loan_post(
        english, ready_draft, product=closed_product.pk, amount=10_000_000, term_months=24, grace_months=3
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"product": ["Applications for this product are closed."]}
    assert _loan_state(ready_draft) == before


def test_an_inactive_or_unknown_product_gives_the_same_clear_error(english, ready_draft):
    inactive = ProductFactory(is_active=False)
    before = _loan_state(ready_draft)

    for product_id in (inactive.pk, 987654, "abc", ""):
        response = _loan_post(
            english, ready_draft, product=product_id, amount=10_000_000, term_months=24, grace_months=3
        )
        assert response.status_code == 200
        expected = "This field is required." if product_id == "" else "Applications for this product are closed."
        assert response.context["form"].errors == {"product": [expected]}
    assert _loan_state(ready_draft) == before


def test_a_saved_request_whose_product_closed_is_flagged_not_lost(english, ready_draft, product):
    product.window_closes = timezone.localdate() - timedelta(days=1)
    product.window_opens = product.window_closes - timedelta(days=30)
    product.save()

    response = english.get(reverse("loans:application_review", args=[ready_draft.public_id]))

    assert response.status_code == 200
    assert "Applications for this product are closed." in response.context["problems"]
    assert _loan_state(ready_draft) == ("draft", product.pk, 10_000_000, 24, 3)


# --- product admin: the usury cap -------------------------------------------------------


def _product(**overrides):
    values = {
        "code": "linea-retorno-2026",
        "name": "Línea Retorno 2026",
        "min_amount_cop": 1_000_000,
        "max_amount_cop": 50_000_000,
        "max_financing_pct": Decimal("80"),
        "min_term_months": 6,
        "max_term_months": 36,
        "max_grace_months": 6,
        "annual_rate_pct": Decimal("22.68"),
        "credit_category": "productivo_urbano",
        "window_opens": timezone.localdate(),
    }
    values.update(overrides)
    return LoanProduct(**values)


USURY_MESSAGE = "45.5% E.A. exceeds the usury cap of 42% E.A. in force for Productive microcredit, urban."


def test_a_rate_above_the_usury_cap_is_refused_by_full_clean(product):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as error:
        _product(annual_rate_pct=Decimal("45.5")).full_clean()

    assert error.value.message_dict == {"annual_rate_pct": [USURY_MESSAGE]}


def test_a_rate_at_the_cap_is_allowed(product):
    _product(annual_rate_pct=Decimal("42")).full_clean()


def test_a_product_with_no_cap_in_force_is_refused(db):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as error:
        _product().full_clean()

    day = timezone.localdate().isoformat()
    assert error.value.message_dict == {
        "credit_category": [f"There is no usury cap in force for this credit category on {day}; add it first."]
    }


@pytest.fixture
def admin_client_en(db):
    client = otp_verified_client(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    return client


def _admin_post(rate):
    return {
        "code": "linea-retorno-2026",
        "name_es": "Línea Retorno 2026",
        "description": "",
        "is_active": "on",
        "min_amount_cop": "1000000",
        "max_amount_cop": "50000000",
        "min_amount_smmlv": "",
        "max_amount_smmlv": "",
        "max_financing_pct": "80",
        "min_term_months": "6",
        "max_term_months": "36",
        "max_grace_months": "6",
        "grace_mode": "interest_only",
        "annual_rate_pct": rate,
        "credit_category": "productivo_urbano",
        "guarantee_coverage_pct": "90",
        "state_pays_every": "12",
        "on_time_rebate_pct": "14",
        "accepted_countries": "US, ES",
        "min_years_abroad": "3",
        "max_months_since_return": "12",
        "window_opens": timezone.localdate().isoformat(),
        "window_closes": "",
        "required_documents": ["id_document"],
    }


def test_the_admin_refuses_a_rate_above_the_usury_cap(admin_client_en, product):
    count = LoanProduct.objects.count()

    response = admin_client_en.post(reverse("admin:loans_loanproduct_add"), _admin_post("45.5"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"annual_rate_pct": [USURY_MESSAGE]}
    assert USURY_MESSAGE in response.content.decode()
    assert LoanProduct.objects.count() == count


def test_the_admin_saves_a_rate_under_the_cap(admin_client_en, product):
    response = admin_client_en.post(reverse("admin:loans_loanproduct_add"), _admin_post("22.68"))

    assert response.status_code == 302
    saved = LoanProduct.objects.get(code="linea-retorno-2026")
    assert (saved.annual_rate_pct, saved.accepted_countries, saved.required_documents) == (
        Decimal("22.68"),
        ["US", "ES"],
        ["id_document"],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1.500.000", "$ 1.500.000", "1500000", " 1 500 000 "])
def test_amounts_are_read_as_people_write_them(typed):
    from loans.applications.forms import InvestmentItemForm

    form = InvestmentItemForm({"category": "tools", "description": "Vitrina", "amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == 1_500_000
