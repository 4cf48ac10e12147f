"""Partner lenders (issue 16): the intermediaries that study, disburse and collect; the referrals
the programme sends them; their API tokens; the idempotency record of their POSTs; webhooks."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applicants.models import Department
from loans.lenders.nit import normalise, validate_nit
from loans.products.models import LoanProduct


class Intermediary(models.Model):
    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        COOPERATIVE = "cooperative", _("Cooperative")
        MICROFINANCE = "microfinance", _("Microfinance institution")
        FINANCE_COMPANY = "finance_company", _("Finance company")

    name = models.CharField(_("name"), max_length=150)
    nit = models.CharField(_("NIT"), max_length=20, unique=True, validators=[validate_nit])
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    departments = models.ManyToManyField(
        Department, related_name="+", blank=True, verbose_name=_("departments served")
    )
    products = models.ManyToManyField(LoanProduct, related_name="+", blank=True, verbose_name=_("products"))
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="intermediaries", blank=True, verbose_name=_("users")
    )
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=64, default="", blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("intermediary")
        verbose_name_plural = _("intermediaries")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.nit = normalise(self.nit)
        if not self.webhook_secret:
            self.webhook_secret = secrets.token_hex(32)
        super().save(*args, **kwargs)


class Referral(models.Model):
    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        STUDY_APPROVED = "study_approved", _("Credit study approved")
        STUDY_REJECTED = "study_rejected", _("Credit study rejected")
        DISBURSED = "disbursed", _("Disbursed")
        # The application ended before disbursement (withdrawn, offer declined, approval lapsed).
        CLOSED = "closed", _("Closed: the application ended")

    # A referral in one of these is the application's current one; the others ended it.
    OPEN = (Status.REFERRED, Status.ACCEPTED, Status.STUDY_APPROVED, Status.DISBURSED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "loans.LoanApplication", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("application")
    )
    intermediary = models.ForeignKey(
        Intermediary, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("intermediary")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REFERRED)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("referred by")
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    study_note = models.TextField(_("credit study note"), blank=True)
    loan = models.OneToOneField(
        "loans.Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="referral", verbose_name=_("loan")
    )
    created_at = models.DateTimeField(_("referred at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["intermediary", "-id"], name="referral_lender_cursor_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status__in=["referred", "accepted", "study_approved", "disbursed"]),
                name="one_open_referral_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} → {self.intermediary}"


class ReferralEvent(models.Model):
    """The audit trail of a referral: who moved it, from what, to what, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=10, default="web")  # web, api, admin, programme (automatic)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """An intermediary's API credential: ``<prefix>.<secret>``; only the secret's SHA-256 is kept."""

    class Scope(models.TextChoices):
        READ_REFERRALS = "referrals:read", _("Read referrals")
        REPORT_DECISIONS = "decisions:write", _("Report decisions and disbursements")
        REPORT_PAYMENTS = "payments:write", _("Report payments")

    intermediary = models.ForeignKey(Intermediary, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.intermediary} · {self.name} ({self.prefix})"

    @classmethod
    def issue(cls, *, intermediary: Intermediary, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
        """A new token and its clear text, shown once."""
        prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        token = cls.objects.create(
            intermediary=intermediary, name=name, prefix=prefix, key_hash=_hash(secret), scopes=list(scopes)
        )
        return token, f"{prefix}.{secret}"

    def matches(self, secret: str) -> bool:
        return secrets.compare_digest(self.key_hash, _hash(secret))


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``; a replay returns it unchanged."""

    intermediary = models.ForeignKey(Intermediary, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["intermediary", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return self.key


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    intermediary = models.ForeignKey(Intermediary, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.intermediary_id} ({self.status})"
