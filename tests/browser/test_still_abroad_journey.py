"""A Colombian still in New York prepares her return on a small phone (issue 11).

She runs the self-check with a planned return, registers with her US phone, enrols in a
virtual cohort, writes a plan and gets her mentor's comment, and cannot send the application
yet. Back home (the return date moved to today in the test), she sends it; the operator
records her completion; the approver can disburse only after that. axe-core on every page.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from playwright.sync_api import expect

from applicants import services as applicant_services
from applicants.choices import DocumentType, EducationLevel, Sex
from applicants.models import User
from loans.applications import services as application_services
from loans.applications.documents import check_upload
from loans.choices import ApplicationStatus
from loans.models import LoanApplication
from loans.programmes.models import EnrolmentStatus, Modality, ProgrammeOperator
from loans.review import services as review
from tests.browser.helpers import assert_accessible, field, link_in_last_email, log_in
from tests.browser.journeys import admin_log_in, staff_with_backup_code, tiny_pdf
from tests.factories import PASSWORD, PlanFactory, ProductFactory, StaffFactory, UserFactory, UsuryCapFactory
from tests.programmes.conftest import make_programme

pytestmark = pytest.mark.browser

EMAIL = "ana.restrepo@example.com"


def _heading(page):
    return page.get_by_role("heading", level=1)


def _otp_log_in(page, site, user) -> None:
    """A staff session that passed the second factor (the admin login has its own journey)."""
    from django.test import Client

    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup")
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": site.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site.url},
        ]
    )


@pytest.fixture
def world(site):
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    for name, codenames in import_module("loans.migrations.0013_programme_roles_and_reminder").ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    sena = ProgrammeOperator.objects.create(name="SENA")
    cohort = make_programme(sena, modality=Modality.VIRTUAL, places=5)
    make_programme(
        ProgrammeOperator.objects.create(name="Cámara de Comercio"), modality=Modality.IN_PERSON, name="Presencial"
    )
    UsuryCapFactory()
    product = ProductFactory(name="Crédito Retorno Productivo")
    product.accepted_programmes.add(cohort.programme)
    operator = StaffFactory()
    operator.groups.add(Group.objects.get(name="Programme operator"))
    sena.staff.add(operator)
    mentor = UserFactory(email="mentora@example.co")
    mentor.groups.add(Group.objects.get(name="Mentor"))
    approver = staff_with_backup_code("Approver", "aprueba1")
    officer = staff_with_backup_code("Program officer", "oficial1")
    return {
        "cohort": cohort,
        "product": product,
        "operator": operator,
        "mentor": mentor,
        "approver": approver,
        "officer": officer,
    }


def _step(page, site, profile, slug):
    page.goto(f"{site.url}/perfil/{profile.public_id}/paso/{slug}/")
    assert_accessible(page)


def test_a_returnee_still_in_new_york_prepares_her_return_and_borrows_once_back_and_trained(
    page, chromium, site, world
):
    today = timezone.localdate()
    planned = today + timedelta(days=182)

    # 1. The self-check, in English, for a return six months ahead: never "eligible" today.
    page.goto(f"{site.url}/")
    page.get_by_role("button", name="English").click()
    assert_accessible(page)
    page.get_by_role("link", name="Check if you qualify, without an account").click()
    field(page, "Your birth date").fill("1990-09-08")
    page.get_by_role("group", name=re.compile("Are you a Colombian national")).get_by_label("Yes").check()
    field(page, "Your identity document").select_option("CC")
    field(page, "When you left Colombia").fill((today - timedelta(days=6 * 366)).isoformat())
    field(page, "When you came back, or when you plan to come back").fill(planned.isoformat())
    page.get_by_role("group", name=re.compile("Was your return forced")).get_by_label("No").check()
    field(page, "Return type").select_option("productivo")
    page.get_by_role("button", name="Check").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(
        "You have not come back yet. When you are back and registered in the RUR you would qualify."
    )
    expect(main).not_to_contain_text("You seem to meet the basic requirements.")
    assert_accessible(page)

    # 2. She registers and confirms her email.
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    field(page, "Email address").fill(EMAIL)
    field(page, "Password").fill(PASSWORD)
    field(page, "Repeat the password").fill(PASSWORD)
    field(page, "I have read and accept the processing of my personal data described above.").check()
    page.get_by_role("button", name="Create account").click()
    expect(_heading(page)).to_have_text("Confirm your email")
    page.goto(link_in_last_email(site.url))
    expect(_heading(page)).to_have_text("My account")
    user = User.objects.get(email=EMAIL)
    profile = user.profile
    # Identity, household and declarations have their own journey (test_signup_journey).
    applicant_services.profile_update(
        profile=profile,
        data={
            "document_type": DocumentType.CEDULA_CIUDADANIA,
            "document_number": "1032456789",
            "is_colombian_national": True,
            "first_names": "Ana Lucía",
            "last_names": "Restrepo",
            "birth_date": today.replace(year=today.year - 36),
            "sex": Sex.FEMALE,
            "education_level": EducationLevel.UNIVERSITY,
            "household_size": 2,
            "declares_no_custodial_sentence": True,
            "declares_no_public_admin_conviction": True,
            "declares_benefits_not_used": True,
            "declares_truthful": True,
        },
    )

    # Her US phone, typed as Americans write it, with the country chosen.
    _step(page, site, profile, "contact")
    field(page, "Country of the phone").select_option("US")
    field(page, "Mobile phone").fill("(212) 555-0123")
    page.get_by_role("button", name="Save and continue").click()
    # Still in New York.
    expect(_heading(page)).to_contain_text("Where you live")
    field(page, "I still live abroad").check()
    field(page, "Country where you live").select_option("US")
    field(page, "City where you live").fill("New York")
    field(page, "Address abroad").fill("123 W 45th St, New York, NY 10036")
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(_heading(page)).to_contain_text("Your return")
    field(page, "Country you will return from").select_option("US")
    field(page, "Date you left Colombia").fill((today - timedelta(days=6 * 366)).isoformat())
    field(page, "Date you plan to come back").fill(planned.isoformat())
    page.get_by_role("group", name=re.compile(r"^Return type")).get_by_role(
        "radio", name=re.compile(r"^Productive return: ")
    ).check()
    page.get_by_role("group", name=re.compile("Was your return forced")).get_by_label("No").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    profile.refresh_from_db()
    assert (profile.phone, profile.lives_abroad, profile.planned_return_date) == ("+12125550123", True, planned)

    # 3. The programmes, linked from the home page: she filters the virtual ones and enrols.
    page.goto(f"{site.url}/")
    page.get_by_role("link", name="Entrepreneurship programmes").first.click()
    expect(_heading(page)).to_have_text("Entrepreneurship programmes")
    field(page, "Modality").select_option("virtual")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("main").locator("article")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="Emprende tu retorno").click()
    assert_accessible(page)
    page.get_by_role("button", name="Enrol in this cohort").click()
    expect(page.get_by_role("status")).to_contain_text("You are enrolled. Welcome to the programme!")
    expect(page.locator("#enrolment-status")).to_have_text("Enrolled")
    assert_accessible(page)
    enrolment = user.enrolments.get()
    review_operator = world["operator"]
    from loans.programmes import services as programmes

    programmes.mentor_assign(enrolment=enrolment, mentor=world["mentor"], operator=review_operator)

    # 4. Her plan: named here, written in the plan editor (its own journey covers the fields).
    page.goto(f"{site.url}/planes/")
    field(page, "Business name").fill("Panadería La Esperanza")
    page.get_by_role("button", name="Create the plan").click()
    plan = user.business_plans.get()
    completed = PlanFactory.build(owner=user)
    for name in (
        "section",
        "division",
        "description",
        "stage",
        "municipality",
        "customers",
        "competition",
        "experience",
        "own_contribution",
        "monthly_sales",
        "monthly_costs",
        "jobs_to_create",
    ):
        setattr(plan, name, getattr(completed, name))
    plan.save()
    plan.items.create(category="machinery", description="Horno", amount=20_000_000)
    page.goto(f"{site.url}/mis-programas/{enrolment.public_id}/")
    field(page, "Business plan your mentor follows").select_option(str(plan.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your mentor will follow this plan.")

    # 5. The mentor reads the plan and comments; she answers.
    mentor_context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="es-CO")
    mentor_page = mentor_context.new_page()
    log_in(mentor_page, site, world["mentor"])
    mentor_page.goto(f"{site.url}/mentoria/")
    mentor_page.get_by_role("link", name="Ana Lucía Restrepo").click()
    expect(mentor_page.get_by_role("main")).to_contain_text("Panadería La Esperanza")
    assert_accessible(mentor_page)
    field(mentor_page, "Your comment").fill("Detalle el costo del horno con una cotización.")
    mentor_page.get_by_role("button", name="Send the comment").click()
    expect(mentor_page.get_by_role("status")).to_contain_text("Comment sent to your mentee.")
    assert_accessible(mentor_page)

    page.goto(f"{site.url}/cuenta/mensajes/")
    expect(page.get_by_role("main")).to_contain_text("Your mentor commented on your plan")
    assert_accessible(page)
    page.goto(f"{site.url}/mis-programas/{enrolment.public_id}/")
    expect(page.locator(".comments")).to_contain_text("Detalle el costo del horno con una cotización.")
    field(page, "Your comment").fill("Adjunté la cotización de Industrias Haceb.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("status")).to_contain_text("Answer sent to your mentor.")
    assert_accessible(page)

    # 6. The application is ready, but she still lives abroad: sending says why it must wait.
    application = application_services.application_create(applicant=user)
    application_services.application_set_plan(application=application, plan=plan)
    application_services.application_set_loan_request(
        application=application, product=world["product"], amount=10_000_000, term_months=24, grace_months=3
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    application_services.document_add(
        application=application,
        kind="id_document",
        upload=check_upload(SimpleUploadedFile("cedula.pdf", tiny_pdf(), content_type="application/pdf")),
        user=user,
    )
    application_services.application_accept_declarations(application=application)
    page.goto(f"{site.url}/solicitudes/{application.public_id}/revisar/")
    expect(page.get_by_role("main")).to_contain_text("You still live abroad, so the application cannot be sent yet")
    assert_accessible(page)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT

    # 7. Back home: the return happened today. She updates where she lives and her return, and sends.
    _step(page, site, profile, "residence")
    field(page, "I still live abroad").uncheck()
    field(page, "Department").select_option("05")
    field(page, "Municipality").select_option("05001")
    field(page, "Address").fill("Calle 10 # 43-25")
    page.get_by_role("button", name="Save and continue").click()
    expect(_heading(page)).to_contain_text("Your return")
    field(page, "Date you came back to Colombia").fill(today.isoformat())
    field(page, "RUR registration number").fill("RUR-2026-004512")
    page.get_by_role("button", name="Save and continue").click()
    page.goto(f"{site.url}/solicitudes/{application.public_id}/revisar/")
    assert_accessible(page)
    page.get_by_role("button", name="Send the application").click()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    programme_verdict = next(
        v for v in application.eligibility_results.get().verdicts if v["rule"] == "programme_enrolled"
    )
    assert programme_verdict["reason"] == "enrolled_in_programme"

    # 8. Approved; the approver cannot disburse before the programme is completed.
    review.application_recommend(application=application, officer=world["officer"], note="Viable", amount=8_000_000)
    application.refresh_from_db()  # another amount is a new offer, which she accepts before the approval
    application_services.offer_accept(
        application=application, user=application.applicant, offer_id=application.offer_id
    )
    review.application_approve(application=application, approver=world["approver"])
    approver_context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="es-CO")
    approving = approver_context.new_page()
    approving.goto(f"{site.url}/admin/")
    admin_log_in(approving, world["approver"], "aprueba1")

    def disburse(reference):
        approving.goto(f"{site.url}/admin/loans/loanapplication/{application.pk}/change/")
        approving.locator("#decisions").get_by_role("link", name="Desembolsar", exact=True).click()
        approving.get_by_label("Fecha de desembolso:").fill(today.isoformat())
        approving.get_by_label("Referencia bancaria de la transferencia:").fill(reference)
        approving.get_by_role("button", name="Desembolsar").click()

    disburse("BANCOLOMBIA-TRF-1")
    expect(approving.locator(".messagelist")).to_contain_text(
        "El crédito no se puede desembolsar hasta que la persona termine uno de los programas"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED

    # 9. The operator records her completion, with the second factor.
    operator_context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="es-CO")
    operating = operator_context.new_page()
    _otp_log_in(operating, site, review_operator)
    operating.goto(f"{site.url}/operador/")
    assert_accessible(operating)
    operating.get_by_role("link", name=re.compile("Emprende tu retorno")).click()
    assert_accessible(operating)
    operating.get_by_role("button", name="Record completion").click()
    expect(operating.get_by_role("status")).to_contain_text("Completion recorded.")
    assert_accessible(operating)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED

    # 10. Now the money can go out.
    disburse("BANCOLOMBIA-TRF-2")
    expect(approving.locator(".messagelist")).to_have_text("Hecho: Desembolsar.")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DISBURSED
    assert LoanApplication.objects.get(pk=application.pk).loan.bank_reference == "BANCOLOMBIA-TRF-2"
    for context in (mentor_context, approver_context, operator_context):
        context.close()
