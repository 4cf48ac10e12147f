"""An officer asks a question in the admin, the returnee answers in the portal, and two people
recommend, approve and disburse: four eyes, a second factor for staff, and the audit trail."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from playwright.sync_api import expect

from loans.applications import services
from loans.models import Loan
from loans.review import services as review
from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.helpers import assert_accessible, field
from tests.browser.journeys import admin_log_in, portal_log_in, staff_with_backup_code, tiny_pdf
from tests.review.admin_pages import queued_application

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
QUESTION = "¿Puede enviar la cotización del horno? Necesitamos ver el precio del proveedor."
ANSWER = "Subí la cotización de Hornos Medellín: el horno cuesta $18.500.000 con instalación."

_axe = Axe()
# What axe-core finds in the chrome of Django's own admin (its login page has no h1, its search
# box is labelled by an icon, its breadcrumb links are told apart by colour alone). The project
# does not template these; anything else on an admin page fails the test.
DJANGO_ADMIN_CHROME = {
    ("page-has-heading-one", "html"),
    ("label-title-only", "#searchbar"),
    ("link-in-text-block", ".breadcrumbs"),
}


@pytest.fixture
def admin_violations():
    """axe-core's findings on each admin page visited: {path: [(rule, target), ...]}."""
    found: dict[str, list[tuple[str, str]]] = {}
    yield found
    print("axe-core on the admin pages:")
    for path, violations in found.items():
        print(f"  {path}: {len(violations)} " + ", ".join(f"{rule} on {target}" for rule, target in violations))


def _in_django_chrome(rule: str, target: str) -> bool:
    return any(rule == known and target.startswith(where) for known, where in DJANGO_ADMIN_CHROME)


@pytest.fixture
def program_officer(site):
    return staff_with_backup_code("Program officer", "oficial1")


@pytest.fixture
def approver(site):
    return staff_with_backup_code("Approver", "aprueba1")


@pytest.fixture
def in_review(site, ready_draft, owner, program_officer):
    """A sent application the (eager) eligibility check moved to review, in the officer's queue."""
    services.application_submit(application=ready_draft, user=owner)
    ready_draft.refresh_from_db()
    assert ready_draft.status == "in_review"
    review.application_assign(application=ready_draft, officer=program_officer, by=program_officer)
    # Others in the queue, which the filters must leave out.
    queued_application(product=ready_draft.product, status="in_review")
    queued_application(product=ready_draft.product, status="recommended", assigned_to=program_officer)
    return ready_draft


def _context(chromium, viewport):
    context = chromium.new_context(viewport=viewport, locale="es-CO")
    context.set_default_timeout(10_000)
    return context


def _check_admin_page(page, violations) -> None:
    path = re.sub(r"/\d+/", "/<id>/", urlsplit(page.url).path)
    results = _axe.run(page).response["violations"]
    found = [(rule["id"], str(node["target"][0])) for rule in results for node in rule["nodes"]]
    violations[path] = found
    assert all(_in_django_chrome(*violation) for violation in found), f"{path}: {found}"


def _admin_log_in(page, site, user, code: str, violations) -> None:
    page.goto(f"{site.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    _check_admin_page(page, violations)
    admin_log_in(page, user, code)
    expect(page).to_have_url(f"{site.url}/admin/")
    _check_admin_page(page, violations)


def _decide(page, decision: str, reference: str) -> None:
    page.locator(".review-panels").get_by_role("link", name=decision, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{decision} — {reference}")


def test_an_officer_asks_the_returnee_answers_and_another_person_approves_and_disburses(
    chromium, site, in_review, owner, program_officer, approver, admin_violations
):
    application = in_review
    today = timezone.localdate()
    reference = application.reference
    officer_context = _context(chromium, DESKTOP)
    applicant_context = _context(chromium, PHONE_VIEWPORT)
    approver_context = _context(chromium, DESKTOP)
    try:
        officer = officer_context.new_page()
        _admin_log_in(officer, site, program_officer, "oficial1", admin_violations)

        officer.get_by_role("link", name="Solicitudes de crédito").first.click()
        expect(officer.locator("#result_list tbody tr")).to_have_count(3)
        filters = officer.locator("#changelist-filter")
        filters.get_by_role("link", name="Mi bandeja").click()
        expect(officer.locator("#result_list tbody tr")).to_have_count(2)
        filters.locator("details[data-filter-title='estado']").get_by_role("link", name="En revisión").click()
        expect(officer).to_have_url(re.compile(r"queue=mine"))
        rows = officer.locator("#result_list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first.locator(".field-reference_or_draft")).to_have_text(reference)
        expect(rows.first.locator(".field-status")).to_have_text("En revisión")
        _check_admin_page(officer, admin_violations)
        rows.first.get_by_role("link", name=reference).click()

        expect(officer.locator("#content h2").first).to_have_text(reference)
        panels = officer.locator(".review-panels")
        expect(panels.locator("p").first.get_by_role("link")).to_have_text(
            ["Pedir información", "Recomendar", "Rechazar"]
        )
        _check_admin_page(officer, admin_violations)
        _decide(officer, "Pedir información", reference)
        _check_admin_page(officer, admin_violations)
        officer.get_by_label("Pregunta para el solicitante:").fill(QUESTION)
        officer.get_by_role("button", name="Pedir información").click()
        expect(officer.locator(".messagelist")).to_have_text("Hecho: Pedir información.")
        expect(panels).to_contain_text(QUESTION)
        application.refresh_from_db()
        assert application.status == "info_requested"

        # The returnee, on a phone, reads the question, uploads the quote and answers.
        applicant = applicant_context.new_page()
        portal_log_in(applicant, site, owner)
        applicant.goto(f"{site.url}/solicitudes/")
        applicant.get_by_role("main").get_by_role("link", name=reference).click()
        expect(applicant.get_by_role("heading", level=1)).to_have_text(f"Solicitud {reference}")
        expect(applicant.locator(".application-status")).to_have_text("Información pedida")
        conversation = applicant.locator(".conversation li")
        expect(conversation).to_have_count(1)
        expect(conversation.first).to_contain_text("Funcionario")
        expect(conversation.first).to_contain_text(QUESTION)
        expect(applicant.get_by_role("heading", name="El funcionario necesita más información")).to_be_visible()
        assert_accessible(applicant)

        applicant.get_by_role("link", name="Subir documentos", exact=True).click()
        expect(applicant.get_by_role("heading", level=1)).to_have_text("Documentos")
        assert_accessible(applicant)
        field(applicant, "Tipo de documento").select_option("plan_attachment")
        field(applicant, "Archivo").set_input_files(
            {"name": "cotizacion-horno.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}
        )
        applicant.get_by_role("button", name="Subir", exact=True).click()
        expect(applicant.get_by_role("status")).to_have_text("Documento subido.")
        expect(applicant.get_by_role("main")).to_contain_text("cotizacion-horno.pdf")
        assert_accessible(applicant)
        applicant.get_by_role("link", name="Volver a la solicitud").click()

        applicant.get_by_role("link", name="Responder al funcionario").click()
        expect(applicant.get_by_role("heading", level=1)).to_have_text("Responder al funcionario")
        assert_accessible(applicant)
        field(applicant, "Su respuesta").fill(ANSWER)
        applicant.get_by_role("button", name="Enviar la respuesta").click()

        expect(applicant.get_by_role("status")).to_have_text(
            "Su respuesta fue enviada. El funcionario seguirá con la revisión."
        )
        expect(applicant.locator(".application-status")).to_have_text("En revisión")
        expect(conversation).to_have_count(2)
        expect(conversation.nth(1)).to_contain_text(ANSWER)
        expect(applicant.get_by_role("link", name="Responder al funcionario")).to_have_count(0)
        assert_accessible(applicant)

        # The officer sees the answer and the new document, and recommends.
        officer.reload()
        expect(panels).to_contain_text(ANSWER)
        expect(panels).to_contain_text("cotizacion-horno.pdf")
        _decide(officer, "Recomendar", reference)
        officer.get_by_label("Nota para quien aprueba:").fill("Plan viable; la cotización confirma el costo.")
        officer.get_by_role("button", name="Recomendar").click()
        expect(officer.locator(".messagelist")).to_have_text("Hecho: Recomendar.")
        # Four eyes: whoever recommends is never offered the approval.
        expect(panels.get_by_role("link", name="Aprobar")).to_have_count(0)

        # A different person approves and disburses.
        approving = approver_context.new_page()
        _admin_log_in(approving, site, approver, "aprueba1", admin_violations)
        approving.get_by_role("link", name="Solicitudes de crédito").first.click()
        approving.locator("#changelist-filter details[data-filter-title='estado']").get_by_role(
            "link", name="Recomendada"
        ).click()
        approving.get_by_role("link", name=reference).click()
        approver_panels = approving.locator(".review-panels")
        # The second, "Send back to the officers", has no Spanish translation yet.
        decisions = approver_panels.locator("p").first.get_by_role("link")
        expect(decisions).to_have_count(2)
        expect(decisions.first).to_have_text("Aprobar")
        _decide(approving, "Aprobar", reference)
        approving.get_by_label("Nota:").fill("Aprobado en comité del viernes.")
        approving.get_by_role("button", name="Aprobar").click()
        expect(approving.locator(".messagelist")).to_have_text("Hecho: Aprobar.")

        _decide(approving, "Desembolsar", reference)
        _check_admin_page(approving, admin_violations)
        expect(approving.get_by_label("Monto desembolsado (COP):")).to_have_value("10000000")
        approving.get_by_label("Fecha de desembolso:").fill(today.isoformat())
        approving.get_by_label("Referencia bancaria de la transferencia:").fill("BANCOLOMBIA-TRF-778812")
        approving.get_by_role("button", name="Desembolsar").click()
        expect(approving.locator(".messagelist")).to_have_text("Hecho: Desembolsar.")
        expect(approver_panels).to_contain_text("En este estado usted no puede tomar ninguna decisión.")
        _check_admin_page(approving, admin_violations)

        # The returnee sees the outcome.
        applicant.reload()
        expect(applicant.locator(".application-status")).to_have_text("Desembolsada")
        assert_accessible(applicant)
    finally:
        officer_context.close()
        applicant_context.close()
        approver_context.close()

    application.refresh_from_db()
    assert application.status == "disbursed"
    assert application.recommended_by == program_officer
    assert application.approved_by == approver
    loan = Loan.objects.get(application=application)
    assert (loan.principal, loan.disbursed_on, loan.bank_reference, loan.disbursed_by) == (
        10_000_000,
        today,
        "BANCOLOMBIA-TRF-778812",
        approver,
    )
    assert (loan.term_months, loan.grace_months) == (24, 3)
    instalments = list(loan.instalments.order_by("number"))
    assert [i.number for i in instalments] == list(range(1, 25))
    assert instalments[0].due_date > today
    assert sum(i.principal for i in instalments) == 10_000_000
    assert list(application.events.values_list("from_status", "to_status", "actor")) == [
        ("draft", "submitted", owner.pk),
        ("submitted", "in_review", None),
        ("in_review", "in_review", program_officer.pk),  # assigned to themself: recorded, status unchanged
        ("in_review", "info_requested", program_officer.pk),
        ("info_requested", "in_review", owner.pk),
        ("in_review", "recommended", program_officer.pk),
        ("recommended", "approved", approver.pk),
        ("approved", "disbursed", approver.pk),
    ]
    assert application.events.get(to_status="info_requested").message_to_applicant == QUESTION
    assert list(application.messages.values_list("from_applicant", "sender", "body")) == [
        (False, program_officer.pk, QUESTION),
        (True, owner.pk, ANSWER),
    ]
    assert list(application.documents.order_by("pk").values_list("kind", "original_name", "uploaded_by")) == [
        ("id_document", "cedula.pdf", owner.pk),
        ("plan_attachment", "cotizacion-horno.pdf", owner.pk),
    ]
    # Each backup code worked once.
    assert not StaticToken.objects.filter(device__user__in=[program_officer, approver]).exists()
