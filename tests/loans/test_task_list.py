"""The application task list, check your answers, sending once, and what is frozen afterwards."""

import re
import threading
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from applicants.models import ReturneeProfile
from loans.applications import services
from loans.applications.workflow import transition
from loans.choices import ApplicationStatus
from loans.models import ApplicationDocument, ApplicationEvent, InvestmentItem, LoanApplication, ReferenceCounter
from tests.factories import PlanFactory
from tests.loans.helpers import application_state

ALREADY_SENT = "This application was already sent and can no longer be changed."
DOCUMENTS_CLOSED = "Documents can be added to a draft, or when an officer asks for information."
DECIDED = "A decision was already made; the application can no longer be withdrawn."


@pytest.fixture
def english(owner_client):
    owner_client.cookies["django_language"] = "en"
    return owner_client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _tasks(client, application) -> dict[str, bool]:
    """Each task's state, from the context and from what the page shows: both must agree."""
    response = client.get(reverse("loans:application_detail", args=[application.public_id]))
    assert response.status_code == 200
    tasks = {task.slug: task.done for task in response.context["tasks"]}
    items = re.findall(
        r'<a class="ms-2 me-auto" href="([^"]+)">([^<]+)</a>\s*<span class="badge[^"]*">([^<]+)</span>',
        response.content.decode(),
    )
    shown = [badge == "Completed" for _href, _title, badge in items]
    assert shown == list(tasks.values())
    assert response.context["done"] == sum(tasks.values())
    assert f"You have completed {sum(tasks.values())} of 5 sections." in response.content.decode()
    return tasks


def test_each_task_follows_the_data(english, owner, product):
    application = services.application_create(applicant=owner)
    state = {"profile": True, "plan": False, "loan": False, "documents": False, "declarations": False}
    assert _tasks(english, application) == state

    # A plan without investment items is not complete: choosing it sends the returnee to finish it.
    plan = PlanFactory(owner=owner, items=False)
    response = english.post(reverse("loans:application_plan", args=[application.public_id]), {"plan": plan.pk})
    detail = reverse("loans:application_detail", args=[application.public_id])
    assert response["Location"] == f"{reverse('loans:plan_edit', args=[plan.public_id])}?next={detail}"
    assert _tasks(english, application) == state

    item = InvestmentItem.objects.create(plan=plan, category="machinery", description="Horno", amount=20_000_000)
    assert _tasks(english, application) == {**state, "plan": True}

    plan.jobs_to_create = None
    plan.save()
    assert _tasks(english, application) == state
    plan.jobs_to_create = 2
    plan.save()
    state["plan"] = True

    response = english.post(
        reverse("loans:application_loan", args=[application.public_id]),
        {"product": product.pk, "amount": 16_000_000, "term_months": 24, "grace_months": 3},
    )
    assert response.status_code == 302
    state["loan"] = True
    assert _tasks(english, application) == state

    # The plan's investment shrinks: the saved amount is now above the 80 % share, the task reopens.
    item.amount = 15_000_000
    item.save()
    assert _tasks(english, application) == {**state, "loan": False}
    item.amount = 20_000_000
    item.save()

    response = english.post(
        reverse("loans:application_documents", args=[application.public_id]),
        {"kind": "rur_certificate", "file": _pdf("rur.pdf")},
    )
    assert response.status_code == 302
    assert _tasks(english, application) == state  # not the document the product requires
    response = english.post(
        reverse("loans:application_documents", args=[application.public_id]),
        {"kind": "id_document", "file": _pdf("cedula.pdf")},
    )
    state["documents"] = True
    assert _tasks(english, application) == state

    response = english.post(
        reverse("loans:application_declarations", args=[application.public_id]),
        {"accept_terms": "on", "accept_checks": "on", "accept_truth": "on"},
    )
    assert response.status_code == 302
    state["declarations"] = True
    assert _tasks(english, application) == state

    ReturneeProfile.objects.filter(user=owner).update(household_size=None)
    assert _tasks(english, application) == {**state, "profile": False}
    ReturneeProfile.objects.filter(user=owner).update(household_size=4)

    document = application.documents.get(kind="id_document")
    english.post(reverse("loans:document_remove", args=[application.public_id, document.public_id]))
    assert _tasks(english, application) == {**state, "documents": False}


def test_declarations_must_all_be_ticked(english, ready_draft):
    ready_draft.declarations_accepted_at = None
    ready_draft.save()

    response = english.post(
        reverse("loans:application_declarations", args=[ready_draft.public_id]),
        {"accept_terms": "on", "accept_truth": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"accept_checks": ["You must accept this declaration to continue."]}
    ready_draft.refresh_from_db()
    assert ready_draft.declarations_accepted_at is None


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n%prueba\n", content_type="application/pdf")


# --- check your answers ------------------------------------------------------------------


def _answers(html) -> list[tuple[str, str, str]]:
    """(question, answer, where its Change link goes) for every row of every answers list."""
    rows = []
    for block in re.findall(r'<dl class="row answers">(.*?)</dl>', html, re.DOTALL):
        for question, answer, link in re.findall(
            r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>\s*<dd[^>]*>(.*?)</dd>", block, re.DOTALL
        ):
            href = re.search(r'<a href="([^"]+)">Change<span class="visually-hidden"> [^<]+</span></a>', link)
            rows.append(
                (unescape(question).strip(), unescape(re.sub(r"<[^>]+>", "", answer)).strip(), href and href[1])
            )
    return rows


def test_check_your_answers_has_a_change_link_per_answer(english, ready_draft, owner):
    profile = ReturneeProfile.objects.get(user=owner)

    response = english.get(reverse("loans:application_review", args=[ready_draft.public_id]))

    assert response.status_code == 200
    assert response.context["problems"] == []
    step = lambda slug: reverse("applicants:profile_step", args=[profile.public_id, slug])  # noqa: E731
    loan = reverse("loans:application_loan", args=[ready_draft.public_id])
    accepted = timezone.localtime(ready_draft.declarations_accepted_at)
    assert _answers(response.content.decode()) == [
        ("Name", f"{profile.first_names} {profile.last_names}", step("identity")),
        ("Document", f"Citizenship card (cédula de ciudadanía) {profile.document_number}", step("identity")),
        ("Colombian national", "Yes", step("identity")),
        ("Date of birth", "May 20, 1985", step("identity")),
        ("Sex", "Female", step("identity")),
        ("Mobile phone", response.context["profile_data"]["phone"], step("contact")),
        ("Where you live", "Calle 10 # 43-25, Medellín, Antioquia", step("residence")),
        ("Country you returned from", "United States", step("return")),
        ("Date you left Colombia", "Jan. 10, 2015", step("return")),
        ("Date you came back to Colombia", date_format(profile.return_date), step("return")),
        ("Return type", "Productive return", step("return")),
        ("Forced return (for example, a deportation)", "No", step("return")),
        ("RUR registration number", "RUR-123456", step("return")),
        ("Education level", "Secondary school (bachillerato)", step("household")),
        ("People in your household", "4", step("household")),
        (
            "Plan",
            "Panadería La Esperanza · COP 20,000,000",
            reverse("loans:application_plan", args=[ready_draft.public_id]),
        ),
        ("Product", ready_draft.product.name, loan),
        ("Amount", "COP 10,000,000", loan),
        ("Term and grace", "24 months, 3 of grace", loan),
        ("Uploaded", "Identity document", reverse("loans:application_documents", args=[ready_draft.public_id])),
        (
            "Declarations accepted at",
            date_format(accepted, "DATETIME_FORMAT"),
            reverse("loans:application_declarations", args=[ready_draft.public_id]),
        ),
    ]
    # Every Change link opens its step for the owner.
    for _question, _answer, href in _answers(response.content.decode()):
        assert english.get(href).status_code == 200
    assert '<button type="submit" class="btn btn-primary btn-lg w-100">Send the application</button>' in (
        response.content.decode()
    )


def test_check_your_answers_reads_dates_and_money_the_colombian_way_in_spanish(owner_client, ready_draft):
    html = owner_client.get(reverse("loans:application_review", args=[ready_draft.public_id])).content.decode()
    answers = {question: answer for question, answer, _href in _answers(html.replace("Cambiar<", "Change<"))}

    assert answers["Fecha de nacimiento"] == "20 de mayo de 1985"
    assert answers["Fecha en que salió de Colombia"] == "10 de enero de 2015"
    assert answers["Regreso obligado (por ejemplo, una deportación)"] == "No"
    assert answers["Monto"] == "$10.000.000"


def test_check_your_answers_lists_what_is_missing_and_offers_no_send_button(english, owner, product):
    application = services.application_create(applicant=owner)

    response = english.get(reverse("loans:application_review", args=[application.public_id]))

    assert response.context["problems"] == [
        "Complete this part first: Business plan.",
        "Complete this part first: Loan request.",
        "Complete this part first: Documents.",
        "Complete this part first: Declarations.",
    ]
    assert "Send the application" not in response.content.decode()
    rows = _answers(response.content.decode())
    assert [(q, a) for q, a, _href in rows if q in ("Plan", "Product", "Amount", "Declarations accepted at")] == [
        ("Plan", "—"),
        ("Product", "—"),
        ("Amount", "—"),
        ("Declarations accepted at", "—"),
    ]


# --- after sending ----------------------------------------------------------------------


@pytest.fixture
def sent(ready_draft, english):
    response = english.post(reverse("loans:application_review", args=[ready_draft.public_id]), follow=True)
    assert response.status_code == 200
    ready_draft.refresh_from_db()
    assert ready_draft.status == ApplicationStatus.SUBMITTED  # the check waits for a commit tests never make
    return ready_draft


@pytest.mark.parametrize(
    ("name", "message", "data"),
    [
        ("application_plan", ALREADY_SENT, {"plan": "other"}),
        ("application_loan", ALREADY_SENT, {"amount": 2_000_000, "term_months": 12, "grace_months": 0}),
        (
            "application_declarations",
            ALREADY_SENT,
            {"accept_terms": "on", "accept_checks": "on", "accept_truth": "on"},
        ),
        ("application_documents", DOCUMENTS_CLOSED, {"kind": "other"}),
    ],
)
def test_after_sending_each_step_leads_to_the_status_page_and_changes_nothing(
    name, message, data, english, sent, owner
):
    url = reverse(f"loans:{name}", args=[sent.public_id])
    status_page = reverse("loans:application_detail", args=[sent.public_id])
    other_plan = PlanFactory(owner=owner)
    before = application_state(sent)

    response = english.get(url, follow=True)

    assert response.redirect_chain == [(status_page, 302)]
    assert message in _messages(response)
    assert response.templates[0].name == "loans/application_status.html"

    data = {**data, "product": sent.product_id}
    if data.get("plan") == "other":
        data["plan"] = other_plan.pk
    if name == "application_documents":
        data["file"] = _pdf("tarde.pdf")
    response = english.post(url, data, follow=True)

    assert response.redirect_chain == [(status_page, 302)]
    assert message in _messages(response)
    assert application_state(sent) == before


def test_the_check_your_answers_page_of_a_sent_application_leads_to_its_status(english, sent):
    response = english.get(reverse("loans:application_review", args=[sent.public_id]))

    assert response["Location"] == reverse("loans:application_detail", args=[sent.public_id])


def test_sending_again_shows_the_status_page_with_the_reference(english, sent):
    before = application_state(sent)

    response = english.post(reverse("loans:application_review", args=[sent.public_id]), follow=True)

    assert response.status_code == 200
    assert response.templates[0].name == "loans/application_status.html"
    assert _messages(response) == [f"Application sent. Your reference is {sent.reference}."]
    html = response.content.decode()
    assert f'<h1>Application <span class="text-nowrap">{sent.reference}</span></h1>' in html
    assert re.fullmatch(rf"RP-{timezone.localdate().year}-\d{{6}}", sent.reference)
    assert application_state(sent) == before
    assert ApplicationEvent.objects.filter(application=sent, to_status="submitted").count() == 1


def test_sending_a_draft_withdrawn_in_another_tab_says_so(english, ready_draft, owner):
    services.application_withdraw(application=ready_draft, user=owner)

    response = english.post(reverse("loans:application_review", args=[ready_draft.public_id]), follow=True)

    assert response.status_code == 200
    assert _messages(response) == ["An application that is “Withdrawn” cannot become “Submitted”."]
    assert "<h1>Draft application</h1>" in response.content.decode()
    assert "None" not in response.content.decode()
    ready_draft.refresh_from_db()
    assert (ready_draft.status, ready_draft.reference) == (ApplicationStatus.WITHDRAWN, None)


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_at_the_same_moment_make_one_submission(ready_draft, owner):
    url = reverse("loans:application_review", args=[ready_draft.public_id])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(owner)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(client):
        try:
            barrier.wait()
            statuses.append(client.post(url).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302, 302]
    assert ApplicationEvent.objects.filter(application=ready_draft, to_status="submitted").count() == 1
    assert LoanApplication.objects.exclude(reference=None).count() == 1
    assert ReferenceCounter.objects.get().last == 1


STALE_TAB = (
    "loans/services.py: _editable() and document_add() check the status of the caller's copy, not of the row "
    "locked with select_for_update(), so a request that loaded the draft just before another tab sent it still writes"
)


def test_a_loan_request_saved_from_a_tab_loaded_before_sending_is_refused(ready_draft, owner, product):
    stale = LoanApplication.objects.get(pk=ready_draft.pk)  # tab A loaded the draft
    services.application_submit(application=ready_draft, user=owner)  # tab B sent it

    with pytest.raises(services.ApplicationError):
        services.application_set_loan_request(
            application=stale, product=product, amount=2_000_000, term_months=12, grace_months=0
        )


def test_a_document_uploaded_from_a_tab_loaded_before_sending_is_refused(ready_draft, owner):
    from loans.applications.documents import check_upload

    stale = LoanApplication.objects.get(pk=ready_draft.pk)
    services.application_submit(application=ready_draft, user=owner)

    with pytest.raises(services.ApplicationError):
        services.document_add(application=stale, kind="other", upload=check_upload(_pdf("tarde.pdf")), user=owner)


# --- withdrawing --------------------------------------------------------------------------


def _decide(application, *moves):
    for status in moves:
        transition(application, status, reason="prueba")
    application.refresh_from_db()


@pytest.mark.parametrize(
    "moves",
    [
        (ApplicationStatus.IN_REVIEW, ApplicationStatus.RECOMMENDED, ApplicationStatus.APPROVED),
        (ApplicationStatus.IN_REVIEW, ApplicationStatus.REJECTED),
        (ApplicationStatus.INELIGIBLE,),
    ],
)
def test_withdrawing_after_a_decision_is_refused(moves, english, sent):
    _decide(sent, *moves)
    events = ApplicationEvent.objects.filter(application=sent).count()

    page = english.get(reverse("loans:application_detail", args=[sent.public_id]))
    assert page.context["can_withdraw"] is False
    assert "Withdraw the application" not in page.content.decode()

    response = english.post(
        reverse("loans:application_withdraw", args=[sent.public_id]), {"confirm": "on", "reason": "Ya no"}, follow=True
    )

    assert response.redirect_chain == [(reverse("loans:application_detail", args=[sent.public_id]), 302)]
    assert _messages(response) == [DECIDED]
    sent.refresh_from_db()
    assert sent.status == moves[-1]
    assert ApplicationEvent.objects.filter(application=sent).count() == events


def test_withdrawing_while_in_review_works_and_is_recorded(english, sent, owner):
    _decide(sent, ApplicationStatus.IN_REVIEW)

    response = english.post(
        reverse("loans:application_withdraw", args=[sent.public_id]),
        {"confirm": "on", "reason": "Otro crédito"},
        follow=True,
    )

    assert _messages(response) == ["Your application was withdrawn."]
    sent.refresh_from_db()
    assert sent.status == ApplicationStatus.WITHDRAWN
    event = ApplicationEvent.objects.filter(application=sent).last()
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        owner,
        "in_review",
        "withdrawn",
        "Otro crédito",
    )


def test_withdrawing_needs_the_box_ticked(english, sent):
    response = english.post(reverse("loans:application_withdraw", args=[sent.public_id]), {"reason": "x"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"confirm": ["Tick the box to confirm."]}
    sent.refresh_from_db()
    assert sent.status == ApplicationStatus.SUBMITTED


def test_a_document_uploaded_before_sending_stays_with_the_application(english, sent):
    document = sent.documents.get()

    response = english.post(reverse("loans:document_remove", args=[sent.public_id, document.public_id]), follow=True)

    # Refused, then sent on from the documents page (closed once sent) to the status page.
    assert _messages(response) == ["Documents of a sent application cannot be removed.", DOCUMENTS_CLOSED]
    assert response.redirect_chain[-1] == (reverse("loans:application_detail", args=[sent.public_id]), 302)
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
