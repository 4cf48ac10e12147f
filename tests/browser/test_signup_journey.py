"""A returnee signs up and fills the profile on a small phone, with and without JavaScript."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from applicants.choices import DocumentType, EducationLevel, ReturnType, Sex
from applicants.models import Notification, ReturneeProfile, User
from tests.browser.helpers import assert_accessible, field, link_in_last_email, log_in
from tests.factories import PASSWORD, CompleteProfileFactory

pytestmark = pytest.mark.browser

EMAIL = "ana.lopez@example.co"
STEP_TITLES = ["Identity", "Contact", "Where you live", "Your return", "Education and household", "Declarations"]
RETURN_UNANSWERED = {
    "country_returned_from": "",
    "departure_date": None,
    "return_date": None,
    "return_type": "",
    "forced_return": None,
    "rur_number": "",
}


def _heading(page):
    return page.get_by_role("heading", level=1)


def _save_step(page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def test_a_returnee_signs_up_confirms_the_email_and_completes_the_profile(page, site):
    page.goto(f"{site.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(_heading(page)).to_have_text("Loans to start your business back home")
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    expect(_heading(page)).to_have_text("Create an account")
    assert_accessible(page)
    field(page, "Email address").fill(EMAIL)
    field(page, "Password").fill(PASSWORD)
    field(page, "Repeat the password").fill(PASSWORD)
    field(page, "I have read and accept the processing of my personal data described above.").check()
    page.get_by_role("button", name="Create account").click()

    expect(_heading(page)).to_have_text("Confirm your email")
    expect(page.get_by_role("main")).to_contain_text(
        f"We sent a link to {EMAIL}. Open it to confirm your address. It is valid for 3 days."
    )
    assert_accessible(page)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]

    page.goto(link_in_last_email(site.url))
    expect(_heading(page)).to_have_text("My account")
    expect(page.get_by_role("status")).to_have_text("Thank you: your email address is confirmed.")
    assert_accessible(page)

    page.get_by_role("link", name="Continue your profile").click()
    expect(_heading(page)).to_have_text("Identity")
    assert_accessible(page)
    field(page, "Document type").select_option(DocumentType.CEDULA_CIUDADANIA)
    field(page, "Document number").fill("1020304050")
    page.get_by_role("group", name="Are you a Colombian national?").get_by_label("Yes").check()
    field(page, "First names").fill("Ana María")
    field(page, "Last names").fill("López Restrepo")
    field(page, "Birth date").fill("1985-05-20")
    field(page, "Sex").select_option(label="Female")
    _save_step(page)

    expect(_heading(page)).to_have_text("Contact")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert_accessible(page)
    field(page, "Mobile phone").fill("300 123 4567")
    _save_step(page)

    expect(_heading(page)).to_have_text("Where you live")
    assert_accessible(page)
    field(page, "Department").select_option(label="Antioquia")
    municipality = field(page, "Municipality")
    # The script leaves only the chosen department's municipalities to choose from.
    shown = municipality.locator("optgroup:not([hidden])").evaluate_all("groups => groups.map(g => g.label)")
    assert shown == ["Antioquia"]
    municipality.select_option(label="Medellín")
    field(page, "Address").fill("Calle 10 # 43-25, El Poblado")
    assert_accessible(page)
    _save_step(page)

    expect(_heading(page)).to_have_text("Your return")
    assert_accessible(page)
    field(page, "Country you returned from").select_option(label="United States")
    field(page, "Date you left Colombia").fill("2015-01-10")
    field(page, "Date you came back to Colombia").fill("2025-06-15")
    page.get_by_role("group", name=re.compile(r"^Return type")).get_by_role(
        "radio", name=re.compile(r"^Productive return: ")
    ).check()
    page.get_by_role("group", name="Was your return forced (for example, a deportation)?").get_by_label("No").check()
    field(page, "RUR registration number").fill("RUR-998877")
    _save_step(page)

    expect(_heading(page)).to_have_text("Education and household")
    assert_accessible(page)
    field(page, "Education level").select_option(EducationLevel.TECHNICAL)
    field(page, "Household size").fill("4")
    _save_step(page)

    expect(_heading(page)).to_have_text("Declarations")
    assert_accessible(page)
    declarations = page.get_by_role("checkbox")
    expect(declarations).to_have_count(4)
    for checkbox in declarations.all():
        checkbox.check()
    _save_step(page)

    expect(_heading(page)).to_have_text("Your data")
    expect(page.get_by_role("status").locator(".alert")).to_have_text(["Saved.", "Your profile is complete."])
    steps = page.get_by_role("navigation", name="Profile steps").get_by_role("listitem")
    expect(steps).to_have_text([f"{title} Complete" for title in STEP_TITLES], use_inner_text=True)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Citizenship card (cédula de ciudadanía) 1020304050")
    expect(main).to_contain_text("Ana María López Restrepo")
    expect(main).to_contain_text("300 1234567")
    expect(main).to_contain_text("Calle 10 # 43-25, El Poblado Medellín Antioquia")
    expect(main).to_contain_text("United States")
    assert_accessible(page)

    user = User.objects.get(email=EMAIL)
    assert user.email_verified_at is not None
    assert user.preferred_language == "en"
    profile = ReturneeProfile.objects.get(user=user)
    assert profile.document_type == DocumentType.CEDULA_CIUDADANIA
    assert profile.document_number == "1020304050"
    assert profile.document_number_hash != ""
    assert profile.is_colombian_national is True
    assert (profile.first_names, profile.last_names) == ("Ana María", "López Restrepo")
    assert profile.birth_date == date(1985, 5, 20)
    assert profile.sex == Sex.FEMALE
    assert profile.phone == "+573001234567"
    assert profile.phone_hash != ""
    assert profile.department_id == "05"
    assert profile.municipality_id == "05001"
    assert profile.address == "Calle 10 # 43-25, El Poblado"
    assert profile.country_returned_from == "US"
    assert (profile.departure_date, profile.return_date) == (date(2015, 1, 10), date(2025, 6, 15))
    assert profile.return_type == ReturnType.PRODUCTIVO
    assert profile.forced_return is False
    assert profile.rur_number == "RUR-998877"
    assert profile.education_level == EducationLevel.TECHNICAL
    assert profile.household_size == 4
    assert profile.declares_no_custodial_sentence is True
    assert profile.declares_no_public_admin_conviction is True
    assert profile.declares_benefits_not_used is True
    assert profile.declares_truthful is True
    assert profile.declarations_accepted_at is not None


def test_a_return_date_before_departure_is_explained_and_the_answers_are_kept(page, site):
    profile = CompleteProfileFactory(**RETURN_UNANSWERED)
    log_in(page, site, profile.user)
    page.goto(f"{site.url}/perfil/{profile.public_id}/paso/return/")
    expect(_heading(page)).to_have_text("Your return")

    field(page, "Country you returned from").select_option("ES")
    field(page, "Date you left Colombia").fill("2019-03-01")
    field(page, "Date you came back to Colombia").fill("2018-12-24")
    page.get_by_role("group", name=re.compile(r"^Return type")).get_by_role(
        "radio", name=re.compile(r"^Labour return: ")
    ).check()
    page.get_by_role("group", name="Was your return forced (for example, a deportation)?").get_by_label("Yes").check()
    field(page, "RUR registration number").fill("RUR-5544")
    _save_step(page)

    message = "The return date cannot be before the date you left Colombia."
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("listitem")).to_have_text([f"Date you came back to Colombia: {message}"])
    # The summary comes before the form, at the top of the page.
    assert summary.bounding_box()["y"] < page.get_by_role("main").locator("form").bounding_box()["y"]
    return_date = field(page, "Date you came back to Colombia")
    expect(return_date).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_return_date_error")).to_have_text(message)
    expect(return_date).to_have_accessible_description(re.compile(re.escape(message)))
    assert_accessible(page)

    expect(field(page, "Country you returned from")).to_have_value("ES")
    expect(field(page, "Date you left Colombia")).to_have_value("2019-03-01")
    expect(return_date).to_have_value("2018-12-24")
    expect(
        page.get_by_role("group", name=re.compile(r"^Return type")).get_by_role(
            "radio", name=re.compile(r"^Labour return: ")
        )
    ).to_be_checked()
    forced = page.get_by_role("group", name="Was your return forced (for example, a deportation)?")
    expect(forced.get_by_label("Yes")).to_be_checked()
    expect(field(page, "RUR registration number")).to_have_value("RUR-5544")

    summary.get_by_role("link").click()
    expect(return_date).to_be_focused()

    profile.refresh_from_db()
    assert profile.country_returned_from == ""
    assert profile.departure_date is None
    assert profile.return_date is None
    assert profile.forced_return is None
    assert profile.rur_number == ""


def test_without_javascript_every_municipality_is_listed_and_the_server_checks_the_pair(
    page_without_js, site, assert_accessible_without_js
):
    page = page_without_js
    profile = CompleteProfileFactory(department=None, municipality=None, address=None, **RETURN_UNANSWERED)
    log_in(page, site, profile.user)
    page.goto(f"{site.url}/perfil/{profile.public_id}/paso/residence/")
    expect(_heading(page)).to_have_text("Where you live")
    assert_accessible_without_js(page)

    municipality = field(page, "Municipality")
    groups = municipality.locator("optgroup")
    expect(groups).to_have_count(33)
    expect(municipality.locator("optgroup[hidden], optgroup[disabled]")).to_have_count(0)
    expect(municipality.locator("optgroup[label='Antioquia'] option", has_text="Medellín")).to_have_count(1)
    expect(municipality.locator("optgroup[label='Cundinamarca'] option", has_text="Zipaquirá")).to_have_count(1)

    field(page, "Department").select_option(label="Cundinamarca")
    municipality.select_option("05001")
    field(page, "Address").fill("Carrera 7 # 12-30")
    _save_step(page)

    message = "Medellín is not in Cundinamarca. Choose a municipality of that department."
    expect(page.get_by_role("alert").get_by_role("listitem")).to_have_text([f"Municipality: {message}"])
    expect(page.locator("#id_municipality_error")).to_have_text(message)
    expect(field(page, "Department")).to_have_value("25")
    expect(field(page, "Address")).to_have_value("Carrera 7 # 12-30")
    assert_accessible_without_js(page)
    profile.refresh_from_db()
    assert (profile.department_id, profile.municipality_id, profile.address) == (None, None, None)

    field(page, "Department").select_option(label="Antioquia")
    field(page, "Municipality").select_option("05001")
    _save_step(page)

    expect(_heading(page)).to_have_text("Your return")
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert_accessible_without_js(page)
    profile.refresh_from_db()
    assert (profile.department_id, profile.municipality_id, profile.address) == ("05", "05001", "Carrera 7 # 12-30")


def test_the_other_account_pages_pass_axe_in_spanish(page, site):
    """The pages the journey does not pass through, in the default language."""
    profile = CompleteProfileFactory(user__email_verified_at=None)
    Notification.objects.create(
        key="test:1", user=profile.user, kind="test", subject="Su solicitud", body="Tiene un mensaje.", link=""
    )
    anonymous = ["/como-funciona/", "/cuenta/entrar/", "/cuenta/clave/", "/cuenta/clave/enviada/", "/no-existe/"]
    for path in anonymous:
        page.goto(f"{site.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        assert_accessible(page)

    page.goto(f"{site.url}/cuenta/entrar/")
    page.locator("#id_username").fill("nadie@example.co")
    page.locator("#id_password").fill("no-es-la-clave")
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_role("alert")).to_be_focused()
    assert_accessible(page)

    page.goto(f"{site.url}/cuenta/confirmar/MQ/no-es-un-token/")
    assert_accessible(page)

    log_in(page, site, profile.user, language="es")
    for path in [
        "/cuenta/",
        "/cuenta/mensajes/",
        "/cuenta/consentimiento/",
        f"/perfil/{profile.public_id}/",
        f"/perfil/{profile.public_id}/eliminar/",
    ]:
        page.goto(f"{site.url}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        assert_accessible(page)

    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_role("alert")).to_be_focused()
    assert_accessible(page)
