from datetime import date

import factory
from django.utils import timezone, translation

from applicants import crypto
from applicants.choices import DocumentType, EducationLevel, ReturnType, Sex
from applicants.models import ConsentRecord, Department, Municipality, ReturneeProfile, User

PASSWORD = "una-clave-bastante-larga-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@example.co")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"oficial{n}@retorno.gov.co")
    is_staff = True


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    user = factory.SubFactory(UserFactory)
    version = "2026-11"
    language = "es"
    text = "Autorizo el tratamiento de mis datos."


class ProfileFactory(factory.django.DjangoModelFactory):
    """An empty profile, as registration leaves it."""

    class Meta:
        model = ReturneeProfile

    user = factory.SubFactory(UserFactory)


class CompleteProfileFactory(ProfileFactory):
    document_type = DocumentType.CEDULA_CIUDADANIA
    document_number = factory.Sequence(lambda n: f"{1000000000 + n}")
    document_number_hash = factory.LazyAttribute(lambda o: crypto.document_number_index(o.document_number))
    is_colombian_national = True
    first_names = factory.Faker("first_name", locale="es_CO")
    last_names = factory.Faker("last_name", locale="es_CO")
    birth_date = date(1985, 5, 20)
    sex = Sex.FEMALE
    phone = factory.Sequence(lambda n: f"+57300{1000000 + n}")
    phone_hash = factory.LazyAttribute(lambda o: crypto.phone_index(o.phone))
    department = factory.LazyFunction(lambda: Department.objects.get(code="05"))
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="05001"))
    address = "Calle 10 # 43-25"
    country_returned_from = "US"
    departure_date = date(2015, 1, 10)
    return_date = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    return_type = ReturnType.PRODUCTIVO
    forced_return = False
    rur_number = "RUR-123456"
    education_level = EducationLevel.SECONDARY
    household_size = 4
    declares_no_custodial_sentence = True
    declares_no_public_admin_conviction = True
    declares_benefits_not_used = True
    declares_truthful = True
    declarations_accepted_at = factory.LazyFunction(timezone.now)


# --- loans -------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from applicants.models import EconomicDivision, EconomicSection  # noqa: E402
from loans.choices import CreditCategory, DocumentKind, GraceMode, InvestmentCategory  # noqa: E402
from loans.models import BusinessPlan, InvestmentItem, LoanApplication, LoanProduct, UsuryCap  # noqa: E402


class UsuryCapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsuryCap

    credit_category = CreditCategory.PRODUCTIVO_URBANO
    rate_pct = Decimal("42.00")
    valid_from = factory.LazyFunction(lambda: date(timezone.localdate().year, 1, 1))
    valid_to = factory.LazyFunction(lambda: date(timezone.localdate().year, 12, 31))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoanProduct

    code = factory.Sequence(lambda n: f"producto-{n}")
    name = factory.Sequence(lambda n: f"Crédito de prueba {n}")
    min_amount_cop = 1_000_000
    max_amount_cop = 100_000_000
    max_financing_pct = Decimal("80")
    min_term_months = 6
    max_term_months = 36
    max_grace_months = 6
    grace_mode = GraceMode.INTEREST_ONLY
    annual_rate_pct = Decimal("22.68")
    credit_category = CreditCategory.PRODUCTIVO_URBANO
    state_pays_every = 12
    on_time_rebate_pct = Decimal("14")
    window_opens = factory.LazyFunction(lambda: timezone.localdate().replace(month=1, day=1))
    required_documents = factory.LazyFunction(lambda: [DocumentKind.ID_DOCUMENT])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Staff write a product in Spanish first; a test that read a page in English must not
        # turn the name it gives into the English one only.
        with translation.override("es"):
            return super()._create(model_class, *args, **kwargs)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessPlan
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    name = "Panadería La Esperanza"
    section = factory.LazyFunction(lambda: EconomicSection.objects.get(code="C"))
    division = factory.LazyFunction(lambda: EconomicDivision.objects.get(code="10"))
    description = "Pan artesanal"
    stage = "idea"
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="05001"))
    customers = "Familias del barrio"
    competition = "Dos panaderías"
    experience = "Seis años en Miami"
    own_contribution = 5_000_000
    monthly_sales = 9_000_000
    monthly_costs = 6_000_000
    jobs_to_create = 2

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            InvestmentItem.objects.create(
                plan=obj, category=InvestmentCategory.MACHINERY, description="Horno", amount=20_000_000
            )


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoanApplication

    applicant = factory.SubFactory(UserFactory)
