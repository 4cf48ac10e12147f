"""Every code a person meets is in words in their language: the officer's application page,
the queue, and every choice of the programme's enumerations."""

import inspect
import re
from html import unescape

import pytest
from django.db import models
from django.urls import reverse
from django.utils import translation

from applicants import choices as applicant_choices
from loans import choices as loan_choices
from loans.eligibility.models import EligibilityResult
from loans.reports.models import ExportJob
from loans.servicing.models import Loan, Repayment
from tests.review.admin_pages import staff_client

pytestmark = pytest.mark.django_db

# Names that read the same in both languages.
SAME_IN_BOTH = {"PPT", "PEP", "CSV", "XLSX", "Mixed", "Total", "No"}


def _visible_text(html: str) -> str:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<(option|input|select)\b[^>]*>", " ", body)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _enumerations():
    modules = [applicant_choices, loan_choices]
    found = [
        member
        for module in modules
        for _name, member in inspect.getmembers(module, inspect.isclass)
        if issubclass(member, models.Choices) and member.__module__ == module.__name__
    ]
    return found + [EligibilityResult.Outcome, Loan.State, Repayment.Source, ExportJob.Kind]


@pytest.mark.parametrize("enum", _enumerations(), ids=lambda enum: enum.__qualname__)
def test_every_choice_has_a_spanish_label(enum):
    for value, label in enum.choices:
        with translation.override("es"):
            spanish = str(label)
        with translation.override("en"):
            english = str(label)
        assert spanish and spanish != value, f"{enum.__qualname__}.{value} shows its code"
        assert spanish != english or spanish in SAME_IN_BOTH, f"{enum.__qualname__}.{value}: {english!r} untranslated"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "es",
            [
                "Maquinaria y equipo",
                "Edad: ",
                "Borrador → Enviada",
                "Enviada → En revisión",
                "Estados Unidos",
                "$10.000.000",
                "Cumple",
            ],
        ),
        (
            "en",
            [
                "Machinery and equipment",
                "Age: ",
                "Draft → Submitted",
                "Submitted → In review",
                "United States",
                "COP 10,000,000",
                "Met",
            ],
        ),
    ],
)
def test_the_officers_application_page_has_no_raw_code(in_review, program_officer, language, words):
    client = staff_client(program_officer, language=language)

    html = client.get(reverse("admin:loans_loanapplication_change", args=[in_review.pk])).content.decode()
    text = _visible_text(html)

    for word in words:
        assert word in text, word
    for code in ("machinery", "in_review", "draft →", "{'", "'age'", " US ", "10000000", ">pass<", "eligible<"):
        assert code not in text and code not in html.replace('in_review"', ""), code
