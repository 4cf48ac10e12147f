"""The programme in motion for ``seed_demo``: returnees whose applications stand in every status,
with documents, messages and eligibility results, and loans current, in arrears and repaid with
their payments and follow-up visits. Everything goes through the same services the site uses
(submission runs the eligibility check, decisions go through the one transition), so the queue,
the reports and the open statistics show what they would in real use. Same data every run:
fixed names and amounts, dates counted from today."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applicants import services as applicant_services
from applicants.choices import DocumentType, EducationLevel, ReturnType, Sex
from applicants.models import Department, EconomicDivision, Municipality, User
from loans.applications import checks, services
from loans.applications.documents import check_upload
from loans.applications.models import BusinessPlan, InvestmentItem
from loans.choices import DocumentKind, InvestmentCategory
from loans.products.models import LoanProduct
from loans.review import services as review
from loans.servicing import repayments
from loans.servicing.models import FollowUpVisit, Loan
from portal.uploads import one_page_pdf

# (first names, last names, sex, department, municipality, country, business, CIIU section/division,
#  amount, target): the target is where the application stands at the end.
PEOPLE = [
    ("Luz Marina", "Restrepo Gil", Sex.FEMALE, "05", "05001", "US", "Taller de costura", "C", "14", 9, "in_review"),
    ("Carlos Andrés", "Mejía Soto", Sex.MALE, "76", "76001", "ES", "Tienda de barrio", "G", "47", 7, "in_review"),
    ("Diana Patricia", "Ruiz Ochoa", Sex.FEMALE, "08", "08001", "VE", "Comidas rápidas", "I", "56", 6, "info"),
    ("Jhon Fredy", "Cárdenas Mora", Sex.MALE, "11", "11001", "US", "Lavadero de carros", "S", "95", 10, "answered"),
    ("Sandra Milena", "Ortiz Vega", Sex.FEMALE, "68", "68001", "CL", "Panadería", "C", "10", 12, "recommended"),
    ("Óscar Iván", "Londoño Pérez", Sex.MALE, "05", "05088", "US", "Carpintería", "C", "16", 15, "approved"),
    ("Yolanda", "Gutiérrez Rojas", Sex.FEMALE, "17", "17001", "ES", "Cafetería", "I", "56", 8, "rejected"),
    ("Héctor Fabio", "Quintero Díaz", Sex.MALE, "76", "76109", "EC", "Pesca artesanal", "A", "03", 5, "withdrawn"),
    ("Marta Lucía", "Salazar Núñez", Sex.FEMALE, "05", "05001", "US", "Peluquería", "S", "96", 6, "ineligible"),
    ("Wilson", "Arango Tabares", Sex.MALE, "13", "13001", "PA", "Mototaxi eléctrico", "H", "49", 9, "current"),
    ("Ana Lucía", "Benítez Cano", Sex.FEMALE, "11", "11001", "US", "Confecciones", "C", "14", 12, "current"),
    ("Fernando", "Zapata Muñoz", Sex.MALE, "08", "08001", "VE", "Ferretería", "G", "47", 10, "arrears"),
    ("Gloria Inés", "Valencia Ríos", Sex.FEMALE, "68", "68001", "ES", "Huerta orgánica", "A", "01", 6, "arrears"),
    ("Ricardo", "Henao Betancur", Sex.MALE, "05", "05001", "US", "Taller de motos", "G", "45", 8, "repaid"),
]


def _months_ago(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, 28))


def seed_programme(password: str) -> int:
    """Create the demo programme once; returns how many applications it made (0 if there already)."""
    if User.objects.filter(email="demo01@demo.retorno.co").exists():
        return 0
    today = timezone.localdate()
    product = LoanProduct.objects.get(code="retorno-productivo-2026")
    officer = User.objects.get(email="oficial@demo.retorno.co")
    approver = User.objects.get(email="aprobador@demo.retorno.co")
    pdf = one_page_pdf()
    # One hash for every demo returnee: Argon2 on each would be most of the seed's time.
    hashed = make_password(password)
    for number, person in enumerate(PEOPLE, start=1):
        first, last, sex, department, municipality, country, business, section, division, millions, target = person
        user = User.objects.create(
            email=f"demo{number:02d}@demo.retorno.co", password=hashed, email_verified_at=timezone.now()
        )
        applicant_services.consent_give(user=user, language="es")
        profile = applicant_services.profile_ensure(user=user)
        short_stay = target == "ineligible"
        applicant_services.profile_update(
            profile=profile,
            data={
                "document_type": DocumentType.CEDULA_CIUDADANIA,
                "document_number": f"{40_000_000 + number * 7919}",
                "is_colombian_national": True,
                "first_names": first,
                "last_names": last,
                "birth_date": date(1970 + number, (number % 12) + 1, 10),
                "sex": sex,
                "phone": f"+57310{5_550_000 + number:07d}",
                "department": Department.objects.get(code=department),
                "municipality": Municipality.objects.get(code=municipality),
                "address": f"Calle {number + 10} # {number * 3}-{number + 20}",
                "country_returned_from": country,
                "departure_date": date(2024, 1, 15) if short_stay else date(2012 + number % 8, 3, 1),
                "return_date": today - timedelta(days=60 + number * 9),
                "return_type": ReturnType.PRODUCTIVO,
                "forced_return": number % 5 == 0,
                "rur_number": "" if number % 4 == 0 else f"RUR-2026-{number:06d}",
                "education_level": EducationLevel.SECONDARY,
                "household_size": 2 + number % 4,
                "declares_no_custodial_sentence": True,
                "declares_no_public_admin_conviction": True,
                "declares_benefits_not_used": True,
                "declares_truthful": True,
            },
        )
        plan = BusinessPlan.objects.create(
            owner=user,
            name=business,
            section_id=section,
            division=EconomicDivision.objects.get(code=division),
            description=f"{business} en {Municipality.objects.get(code=municipality).name}.",
            stage="idea",
            municipality=Municipality.objects.get(code=municipality),
            customers="Vecinos y negocios del sector.",
            competition="Pocos negocios parecidos cerca.",
            experience="Varios años de oficio en el exterior.",
            own_contribution=2_000_000,
            monthly_sales=millions * 600_000,
            monthly_costs=millions * 400_000,
            jobs_to_create=1 + number % 3,
        )
        InvestmentItem.objects.create(
            plan=plan, category=InvestmentCategory.MACHINERY, description="Equipos", amount=millions * 1_000_000
        )
        InvestmentItem.objects.create(
            plan=plan, category=InvestmentCategory.INVENTORY, description="Insumos", amount=millions * 250_000
        )
        application = services.application_create(applicant=user)
        services.application_set_plan(application=application, plan=plan)
        services.application_set_loan_request(
            application=application,
            product=product,
            amount=millions * 1_000_000,
            term_months=12 if target == "repaid" else 24,
            grace_months=0 if target == "repaid" else 3,
        )
        for kind in (DocumentKind.ID_DOCUMENT, DocumentKind.MIGRATION_CERTIFICATE):
            upload = SimpleUploadedFile(f"{kind}.pdf", pdf, content_type="application/pdf")
            services.document_add(application=application, kind=kind, upload=check_upload(upload), user=user)
        services.application_accept_declarations(application=application)
        services.application_submit(application=application, user=user)
        # seed_demo runs in one transaction, so the check queued on commit would come too late
        # for the decisions below: run it now (it does nothing when run again).
        checks.eligibility_run(application_id=application.pk)
        application.refresh_from_db()
        _move(application, target, officer=officer, approver=approver, today=today, number=number)
    return len(PEOPLE)


def _move(application, target: str, *, officer, approver, today: date, number: int) -> None:
    if target == "ineligible" or application.status != "in_review":
        return
    review.application_assign(application=application, officer=officer, by=officer)
    if target == "in_review":
        return
    if target == "withdrawn":
        services.application_withdraw(application=application, user=application.applicant, reason="Cambié de planes.")
        return
    if target in ("info", "answered"):
        review.application_request_info(
            application=application, officer=officer, message="Envíe la cotización de los equipos, por favor."
        )
        if target == "answered":
            services.application_answer_info(
                application=application, user=application.applicant, message="Ya subí la cotización del proveedor."
            )
        return
    if target == "rejected":
        review.application_reject(
            application=application, officer=officer, reason_code="other", message="El plan no muestra ventas."
        )
        return
    review.note_add(application=application, author=officer, body="Visité el local: coincide con el plan.")
    review.application_recommend(application=application, officer=officer, note="Plan sólido.")
    if target == "recommended":
        return
    review.application_approve(application=application, approver=approver, note="Aprobado en comité.")
    if target == "approved":
        return
    application.refresh_from_db()
    months_ago = {"current": 4, "arrears": 6, "repaid": 13}[target]
    loan = review.application_disburse(
        application=application,
        approver=approver,
        disbursed_on=_months_ago(today, months_ago),
        amount=application.recommended_amount or application.amount,
        bank_reference=f"DEMO-DESEMBOLSO-{number:03d}",
    )
    # Pay what fell due, except the last two instalments of a loan in arrears.
    due = list(loan.instalments.filter(due_date__lte=today, state_paid=False).order_by("number"))
    if target == "arrears":
        due = due[:-2]
    for instalment in due if target != "repaid" else loan.instalments.filter(state_paid=False).order_by("number"):
        repayments.repayment_record(
            loan=loan,
            paid_on=min(instalment.due_date, today),
            amount=instalment.payment,
            bank_reference=f"DEMO-PAGO-{number:03d}-{instalment.number:02d}",
            user=approver,
        )
    repayments.state_payments_apply(today=today)
    repayments.loan_refresh_state(Loan.objects.get(pk=loan.pk), today=today)
    for visit in FollowUpVisit.objects.filter(loan=loan, due_on__lte=today):
        visit.done_on = visit.due_on
        visit.officer = officer
        visit.business_operating = target != "arrears"
        visit.jobs_created = 1 if target != "arrears" else 0
        visit.notes = "Negocio funcionando." if target != "arrears" else "Ventas bajas este trimestre."
        visit.save()
