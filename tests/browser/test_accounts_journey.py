"""Two account journeys on a small phone, in Spanish: a returnee withdraws their consent, and
an officer logs in to the admin in one step (password and code together)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from applicants.models import ConsentRecord
from applicants.services import consent_give
from loans.applications import services
from tests.browser.helpers import assert_accessible, log_in
from tests.browser.journeys import admin_log_in, staff_with_backup_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_returnee_withdraws_consent_sees_what_happens_and_is_logged_out(page, site, ready_draft, owner):
    consent_give(user=owner, language="es")
    services.application_submit(application=ready_draft, user=owner)
    ready_draft.refresh_from_db()
    assert ready_draft.status == "in_review"
    log_in(page, site, owner, language="es")

    page.goto(f"{site.url}/cuenta/consentimiento/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Su autorización de tratamiento de datos")
    expect(page.get_by_role("main")).to_contain_text("Autorizo al programa Retorno Productivo")
    expect(page.get_by_role("main")).to_contain_text("Historial de sus autorizaciones")
    assert_accessible(page)
    page.get_by_role("link", name="Retirar mi autorización").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Retirar su autorización")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Toda solicitud suya que no tenga decisión queda retirada")
    expect(main).to_contain_text("No le enviamos más correos, mensajes de texto ni recordatorios.")
    expect(main).to_contain_text("Su sesión se cierra ahora.")
    assert_accessible(page)
    page.get_by_role("button", name="Sí, retirar mi autorización").click()

    expect(page.get_by_role("status")).to_contain_text("Su autorización quedó retirada y su sesión se cerró.")
    expect(page.get_by_role("navigation", name="Principal").get_by_role("link", name="Ingresar")).to_be_visible()
    assert_accessible(page)
    ready_draft.refresh_from_db()
    assert ready_draft.status == "withdrawn"
    assert ConsentRecord.objects.get(user=owner).withdrawn_at is not None


def test_an_officer_logs_in_to_the_admin_in_one_step_in_spanish(page, site):
    officer = staff_with_backup_code("Program officer", "k7q2m9xa")

    page.goto(f"{site.url}/admin/")
    form = page.locator("#login-form")
    expect(form.get_by_label("Código", exact=False)).to_be_visible()
    expect(form.locator("select")).to_have_count(0)  # no list of devices, before or after

    page.get_by_label("Correo electrónico").fill(officer.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_label("Código", exact=False).first.fill("00000000")
    page.get_by_role("button", name="Ingresar").click()

    expect(page.get_by_role("alert")).to_have_text("El correo, la contraseña o el código no son correctos.")
    expect(form.locator("select")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Please")

    # django-otp throttles a device for a second after a wrong code; a person takes longer.
    page.wait_for_timeout(1500)
    admin_log_in(page, officer, "k7q2m9xa")
    expect(page).to_have_url(f"{site.url}/admin/")
