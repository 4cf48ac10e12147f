from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditCategory(models.TextChoices):
    """Credit categories whose usury caps the Superintendencia Financiera certifies."""

    POPULAR_PRODUCTIVO_RURAL = "popular_productivo_rural", _("Popular productive microcredit, rural")
    POPULAR_PRODUCTIVO_URBANO = "popular_productivo_urbano", _("Popular productive microcredit, urban")
    PRODUCTIVO_RURAL = "productivo_rural", _("Productive microcredit, rural")
    PRODUCTIVO_URBANO = "productivo_urbano", _("Productive microcredit, urban")
    PRODUCTIVO_MAYOR_MONTO = "productivo_mayor_monto", _("Larger productive microcredit")
    CONSUMO_ORDINARIO = "consumo_ordinario", _("Consumer and ordinary credit")


class GraceMode(models.TextChoices):
    INTEREST_ONLY = "interest_only", _("Interest only during grace")
    CAPITALISED = "capitalised", _("Interest capitalised during grace")


class DocumentKind(models.TextChoices):
    ID_DOCUMENT = "id_document", _("Identity document")
    MIGRATION_CERTIFICATE = "migration_certificate", _("Proof of return (Migración Colombia certificate of movements)")
    RUR_CERTIFICATE = "rur_certificate", _("RUR registration certificate")
    PLAN_ATTACHMENT = "plan_attachment", _("Business plan attachment (quotes, photos, permits)")
    OTHER = "other", _("Other")


class InvestmentCategory(models.TextChoices):
    MACHINERY = "machinery", _("Machinery and equipment")
    TOOLS = "tools", _("Tools and furniture")
    INVENTORY = "inventory", _("Inventory and raw materials")
    PREMISES = "premises", _("Premises adaptation")
    VEHICLE = "vehicle", _("Vehicle")
    TECHNOLOGY = "technology", _("Technology and software")
    WORKING_CAPITAL = "working_capital", _("Working capital")
    PERMITS = "permits", _("Permits and registration")
    OTHER = "other", _("Other")


class BusinessStage(models.TextChoices):
    IDEA = "idea", _("An idea, not started yet")
    OPERATING = "operating", _("Already operating")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    RECOMMENDED = "recommended", _("Recommended")
    APPROVED = "approved", _("Approved")
    DISBURSED = "disbursed", _("Disbursed")
    INELIGIBLE = "ineligible", _("Not eligible")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def open_states(cls) -> tuple[str, ...]:
        """States in which an application still counts as the person's one open application."""
        return (cls.SUBMITTED, cls.IN_REVIEW, cls.INFO_REQUESTED, cls.RECOMMENDED, cls.APPROVED, cls.DISBURSED)

    @classmethod
    def withdrawable(cls) -> tuple[str, ...]:
        """The applicant may withdraw any time before a decision."""
        return (cls.DRAFT, cls.SUBMITTED, cls.IN_REVIEW, cls.INFO_REQUESTED, cls.RECOMMENDED)

    @classmethod
    def final(cls) -> tuple[str, ...]:
        return (cls.INELIGIBLE, cls.REJECTED, cls.WITHDRAWN, cls.CANCELLED, cls.DISBURSED)


class PrepaymentChoice(models.TextChoices):
    """What money paid beyond what is due does to the schedule (Ley 1555 de 2012): the borrower decides."""

    SHORTEN_TERM = "shorten_term", _("Shorten the term (same instalment)")
    LOWER_INSTALMENT = "lower_instalment", _("Lower the instalment (same term)")
