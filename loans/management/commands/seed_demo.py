"""Demo data for ``make run``: returnees at several stages and staff accounts, printed at the end."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from applicants import services
from applicants.choices import DocumentType, EducationLevel, ReturnType, Sex
from applicants.models import Department, EconomicDivision, Municipality
from loans.applications.models import BusinessPlan, InvestmentItem
from loans.choices import CreditCategory, DocumentKind, GraceMode, InvestmentCategory
from loans.management.commands._demo_programme import seed_programme
from loans.products.models import LoanProduct, UsuryCap
from loans.programmes.models import Cohort, Enrolment, EnrolmentStatus, Modality, Programme, ProgrammeOperator

User = get_user_model()

DEMO_PASSWORD = "retorno-demo-2026"  # noqa: S105 - printed on purpose: local demo accounts only

STAFF = [
    ("oficial@demo.retorno.co", "Program officer"),
    ("oficial2@demo.retorno.co", "Program officer"),
    ("aprobador@demo.retorno.co", "Approver"),
    ("analista@demo.retorno.co", "Analyst"),
    ("operador@demo.retorno.co", "Programme operator"),
    ("mentora@demo.retorno.co", "Mentor"),
    ("admin@demo.retorno.co", "Administrator (superuser)"),
]
# Demo second-factor codes (django-otp static tokens), reusable here only because the seed
# puts them back each run. Real staff enrol an authenticator app (TOTP) in the admin.
DEMO_OTP_CODES = ["111111", "222222", "333333", "444444", "555555"]

RETURNEES = [
    {
        "email": "maria@demo.retorno.co",
        "profile": {
            "document_type": DocumentType.CEDULA_CIUDADANIA,
            "document_number": "1020304050",
            "is_colombian_national": True,
            "first_names": "María Fernanda",
            "last_names": "Gómez Ríos",
            "birth_date": date(1988, 4, 12),
            "sex": Sex.FEMALE,
            "phone": "+573001234567",
            "department_code": "05",
            "municipality_code": "05001",
            "address": "Calle 10 # 43-25, El Poblado",
            "country_returned_from": "US",
            "departure_date": date(2016, 2, 1),
            "return_date": date(2026, 6, 15),
            "return_type": ReturnType.PRODUCTIVO,
            "forced_return": False,
            "rur_number": "RUR-2026-004512",
            "education_level": EducationLevel.TECHNICAL,
            "household_size": 3,
            "declares_no_custodial_sentence": True,
            "declares_no_public_admin_conviction": True,
            "declares_benefits_not_used": True,
            "declares_truthful": True,
        },
    },
    {
        "email": "jorge@demo.retorno.co",
        "profile": {
            "document_type": DocumentType.CEDULA_CIUDADANIA,
            "document_number": "79555111",
            "is_colombian_national": True,
            "first_names": "Jorge Enrique",
            "last_names": "Pérez Cárdenas",
            "birth_date": date(1979, 11, 3),
            "sex": Sex.MALE,
            "phone": "+573157654321",
            "department_code": "76",
            "municipality_code": "76001",
            "address": "Carrera 5 # 12-40",
            "country_returned_from": "US",
            "departure_date": date(2021, 8, 20),
            "return_date": date(2026, 3, 2),
            "return_type": ReturnType.PRODUCTIVO,
            "forced_return": True,
        },
    },
    {
        # Still in New York, preparing her return (DOMAIN.md, "Colombians still abroad").
        "email": "ana@demo.retorno.co",
        "profile": {
            "document_type": DocumentType.CEDULA_CIUDADANIA,
            "document_number": "1032456789",
            "is_colombian_national": True,
            "first_names": "Ana Lucía",
            "last_names": "Restrepo Mejía",
            "birth_date": date(1990, 9, 8),
            "sex": Sex.FEMALE,
            "phone": "+12125550123",
            "lives_abroad": True,
            "abroad_country": "US",
            "abroad_city": "Nueva York",
            "abroad_address": "123 W 45th St, Apt 4B, New York, NY 10036",
            "country_returned_from": "US",
            "departure_date": date(2018, 5, 20),
            "return_type": ReturnType.PRODUCTIVO,
            "forced_return": False,
            "education_level": EducationLevel.UNIVERSITY,
            "household_size": 2,
            "declares_no_custodial_sentence": True,
            "declares_no_public_admin_conviction": True,
            "declares_benefits_not_used": True,
            "declares_truthful": True,
        },
    },
    {"email": "nuevo@demo.retorno.co", "profile": {}},
]
# Operators, their programmes and cohorts (weeks from today: deadline, start, end).
OPERATORS = [
    ("SENA – Fondo Emprender", "operador@demo.retorno.co"),
    ("Cámara de Comercio de Medellín", None),
]
PROGRAMMES = [
    {
        "operator": "SENA – Fondo Emprender",
        "name": "Emprende tu retorno (virtual)",
        "modality": Modality.VIRTUAL,
        "departments": [],
        "description_es": "Ocho sesiones en línea para convertir su experiencia en el exterior en un plan de "
        "negocio, con un mentor que lo acompaña. Se puede seguir desde el exterior.",
        "description_en": "Eight online sessions to turn your experience abroad into a business plan, with a "
        "mentor by your side. You can follow it from abroad.",
        "cohorts": [("2026-II virtual", 4, 6, 14, 30, ""), ("2027-I virtual", 12, 14, 22, 30, "")],
    },
    {
        "operator": "Cámara de Comercio de Medellín",
        "name": "Negocios que vuelven",
        "modality": Modality.IN_PERSON,
        "departments": ["05"],
        "description_es": "Taller presencial de seis semanas en Medellín: costos, ventas, formalización y "
        "acceso a crédito, con mentoría de empresarios de la ciudad.",
        "description_en": "A six-week workshop in Medellín: costs, sales, registering the business and "
        "access to credit, with mentoring by local business people.",
        "cohorts": [("2026-II Medellín", 3, 5, 11, 20, "Cámara de Comercio, Av. Oriental # 52-82, Medellín")],
    },
]


class Command(BaseCommand):
    help = "Load demo returnees and staff accounts (safe to run again). Refused unless DEBUG is on."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force-demo-on-production",
            action="store_true",
            help="Load the demo data although DEBUG is off (published passwords and codes: never on a real site).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        # The demo accounts have a published password and published second-factor codes.
        if not settings.DEBUG and not options["force_demo_on_production"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords and is refused when DEBUG is off. "
                "Pass --force-demo-on-production only on a throw-away demo site."
            )
        for email, role in STAFF:
            user = User.objects.filter(email=email).first()
            if user is None:
                if email.startswith("admin@"):
                    user = User.objects.create_superuser(email=email, password=DEMO_PASSWORD)
                else:
                    # Mentors work in the portal's own pages, not the admin.
                    user = User.objects.create_user(
                        email=email,
                        password=DEMO_PASSWORD,
                        is_staff=role != "Mentor",
                        email_verified_at=timezone.now(),
                    )
                    user.groups.add(Group.objects.get(name=role))
            device, _created = StaticDevice.objects.get_or_create(user=user, name="demo")
            device.token_set.all().delete()
            StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in DEMO_OTP_CODES)
        for returnee in RETURNEES:
            if User.objects.filter(email=returnee["email"]).exists():
                continue
            user = User.objects.create_user(
                email=returnee["email"], password=DEMO_PASSWORD, email_verified_at=timezone.now()
            )
            services.consent_give(user=user, language="es")
            profile = services.profile_ensure(user=user)
            data = dict(returnee["profile"])
            if "department_code" in data:
                data["department"] = Department.objects.get(code=data.pop("department_code"))
                data["municipality"] = Municipality.objects.get(code=data.pop("municipality_code"))
            if data.get("lives_abroad"):
                data["planned_return_date"] = timezone.localdate() + timedelta(days=120)
            if data:
                services.profile_update(profile=profile, data=data)

        self._products()
        self._plans()
        # The applications in motion first: the programmes then become a requirement of the products.
        seed_programme(DEMO_PASSWORD)
        self._programmes()

        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in with these accounts:"))
        for email, role in STAFF:
            self.stdout.write(f"  {role:<28} {email:<28} {DEMO_PASSWORD}")
        self.stdout.write(
            "  Programme operator: cohorts at /operador/; mentor: mentees at /mentoria/; "
            "ana@demo.retorno.co still lives in New York."
        )
        self.stdout.write(f"  Staff second factor (admin login 'OTP token'): any of {', '.join(DEMO_OTP_CODES)}")
        for returnee in RETURNEES:
            self.stdout.write(f"  {'Returnee':<28} {returnee['email']:<28} {DEMO_PASSWORD}")

    def _products(self):
        today = timezone.localdate()
        # Demo caps only: the real ones are certified by the Superintendencia Financiera each period.
        # Last year's too: the demo loans were disbursed up to 13 months ago, under the cap of that day.
        for year in (today.year - 1, today.year):
            for category, rate in [
                (CreditCategory.POPULAR_PRODUCTIVO_URBANO, Decimal("60.00")),
                (CreditCategory.PRODUCTIVO_URBANO, Decimal("42.00")),
                (CreditCategory.CONSUMO_ORDINARIO, Decimal("26.00")),
            ]:
                UsuryCap.objects.get_or_create(
                    credit_category=category,
                    valid_from=date(year, 1, 1),
                    defaults={"rate_pct": rate, "valid_to": date(year, 12, 31)},
                )
        if not LoanProduct.objects.filter(code="retorno-productivo-2026").exists():
            product = LoanProduct(
                code="retorno-productivo-2026",
                name="Crédito Retorno Productivo 2026",
                description="Hasta 80 SMMLV para su negocio, con garantía del FNG del 90 %, 6 meses de gracia "
                "y devolución del 14 % del capital si paga a tiempo.",
                min_amount_cop=2_000_000,
                max_amount_smmlv=Decimal("80"),
                max_financing_pct=Decimal("80"),
                min_term_months=12,
                max_term_months=36,
                max_grace_months=6,
                grace_mode=GraceMode.INTEREST_ONLY,
                annual_rate_pct=Decimal("22.68"),
                credit_category=CreditCategory.PRODUCTIVO_URBANO,
                guarantee_coverage_pct=Decimal("90"),
                state_pays_every=12,
                on_time_rebate_pct=Decimal("14"),
                eligible_return_types=["productivo", "humanitario", "solidario"],
                window_opens=date(today.year, 1, 1),
                required_documents=[DocumentKind.ID_DOCUMENT, DocumentKind.MIGRATION_CERTIFICATE],
            )
            product.full_clean()
            product.save()

    def _programmes(self):
        today = timezone.localdate()
        operators = {}
        for name, staff_email in OPERATORS:
            operators[name], _created = ProgrammeOperator.objects.get_or_create(name=name)
            if staff_email:
                operators[name].staff.add(User.objects.get(email=staff_email))
        for spec in PROGRAMMES:
            programme, created = Programme.objects.get_or_create(
                name=spec["name"],
                defaults={
                    "operator": operators[spec["operator"]],
                    "modality": spec["modality"],
                    "description_es": spec["description_es"],
                    "description_en": spec["description_en"],
                },
            )
            if not created:
                continue
            programme.departments.set(Department.objects.filter(code__in=spec["departments"]))
            for name, deadline, start, end, places, location in spec["cohorts"]:
                Cohort.objects.create(
                    programme=programme,
                    name=name,
                    enrolment_deadline=today + timedelta(weeks=deadline),
                    starts_on=today + timedelta(weeks=start),
                    ends_on=today + timedelta(weeks=end),
                    places=places,
                    location=location,
                    sessions=8,
                )
        product = LoanProduct.objects.filter(code="retorno-productivo-2026").first()
        if product is not None and not product.accepted_programmes.exists():
            product.accepted_programmes.set(Programme.objects.all())
        # María has a place in the virtual cohort, with the demo mentor following her plan.
        maria = User.objects.get(email="maria@demo.retorno.co")
        cohort = Cohort.objects.filter(programme__modality=Modality.VIRTUAL).order_by("starts_on").first()
        if cohort is not None and not Enrolment.objects.filter(returnee=maria).exists():
            Enrolment.objects.create(
                cohort=cohort,
                returnee=maria,
                status=EnrolmentStatus.ENROLLED,
                mentor=User.objects.get(email="mentora@demo.retorno.co"),
                plan=maria.business_plans.first(),
            )

    def _plans(self):
        user = User.objects.get(email="maria@demo.retorno.co")
        if user.business_plans.exists():
            return
        plan = BusinessPlan.objects.create(
            owner=user,
            name="Panadería La Esperanza",
            section_id="C",
            division=EconomicDivision.objects.get(code="10"),
            description="Pan artesanal y repostería para barrios de Medellín, con recetas aprendidas en Miami.",
            stage="idea",
            municipality=Municipality.objects.get(code="05001"),
            customers="Familias y tiendas del barrio.",
            competition="Dos panaderías a 5 cuadras; nos diferencia el pan integral y la entrega a domicilio.",
            experience="Seis años como panadera en Miami, Florida.",
            own_contribution=5_000_000,
            monthly_sales=9_000_000,
            monthly_costs=6_000_000,
            jobs_to_create=2,
        )
        InvestmentItem.objects.create(
            plan=plan, category=InvestmentCategory.MACHINERY, description="Horno industrial", amount=18_000_000
        )
        InvestmentItem.objects.create(
            plan=plan, category=InvestmentCategory.INVENTORY, description="Harinas e insumos", amount=4_000_000
        )
