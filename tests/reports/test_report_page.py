"""The reports page: who may open it, what it shows, its charts, and a constant number of queries."""

import re
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import otp_verified_client
from tests.reports.conftest import make_application

URL = reverse("loans:reports")
SVG = "{http://www.w3.org/2000/svg}"


def test_it_sends_anonymous_visitors_to_the_staff_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


def test_it_hides_itself_from_returnees(owner_client):
    assert owner_client.get(URL).status_code == 404


def test_it_asks_staff_for_the_second_factor(analyst):
    client = Client()
    client.force_login(analyst)  # password only

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_refuses_staff_without_the_reports_permission(program_officer):
    assert otp_verified_client(program_officer).get(URL).status_code == 403


def test_it_shows_the_funnel_and_every_chart_with_its_table(analyst_client, program):
    response = analyst_client.get(URL)
    page = response.content.decode()

    assert response.status_code == 200
    funnel = re.search(r'<table class="table table-sm" id="table-funnel">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", funnel)
    assert cells[3:] == [
        "Started (drafts and sent)", "10", "100.0 %",
        "Submitted", "8", "80.0 %",
        "Eligible", "7", "70.0 %",
        "Approved", "4", "40.0 %",
        "Disbursed", "3", "30.0 %",
    ]  # fmt: skip
    for name in (
        "funnel",
        "amounts",
        "jobs",
        "department-funnel",
        "department-amounts",
        "department-jobs",
        "department-par30",
        "department-days",
        "sector-funnel",
        "sector-amounts",
        "sector-jobs",
        "sector-par30",
        "sector-days",
    ):
        assert f'id="table-{name}"' in page
        assert f'src="{reverse("loans:report_chart", args=[name])}"' in page
    par30 = re.search(r'id="table-department-par30">(.*?)</table>', page, re.S).group(1)
    assert re.search(r"Antioquia</th><td[^>]*>COP 28,000,000</td><td[^>]*>COP 20,000,000</td><td[^>]*>71.4 %", par30)
    assert "Portfolio at risk over 30 days (PAR30)</dt><dd" in page
    assert "<script" not in page.split("</head>")[1]  # works without JavaScript: no inline script


def test_a_dimension_without_data_says_so_instead_of_an_empty_frame(analyst_client, db):
    page = analyst_client.get(URL).content.decode()

    assert 'id="empty-department-par30">No data for these filters.</p>' in page
    assert 'id="table-department-par30"' not in page
    assert f'src="{reverse("loans:report_chart", args=["department-par30"])}"' not in page


def test_the_filters_travel_to_the_charts_and_the_export_form(analyst_client, program):
    page = analyst_client.get(URL, {"department": "05", "date_from": "2026-01-01"}).content.decode()

    assert 'src="/informes/graficos/funnel.svg?date_from=2026-01-01&amp;department=05"' in page
    assert '<input type="hidden" name="department" value="05">' in page
    assert '<option value="05088">Bello</option>' in page  # municipalities of the department chosen


def test_a_chart_is_an_svg_that_needs_no_script_and_no_style(analyst_client, program):
    response = analyst_client.get(reverse("loans:report_chart", args=["department-par30"]), {"department": "05"})

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    svg = response.content.decode()
    assert svg.startswith("<?xml")
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", svg)
    root = ElementTree.fromstring(response.content)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    # Antioquia's PAR30 is 20 M at risk of 28 M outstanding: 71.4 %, on an axis of 0 to 80.
    assert texts == [
        "Portfolio at risk over 30 days (PAR30) by department",
        "Antioquia",
        *["0", "20", "40", "60", "80"],
        "% of the outstanding principal",
    ]
    (bar,) = [rect for rect in root.iter(f"{SVG}rect") if rect.get("fill") == "#0072B2"]
    axis = [float(tick.get("x1")) for tick in root.find(f"{SVG}g").iter(f"{SVG}line")]
    assert float(bar.get("width")) == pytest.approx((axis[-1] - axis[0]) * 71.43 / 80, abs=0.2)


def test_an_unknown_chart_is_not_found(analyst_client, db):
    assert analyst_client.get(reverse("loans:report_chart", args=["pie"])).status_code == 404


def test_charts_are_for_analysts_only(owner_client, db):
    assert owner_client.get(reverse("loans:report_chart", args=["funnel"])).status_code == 404


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(analyst_client, program):
    from django.core.cache import cache

    few = _queries(analyst_client)
    for number in range(12):
        make_application(
            f"X{number}",
            status="in_review",
            created=program.applications["A4"].created_at.date(),
            department=["05", "11", "76", "08"][number % 4],
            section=["C", "G", "A"][number % 3],
            amount=1_000_000,
            submitted=program.applications["A4"].created_at.date(),
            outcome="eligible",
        )
    cache.clear()
    many = _queries(analyst_client)

    assert few == many
    assert many <= 25
    # Filters the summaries cannot answer run the report's four live queries once, then the cache serves them.
    live = _queries(analyst_client, sex="F")
    assert live - _queries(analyst_client, sex="F") == 4


def test_the_page_says_where_its_figures_come_from(analyst_client, program):
    page = analyst_client.get(URL).content.decode()
    source = re.search(r'id="figures-source">(.*?)</p>', page, re.S).group(1)
    assert "Figures kept current with every change; last updated at" in source
    assert "Last full recount at" in source and "0 figures differed" not in source  # the fixture's rows were new

    live = analyst_client.get(URL, {"date_from": "2026-01-05"}).content.decode()
    source = re.search(r'id="figures-source">(.*?)</p>', live, re.S).group(1)
    assert "<strong>Computed live</strong>" in source


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "The end date is before the start date."),
        ({"date_from": "31/01/2026"}, "Enter the start date as YYYY-MM-DD, for example 2026-01-31."),
        ({"date_to": "2026-02-30"}, "Enter the end date as YYYY-MM-DD, for example 2026-12-31."),
        ({"date_from": "1999-01-01"}, "Choose a date between 2012-01-01 and"),
        (
            {"date_from": "2013-01-01", "date_to": "2025-01-01"},
            "A date range can cover at most ten years. Leave both dates empty to see the whole program.",
        ),
        ({"department": "00"}, "There is no department with the code “00”."),
        ({"municipality": "99999"}, "There is no municipality with the DANE code “99999”."),
        ({"department": "05", "municipality": "11001"}, "The municipality 11001 is not in the department 05."),
        ({"product": "nope"}, "There is no loan product with the code “nope”."),
        ({"sector": "Z"}, "There is no CIIU section with the code “Z”."),
        ({"return_type": "turista"}, "There is no return type “turista”."),
        ({"sex": "X"}, "There is no sex code “X”."),
        ({"age_band": "10-17"}, "There is no age band “10-17”; use one of 18-24 … 65+."),
        ({"status": "paid"}, "There is no application status “paid”."),
    ],
)
def test_bad_filters_get_a_clear_message_and_no_report(analyst_client, db, params, message):
    response = analyst_client.get(URL, params)
    page = response.content.decode()

    assert response.status_code == 400
    assert message in page.replace("&amp;", "&")
    assert 'id="error-summary"' in page
    assert 'id="key-figures"' not in page


def test_bad_filters_are_explained_in_spanish(analyst_client, db):
    from django.utils import translation

    with translation.override("es"):
        analyst_client.cookies["django_language"] = "es"
        page = analyst_client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-02-01"}).content.decode()

    assert "La fecha final es anterior a la fecha inicial." in page


def test_a_chart_with_bad_filters_is_a_bad_request(analyst_client, db):
    assert analyst_client.get(reverse("loans:report_chart", args=["funnel"]), {"sex": "X"}).status_code == 400
