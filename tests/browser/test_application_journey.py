"""A returnee with a complete profile applies for a loan on a small phone, in Spanish, and sends it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from loans.applications import services
from loans.models import ApplicationDocument, BusinessPlan, LoanApplication
from tests.browser.helpers import assert_accessible, field, log_in
from tests.browser.journeys import tiny_pdf
from tests.factories import PASSWORD, CompleteProfileFactory, PlanFactory, ProductFactory, UsuryCapFactory

pytestmark = pytest.mark.browser

PLAN_NAME = "Panadería La Esperanza"
CHANGE_LINKS = [
    "Cambiar nombre",
    "Cambiar documento",
    "Cambiar teléfono",
    "Cambiar nacionalidad",
    "Cambiar fecha de nacimiento",
    "Cambiar sexo",
    "Cambiar lugar donde vive",
    "Cambiar país",
    "Cambiar fecha de salida",
    "Cambiar fecha de regreso",
    "Cambiar tipo de retorno",
    "Cambiar regreso obligado",
    "Cambiar número RUR",
    "Cambiar estudios",
    "Cambiar hogar",
    "Cambiar plan",
    "Cambiar línea de crédito",
    "Cambiar monto",
    "Cambiar plazo",
    "Cambiar documentos",
    "Cambiar declaraciones",
]


def _heading(page):
    return page.get_by_role("heading", level=1)


def _status(page):
    return page.get_by_role("status")


def _task(page, title: str):
    return page.locator(".task-list li").filter(has=page.get_by_role("link", name=title, exact=True))


@pytest.fixture
def open_product(site):
    UsuryCapFactory()
    return ProductFactory(name="Crédito Retorno Productivo")


def test_a_returnee_writes_a_plan_asks_for_a_loan_and_sends_the_application(page, site, open_product):
    profile = CompleteProfileFactory(first_names="Ana María", last_names="López Restrepo")
    user = profile.user

    page.goto(f"{site.url}/cuenta/entrar/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_accessible(page)
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()
    expect(_heading(page)).to_have_text("Mi cuenta")
    assert_accessible(page)

    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Mis solicitudes").click()
    expect(_heading(page)).to_have_text("Mis solicitudes")
    expect(page.get_by_role("main")).to_contain_text("Todavía no tiene solicitudes.")
    assert_accessible(page)
    page.get_by_role("button", name="Empezar una solicitud").click()

    expect(_heading(page)).to_have_text("Su solicitud de crédito")
    expect(page.get_by_role("main")).to_contain_text("Ha completado 1 de 5 partes.")
    expect(_task(page, "Su perfil")).to_contain_text("Completada")
    expect(_task(page, "Plan de negocio")).to_contain_text("Sin empezar o sin terminar")
    assert_accessible(page)

    # The plan: written on its own page, then chosen for the application.
    page.get_by_role("link", name="Plan de negocio", exact=True).click()
    expect(_heading(page)).to_have_text("Plan de negocio")
    expect(page.get_by_role("main")).to_contain_text("Todavía no tiene un plan de negocio.")
    assert_accessible(page)
    page.get_by_role("link", name="Escriba un plan nuevo o edite sus planes").click()

    expect(_heading(page)).to_have_text("Mis planes de negocio")
    assert_accessible(page)
    field(page, "Nombre del negocio").fill(PLAN_NAME)
    page.get_by_role("button", name="Crear el plan").click()

    expect(_heading(page)).to_have_text(PLAN_NAME)
    assert_accessible(page)
    field(page, "Sector (sección CIIU)").select_option("C")
    field(page, "Actividad (división CIIU)").select_option(label="10 · Elaboración de productos alimenticios.")
    field(page, "A qué se dedica el negocio").fill("Pan artesanal y tortas por encargo para el barrio.")
    page.get_by_role("group", name="Etapa").get_by_label("Una idea, todavía sin empezar").check()
    field(page, "Municipio").select_option("05001")
    field(page, "Clientes").fill("Familias y tiendas de Manrique.")
    field(page, "Competencia").fill("Dos panaderías industriales; la mía hornea a la vista.")
    field(page, "Experiencia relacionada, incluido el trabajo en el exterior").fill("Seis años de panadera en Miami.")
    field(page, "Aporte propio (COP)").fill("5.000.000")
    field(page, "Ventas mensuales esperadas (COP)").fill("9.000.000")
    field(page, "Costos mensuales esperados (COP)").fill("6.000.000")
    field(page, "Empleos que va a generar").fill("2")
    investment = page.get_by_role("group", name="Inversión, rubro por rubro")
    lines = [("machinery", "Horno industrial", "12.000.000"), ("tools", "Vitrina refrigerada", "3.000.000")]
    for row, (category, description, amount) in enumerate(lines):
        field(investment, "Categoría").nth(row).select_option(category)
        field(investment, "Descripción").nth(row).fill(description)
        field(investment, "Valor (COP)").nth(row).fill(amount)
    assert_accessible(page)
    page.get_by_role("button", name="Guardar el plan").click()

    expect(_status(page)).to_have_text("Plan guardado.")
    expect(page.get_by_role("main")).not_to_contain_text("Para completar antes de enviar")
    expect(investment).to_contain_text("Total hasta ahora: $15.000.000")
    expect(field(investment, "Valor (COP)").nth(0)).to_have_value("12.000.000")
    assert_accessible(page)

    # Back to the draft, as a returnee would find it again.
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Mis solicitudes").click()
    page.get_by_role("main").get_by_role("link", name="Solicitud en borrador").click()
    expect(_heading(page)).to_have_text("Su solicitud de crédito")
    page.get_by_role("link", name="Plan de negocio", exact=True).click()
    page.get_by_role("group", name="Plan de negocio").get_by_label(PLAN_NAME).check()
    assert_accessible(page)
    page.get_by_role("button", name="Usar este plan").click()

    expect(_heading(page)).to_have_text("Su solicitud de crédito")
    expect(_task(page, "Plan de negocio")).to_contain_text("Completada")

    # The loan request, with the schedule seen before saving.
    page.get_by_role("link", name="Datos del crédito", exact=True).click()
    expect(_heading(page)).to_have_text("Datos del crédito")
    expect(page.get_by_role("main")).to_contain_text("Inversión de su plan: $15.000.000.")
    assert_accessible(page)
    field(page, "Línea de crédito").select_option(label=open_product.name)
    field(page, "Monto (pesos)").fill("10.000.000")
    field(page, "Plazo (meses)").fill("24")
    field(page, "Periodo de gracia (meses)").fill("3")
    page.get_by_role("button", name="Ver el plan de pagos").click()

    expect(page.get_by_role("heading", name="Su plan de pagos")).to_be_visible()
    schedule = page.get_by_role("table", name="Plan de pagos, en pesos")
    expect(schedule.locator("tbody tr")).to_have_count(24)
    expect(schedule.locator("tbody tr").first).to_contain_text("gracia")
    expect(field(page, "Monto (pesos)")).to_have_value("10.000.000")
    assert_accessible(page)
    page.get_by_role("button", name="Guardar los datos del crédito").click()

    expect(_status(page)).to_have_text("Datos del crédito guardados.")
    expect(_task(page, "Datos del crédito")).to_contain_text("Completada")

    # The document the product asks for.
    page.get_by_role("link", name="Documentos", exact=True).click()
    expect(_heading(page)).to_have_text("Documentos")
    expect(page.get_by_role("main")).to_contain_text("Todavía falta: Documento de identidad.")
    assert_accessible(page)
    field(page, "Tipo de documento").select_option(label="Documento de identidad")
    field(page, "Archivo").set_input_files(
        {"name": "cedula-ana.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}
    )
    page.get_by_role("button", name="Subir", exact=True).click()

    expect(_status(page)).to_have_text("Documento subido.")
    expect(page.get_by_role("main").get_by_role("listitem").filter(has_text="cedula-ana.pdf")).to_contain_text(
        "Documento de identidad"
    )
    expect(page.get_by_role("main")).not_to_contain_text("Todavía falta")
    assert_accessible(page)
    page.get_by_role("link", name="Volver a la solicitud").click()

    page.get_by_role("link", name="Declaraciones", exact=True).click()
    expect(_heading(page)).to_have_text("Declaraciones")
    assert_accessible(page)
    declarations = page.get_by_role("checkbox")
    expect(declarations).to_have_count(3)
    for checkbox in declarations.all():
        checkbox.check()
    page.get_by_role("button", name="Aceptar").click()

    expect(_heading(page)).to_have_text("Su solicitud de crédito")
    expect(page.get_by_role("main")).to_contain_text("Ha completado 5 de 5 partes.")
    expect(page.locator(".task-list .badge")).to_have_text(["Completada"] * 5)
    assert_accessible(page)

    page.get_by_role("link", name="Revise sus respuestas y envíe").click()
    expect(_heading(page)).to_have_text("Revise sus respuestas antes de enviar")
    main = page.get_by_role("main")
    expect(main).not_to_contain_text("Todavía no puede enviar la solicitud")
    # Each answer has its own Change link, named for what it changes (the rest is visually hidden).
    for name in CHANGE_LINKS:
        expect(main.get_by_role("link", name=name, exact=True)).to_have_count(1)
    expect(main.get_by_role("link", name=re.compile(r"^Cambiar "))).to_have_count(len(CHANGE_LINKS))
    expect(main).to_contain_text("Ana María López Restrepo")
    expect(main).to_contain_text(f"{PLAN_NAME} · $15.000.000")
    expect(main).to_contain_text(open_product.name)
    expect(main).to_contain_text("$10.000.000")
    expect(main).to_contain_text("24 meses, 3 de periodo de gracia")
    expect(main).to_contain_text("Documento de identidad")
    assert_accessible(page)
    page.get_by_role("button", name="Enviar la solicitud").click()

    application = LoanApplication.objects.get(applicant=user)
    reference = application.reference
    assert re.fullmatch(r"RP-\d{4}-\d{6}", reference)
    expect(_heading(page)).to_have_text(f"Solicitud {reference}")
    expect(_status(page)).to_have_text(f"Solicitud enviada. Su número de referencia es {reference}.")
    expect(page.locator(".application-status")).to_have_text("En revisión")
    expect(page.locator(".timeline strong")).to_have_text(["Enviada", "En revisión"])
    expect(page.get_by_role("main")).to_contain_text("Plan de negocio tal como se envió")
    assert_accessible(page)

    page.get_by_role("link", name="Mis solicitudes").first.click()
    expect(page.get_by_role("main").get_by_role("link", name=reference)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("En revisión")
    assert_accessible(page)

    application.refresh_from_db()
    plan = BusinessPlan.objects.get(owner=user)
    assert application.status == "in_review"
    assert application.plan == plan
    assert (application.product, application.amount, application.term_months, application.grace_months) == (
        open_product,
        10_000_000,
        24,
        3,
    )
    assert application.submitted_at is not None
    assert application.declarations_accepted_at is not None
    assert (application.business_department_id, application.business_section_id) == ("05", "C")
    frozen = application.frozen_plan
    assert frozen["name"] == PLAN_NAME
    assert (frozen["section"], frozen["division"], frozen["municipality"]) == ("C", "10", "05001")
    assert (frozen["own_contribution"], frozen["monthly_sales"], frozen["monthly_costs"]) == (
        5_000_000,
        9_000_000,
        6_000_000,
    )
    assert frozen["jobs_to_create"] == 2
    assert frozen["total_investment"] == 15_000_000
    assert [(item["category"], item["description"], item["amount"]) for item in frozen["items"]] == [
        ("machinery", "Horno industrial", 12_000_000),
        ("tools", "Vitrina refrigerada", 3_000_000),
    ]
    assert application.frozen_profile["document_number_hash"] == profile.document_number_hash
    assert (application.frozen_profile["first_names"], application.frozen_profile["municipality"]) == (
        "Ana María",
        "05001",
    )
    document = ApplicationDocument.objects.get(application=application)
    assert (document.kind, document.original_name, document.content_type) == (
        "id_document",
        "cedula-ana.pdf",
        "application/pdf",
    )
    assert document.size == len(tiny_pdf())
    with document.file.open("rb") as stored:
        assert stored.read() == tiny_pdf()
    assert list(application.events.values_list("from_status", "to_status", "actor")) == [
        ("draft", "submitted", user.pk),
        ("submitted", "in_review", None),
    ]
    assert application.eligibility_results.count() == 1


def test_without_javascript_the_plan_and_the_loan_request_are_saved(
    page_without_js, site, open_product, assert_accessible_without_js
):
    page = page_without_js
    profile = CompleteProfileFactory()
    plan = PlanFactory(owner=profile.user, name="Taller de motos", section=None, division=None, items=False)
    application = services.application_create(applicant=profile.user)
    services.application_set_plan(application=application, plan=plan)
    log_in(page, site, profile.user, language="es")

    page.goto(f"{site.url}/planes/{plan.public_id}/?next=/solicitudes/{application.public_id}/")
    expect(_heading(page)).to_have_text("Taller de motos")
    assert_accessible_without_js(page)
    # Without the script every activity is listed; the server checks it belongs to the sector.
    field(page, "Sector (sección CIIU)").select_option("G")
    field(page, "Actividad (división CIIU)").select_option("45")
    field(page, "Aporte propio (COP)").fill("$ 2.500.000")
    investment = page.get_by_role("group", name="Inversión, rubro por rubro")
    field(investment, "Categoría").first.select_option("tools")
    field(investment, "Descripción").first.fill("Elevador hidráulico")
    field(investment, "Valor (COP)").first.fill("8.000.000")
    page.get_by_role("button", name="Guardar el plan").click()

    expect(_heading(page)).to_have_text("Su solicitud de crédito")
    expect(_status(page)).to_have_text("Plan guardado.")
    expect(_task(page, "Plan de negocio")).to_contain_text("Completada")
    assert_accessible_without_js(page)
    plan.refresh_from_db()
    assert (plan.section_id, plan.division_id, plan.own_contribution) == ("G", "45", 2_500_000)
    assert list(plan.items.values_list("category", "description", "amount")) == [
        ("tools", "Elevador hidráulico", 8_000_000)
    ]

    page.get_by_role("link", name="Datos del crédito", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Inversión de su plan: $8.000.000.")
    field(page, "Línea de crédito").select_option(label=open_product.name)
    field(page, "Monto (pesos)").fill("6.000.000")
    field(page, "Plazo (meses)").fill("12")
    field(page, "Periodo de gracia (meses)").fill("0")
    page.get_by_role("button", name="Ver el plan de pagos").click()

    expect(page.get_by_role("table", name="Plan de pagos, en pesos").locator("tbody tr")).to_have_count(12)
    assert_accessible_without_js(page)
    page.get_by_role("button", name="Guardar los datos del crédito").click()

    expect(_status(page)).to_have_text("Datos del crédito guardados.")
    expect(_task(page, "Datos del crédito")).to_contain_text("Completada")
    application.refresh_from_db()
    assert (application.product, application.amount, application.term_months, application.grace_months) == (
        open_product,
        6_000_000,
        12,
        0,
    )
