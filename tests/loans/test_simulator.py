"""The public simulator: inputs in the query string (a shareable link), the schedule as a page or a CSV."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from loans.products.money import format_cop
from loans.products.schedule import GraceMode, add_months, build_schedule
from tests.factories import ProductFactory

CSV_HEADER = [
    "number",
    "due date",
    "opening balance",
    "interest",
    "principal",
    "instalment",
    "closing balance",
    "paid by the state",
]


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _query(product, amount=10_000_000, term_months=24, grace_months=3, **extra):
    return {"product": product.pk, "amount": amount, "term_months": term_months, "grace_months": grace_months, **extra}


def _expected(product, amount, term_months, grace_months):
    """The schedule computed here, from the product's own parameters, independently of the view."""
    return build_schedule(
        amount=amount,
        annual_rate=Decimal("0.2268"),  # the factory's 22.68 % E.A.
        term_months=term_months,
        grace_months=grace_months,
        grace_mode=GraceMode.INTEREST_ONLY,
        first_due_date=add_months(timezone.localdate(), 1),
        state_pays_every=12,
        on_time_rebate_pct=Decimal("14"),
    )


def _table_rows(html):
    """The schedule table's rows as lists of cell texts."""
    body = html.split('<table class="table table-sm table-striped schedule-table">', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.DOTALL)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        for row in rows
    ]


@pytest.mark.parametrize(("amount", "term", "grace"), [(10_000_000, 24, 3), (1_000_000, 6, 0), (37_500_000, 36, 6)])
def test_anyone_sees_the_schedule_from_a_link(english, product, amount, term, grace):
    expected = _expected(product, amount, term, grace)

    response = english.get(reverse("loans:simulator"), _query(product, amount, term, grace))

    assert response.status_code == 200
    assert response.context["schedule"] == expected
    rows = _table_rows(response.content.decode())
    assert len(rows) == term
    first, last = expected.instalments[0], expected.instalments[-1]
    assert rows[0][0] == "1"
    assert rows[0][1].startswith(first.due_date.strftime("%d/%m/%Y"))
    assert rows[0][2:] == [
        format_cop(v, "en") for v in (first.interest, first.principal, first.payment, first.closing_balance)
    ]
    assert rows[-1][0] == str(term)
    assert rows[-1][1].startswith(last.due_date.strftime("%d/%m/%Y"))
    assert rows[-1][2:] == [format_cop(v, "en") for v in (last.interest, last.principal, last.payment, 0)]
    assert rows[-1][-1] == "COP 0"
    html = response.content.decode()
    assert (
        f'Monthly instalment after grace</dt><dd class="col-5 text-end">{format_cop(expected.regular_payment, "en")}'
        in html
    )


def test_the_figures_are_the_ones_the_schedule_module_gives(english, product):
    """One pinned example, so a change in rounding shows up here as well as in test_schedule."""
    response = english.get(reverse("loans:simulator"), _query(product, 10_000_000, 24, 3))

    rows = _table_rows(response.content.decode())
    assert rows[0][2:] == ["COP 171,800", "COP 0", "COP 171,800", "COP 10,000,000"]
    assert rows[3][2:] == ["COP 171,800", "COP 399,480", "COP 571,280", "COP 9,600,520"]


def test_the_page_offers_the_same_link_as_csv(english, product):
    query = _query(product)

    response = english.get(reverse("loans:simulator"), query)

    assert f'href="?{urlencode(query).replace("&", "&amp;")}&amp;format=csv"' in response.content.decode()


def test_spanish_is_the_default_and_shows_pesos_the_colombian_way(client, product):
    expected = _expected(product, 10_000_000, 24, 3)

    response = client.get(reverse("loans:simulator"), _query(product))

    rows = _table_rows(response.content.decode())
    assert rows[3][4] == format_cop(expected.instalments[3].payment, "es") == "$571.280"


@pytest.mark.parametrize(("amount", "term", "grace"), [(10_000_000, 24, 3), (1_000_001, 7, 0), (99_999_999, 36, 6)])
def test_format_csv_downloads_one_row_per_instalment(english, product, amount, term, grace):
    expected = _expected(product, amount, term, grace)

    response = english.get(reverse("loans:simulator"), _query(product, amount, term, grace, format="csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="simulacion-credito.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == CSV_HEADER
    data = rows[1:]
    assert len(data) == term
    assert [int(row[0]) for row in data] == list(range(1, term + 1))
    assert sum(int(row[4]) for row in data) == amount
    assert data[-1][6] == "0"
    assert data[0][2] == str(amount)
    for row, instalment in zip(data, expected.instalments, strict=True):
        assert row[:7] == [
            str(instalment.number),
            instalment.due_date.isoformat(),
            str(instalment.opening_balance),
            str(instalment.interest),
            str(instalment.principal),
            str(instalment.payment),
            str(instalment.closing_balance),
        ]
        assert row[7] == ("yes" if instalment.state_paid else "")
        # Each row follows on from the one before: opening − principal = closing.
        assert int(row[2]) - int(row[4]) == int(row[6])
        assert int(row[3]) + int(row[4]) == int(row[5])


def test_a_capitalised_grace_product_sums_principal_to_amount_plus_capitalised_interest(english, product):
    product.grace_mode = GraceMode.CAPITALISED
    product.save()

    response = english.get(reverse("loans:simulator"), _query(product, 10_000_000, 24, 3, format="csv"))

    data = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    capitalised = sum(int(row[3]) for row in data[:3])
    assert [row[5] for row in data[:3]] == ["0", "0", "0"]  # nothing is paid in a capitalised grace month
    assert int(data[3][2]) == 10_000_000 + capitalised
    assert sum(int(row[4]) for row in data) == 10_000_000 + capitalised
    assert data[-1][6] == "0"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"amount": 999_999}, "amount", "The amount must be between COP 1,000,000 and COP 100,000,000."),
        ({"amount": -5}, "amount", "Ensure this value is greater than or equal to 1."),
        ({"amount": "diez"}, "amount", "Enter a whole number."),
        ({"amount": "1e9"}, "amount", "Enter a whole number."),
        ({"amount": "9" * 40}, "amount", "The amount must be between COP 1,000,000 and COP 100,000,000."),
        ({"amount": ""}, "amount", "This field is required."),
        ({"term_months": 0}, "term_months", "Ensure this value is greater than or equal to 1."),
        ({"term_months": 40}, "term_months", "The term must be between 6 and 36 months."),
        ({"term_months": "9" * 40}, "term_months", "Ensure this value is less than or equal to 240."),
        ({"grace_months": 7}, "grace_months", "The grace can be at most 6 months."),
        ({"term_months": 6, "grace_months": 6}, "grace_months", "The grace must be shorter than the term."),
        ({"grace_months": -1}, "grace_months", "Ensure this value is greater than or equal to 0."),
        ({"product": "abc"}, "product", "Applications for this product are closed."),
        ({"product": "99999999"}, "product", "Applications for this product are closed."),
        ({"product": "1\x00"}, "product", "Null characters are not allowed."),
        ({"product": ""}, "product", "This field is required."),
    ],
)
def test_bad_inputs_show_the_error_summary_and_never_fail(english, product, query, field, message):
    params = {**_query(product), **query}

    response = english.get(reverse("loans:simulator"), params)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.context["schedule"] is None
    assert response.context["form"].errors == {field: [message]}
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "There is a problem" in html
    assert message in unescape(html)

    # A bad CSV link is refused with the same message as a short text, not a file or a page.
    as_csv = english.get(reverse("loans:simulator"), {**params, "format": "csv"})

    assert as_csv.status_code == 400
    assert as_csv["Content-Type"] == "text/plain; charset=utf-8"
    label = {
        "amount": "Amount (pesos)",
        "term_months": "Term (months)",
        "grace_months": "Grace (months)",
        "product": "Loan product",
    }[field]
    assert as_csv.content.decode() == f"{label}: {message}\n"


def test_a_csv_link_without_a_simulation_is_refused_in_a_line(english, product):
    response = english.get(reverse("loans:simulator"), {"format": "csv"})

    assert response.status_code == 400
    assert response.content.decode() == (
        "Loan product: This field is required.\n"
        "Amount (pesos): This field is required.\n"
        "Term (months): This field is required.\n"
        "Grace (months): This field is required.\n"
    )


def test_a_closed_product_cannot_be_simulated(english, product):
    today = timezone.localdate()
    closed = ProductFactory(window_opens=today - timedelta(days=60), window_closes=today - timedelta(days=1))

    response = english.get(reverse("loans:simulator"), _query(closed))

    assert response.context["form"].errors == {"product": ["Applications for this product are closed."]}
    assert f'<option value="{closed.pk}"' not in response.content.decode()


def test_a_blank_visit_shows_the_empty_form_without_errors(english, product):
    response = english.get(reverse("loans:simulator"))

    assert response.status_code == 200
    assert response.context["schedule"] is None
    assert not response.context["form"].is_bound
    assert 'id="error-summary"' not in response.content.decode()


def test_the_simulator_works_without_javascript(english, product):
    response = english.get(reverse("loans:simulator"))
    html = response.content.decode()

    # A plain GET form: submitting it is what builds the shareable query string.
    form = re.search(r"<form method=\"get\"[^>]*>(.*?)</form>", html, re.DOTALL)
    assert form, "the simulator must be a GET form"
    assert 'action="' not in form.group(0).split(">", 1)[0]  # submits to this same page
    names = set(re.findall(r'name="([a-z_]+)"', form.group(1)))
    assert names == {"product", "amount", "term_months", "grace_months"}
    assert '<button type="submit"' in form.group(1)
    # No inline script and no handler attribute: the one script is the optional, deferred enhancement.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/portal/js/portal.js" defer>']
    assert not re.search(r"\son[a-z]+=", html)
    assert "javascript:" not in html
    assert "csrfmiddlewaretoken" not in form.group(1)  # a GET form needs no token: a link can reproduce it
