"""The applicant reads the officer's question on the status page and answers it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from loans.choices import ApplicationStatus as S
from loans.models import ApplicationEvent, ApplicationMessage, ReviewNote
from loans.review import services as review
from tests.review.admin_pages import in_english

pytestmark = pytest.mark.django_db

QUESTION = "Suba el certificado de movimientos migratorios, por favor."
ANSWER = "Listo, lo subí en Documentos."


@pytest.fixture
def asked(in_review, program_officer):
    review.application_request_info(application=in_review, officer=program_officer, message=QUESTION)
    return in_review


@pytest.fixture
def applicant(owner_client):
    return in_english(owner_client)


@pytest.fixture
def stranger_browser(stranger_client):
    return in_english(stranger_client)


def _detail(application):
    return reverse("loans:application_detail", args=[application.public_id])


def _answer(application):
    return reverse("loans:application_answer", args=[application.public_id])


def _flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _moves(application):
    return list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("from_status", "to_status", "actor")
    )


def test_the_applicant_sees_the_question_and_where_to_answer(asked, applicant, program_officer):
    ReviewNote.objects.create(application=asked, author=program_officer, body="Nota interna: revisar el RUR.")
    page = applicant.get(_detail(asked))
    assert page.status_code == 200
    assert page.context["application"].status == S.INFO_REQUESTED
    assert [(m.from_applicant, m.body) for m in page.context["conversation"]] == [(False, QUESTION)]
    assert "The officer needs more information" in page.text
    assert QUESTION in page.text
    assert f'href="{_answer(asked)}"' in page.text
    # Internal notes and the officer's identity stay in the admin.
    assert "Nota interna" not in page.text
    assert program_officer.email not in page.text


def test_the_answer_form_opens(asked, applicant):
    page = applicant.get(_answer(asked))
    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["message"]


def test_answering_sends_the_application_back_to_review(asked, applicant, owner, program_officer):
    before = _moves(asked)
    response = applicant.post(_answer(asked), {"message": ANSWER})
    assert response.status_code == 302
    assert response["Location"] == _detail(asked)
    assert _flash(response) == ["Your answer was sent. The officer will continue the review."]
    asked.refresh_from_db()
    assert asked.status == S.IN_REVIEW
    assert list(ApplicationMessage.objects.order_by("pk").values_list("sender", "from_applicant", "body")) == [
        (program_officer.pk, False, QUESTION),
        (owner.pk, True, ANSWER),
    ]
    assert _moves(asked) == [*before, (S.INFO_REQUESTED, S.IN_REVIEW, owner.pk)]
    assert ApplicationEvent.objects.filter(application=asked).last().reason == "Applicant answered"

    page = applicant.get(_detail(asked))
    assert ANSWER in page.text
    assert "The officer needs more information" not in page.text


def test_an_empty_answer_is_a_form_error(asked, applicant):
    response = applicant.post(_answer(asked), {"message": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"message": ["This field is required."]}
    assert ApplicationMessage.objects.filter(from_applicant=True).count() == 0
    asked.refresh_from_db()
    assert asked.status == S.INFO_REQUESTED


def test_a_stranger_gets_404_and_changes_nothing(asked, stranger_browser):
    before = _moves(asked)
    assert stranger_browser.get(_detail(asked)).status_code == 404
    assert stranger_browser.get(_answer(asked)).status_code == 404
    assert stranger_browser.post(_answer(asked), {"message": "Soy otra persona."}).status_code == 404
    asked.refresh_from_db()
    assert asked.status == S.INFO_REQUESTED
    assert ApplicationMessage.objects.filter(from_applicant=True).count() == 0
    assert _moves(asked) == before


def test_an_anonymous_visitor_is_sent_to_log_in(asked, client):
    response = client.post(_answer(asked), {"message": ANSWER})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("applicants:login"))
    asked.refresh_from_db()
    assert asked.status == S.INFO_REQUESTED


def test_answering_when_no_question_is_open_shows_an_error_and_changes_nothing(in_review, applicant):
    before = _moves(in_review)
    response = applicant.post(_answer(in_review), {"message": ANSWER})
    assert response.status_code == 302
    assert response["Location"] == _detail(in_review)
    assert _flash(response) == ["There is no question from the officer to answer now."]
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
    assert not ApplicationMessage.objects.exists()
    assert _moves(in_review) == before


def test_answering_twice_records_one_answer(asked, applicant):
    applicant.post(_answer(asked), {"message": ANSWER})
    response = applicant.post(_answer(asked), {"message": ANSWER})
    assert _flash(response)[-1] == "There is no question from the officer to answer now."
    assert ApplicationMessage.objects.filter(from_applicant=True).count() == 1
    answered = ApplicationEvent.objects.filter(application=asked, to_status=S.IN_REVIEW, actor=asked.applicant)
    assert answered.count() == 1
