"""Demo data for ``make run``: returnees at several stages and staff accounts, printed at the end."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from applicants import services
from applicants.choices import DocumentType, EducationLevel, ReturnType, Sex
from applicants.models import Department, Municipality

User = get_user_model()

DEMO_PASSWORD = "retorno-demo-2026"  # noqa: S105 - printed on purpose: local demo accounts only

STAFF = [
    ("oficial@demo.retorno.co", "Program officer"),
    ("aprobador@demo.retorno.co", "Approver"),
    ("analista@demo.retorno.co", "Analyst"),
    ("admin@demo.retorno.co", "Administrator (superuser)"),
]

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
    {"email": "nuevo@demo.retorno.co", "profile": {}},
]


class Command(BaseCommand):
    help = "Load demo returnees and staff accounts (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        for email, _role in STAFF:
            if not User.objects.filter(email=email).exists():
                if email.startswith("admin@"):
                    User.objects.create_superuser(email=email, password=DEMO_PASSWORD)
                else:
                    User.objects.create_user(
                        email=email, password=DEMO_PASSWORD, is_staff=True, email_verified_at=timezone.now()
                    )
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
            if data:
                services.profile_update(profile=profile, data=data)

        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in with these accounts:"))
        for email, role in STAFF:
            self.stdout.write(f"  {role:<28} {email:<28} {DEMO_PASSWORD}")
        for returnee in RETURNEES:
            self.stdout.write(f"  {'Returnee':<28} {returnee['email']:<28} {DEMO_PASSWORD}")
