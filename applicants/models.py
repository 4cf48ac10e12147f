import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from .choices import DocumentType, EducationLevel, ReturnType, Sex
from .emails import normalize_email
from .search import fold


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Exact match on the one spelling: a case-insensitive lookup would let "gmaıl" (dotless ı)
        # reach "gmail" in PostgreSQL's UPPER() while django-axes counts it as another account.
        return self.get(email=normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    """An account. People log in with their email address; there is no username."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        # Staff are a handful among a million returnees: a partial index finds them at once.
        indexes = [models.Index(fields=["is_staff"], condition=models.Q(is_staff=True), name="user_staff_idx")]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)  # admin forms too: one spelling per address

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class Department(models.Model):
    """A DIVIPOLA department (or Bogotá, D.C.)."""

    code = models.CharField(_("DANE code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A DIVIPOLA municipality-level unit."""

    code = models.CharField(_("DANE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("department")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.department_id})"


class EconomicSection(models.Model):
    """A CIIU Rev. 4 A.C. section (A–U)."""

    code = models.CharField(_("code"), max_length=1, primary_key=True)
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        ordering = ["code"]
        verbose_name = _("CIIU section")
        verbose_name_plural = _("CIIU sections")

    def __str__(self) -> str:
        return f"{self.code} · {self.name.capitalize()}"


class EconomicDivision(models.Model):
    """A CIIU Rev. 4 A.C. two-digit division."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=300)
    section = models.ForeignKey(
        EconomicSection, on_delete=models.PROTECT, related_name="divisions", verbose_name=_("section")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("CIIU division")
        verbose_name_plural = _("CIIU divisions")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class ReturneeProfile(models.Model):
    """What a returnee tells the program about themselves, filled in steps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )

    # Identity
    document_type = models.CharField(_("document type"), max_length=3, choices=DocumentType.choices, blank=True)
    # Encrypted at rest; searched and compared only through the keyed hash beside it.
    document_number = EncryptedCharField(_("document number"), max_length=20, blank=True, null=True)
    document_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    is_colombian_national = models.BooleanField(_("Colombian national"), null=True, blank=True)
    first_names = models.CharField(_("first names"), max_length=100, blank=True)
    last_names = models.CharField(_("last names"), max_length=100, blank=True)
    # last_names folded (applicants.search.fold) for the officers' accent- and case-blind search.
    last_names_search = models.CharField(max_length=100, blank=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)

    # Contact
    phone = EncryptedCharField(_("mobile phone"), max_length=20, blank=True, null=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    # Residence
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("municipality")
    )
    address = EncryptedCharField(_("address"), max_length=200, blank=True, null=True)
    # Still abroad (DOMAIN.md, "Colombians still abroad"): they prepare their return from there.
    lives_abroad = models.BooleanField(_("I still live abroad"), default=False)
    abroad_country = models.CharField(_("country where you live"), max_length=2, blank=True)
    abroad_city = models.CharField(_("city where you live"), max_length=100, blank=True)
    abroad_address = EncryptedCharField(_("address abroad"), max_length=200, blank=True, null=True)
    planned_return_date = models.DateField(_("date you plan to come back"), null=True, blank=True)

    # Return history
    country_returned_from = models.CharField(_("country you returned from"), max_length=2, blank=True)
    departure_date = models.DateField(_("date you left Colombia"), null=True, blank=True)
    return_date = models.DateField(_("date you came back to Colombia"), null=True, blank=True)
    return_type = models.CharField(_("return type"), max_length=20, choices=ReturnType.choices, blank=True)
    forced_return = models.BooleanField(_("forced return or deportation"), null=True, blank=True)
    rur_number = models.CharField(_("RUR registration number"), max_length=30, blank=True)

    # Education and household
    education_level = models.CharField(_("education level"), max_length=20, choices=EducationLevel.choices, blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), null=True, blank=True)

    # Declarations (docs/DOMAIN.md, "Eligibility"): self-declared, checked by officers.
    declares_no_custodial_sentence = models.BooleanField(_("not serving a custodial sentence"), default=False)
    declares_no_public_admin_conviction = models.BooleanField(
        _("not convicted of crimes against the public administration"), default=False
    )
    declares_benefits_not_used = models.BooleanField(_("Ley 1565 benefits not used before"), default=False)
    declares_truthful = models.BooleanField(_("information is true"), default=False)
    declarations_accepted_at = models.DateTimeField(_("declarations accepted at"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("returnee profile")
        verbose_name_plural = _("returnee profiles")
        indexes = [
            models.Index(fields=["department", "return_type"], name="profile_dept_return_idx"),
            # LIKE 'prefix%' uses it whatever the collation (text_pattern_ops; PostgreSQL only, ignored elsewhere).
            models.Index(
                fields=["last_names_search"], name="profile_last_names_search_idx", opclasses=["text_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        full_name = f"{self.first_names} {self.last_names}".strip()
        return full_name or str(self.user)

    def save(self, *args, **kwargs):
        # Derived from last_names on every save, so no write path can leave it stale.
        self.last_names_search = fold(self.last_names)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "last_names" in update_fields:
            kwargs["update_fields"] = {*update_fields, "last_names_search"}
        super().save(*args, **kwargs)


class ConsentRecord(models.Model):
    """A Ley 1581 data-processing consent: which text, which version, when, and if withdrawn."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user")
    )
    version = models.CharField(_("version"), max_length=20)
    language = models.CharField(_("language"), max_length=8)
    text = models.TextField(_("text shown"))
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("data-processing consent")
        verbose_name_plural = _("data-processing consents")

    def __str__(self) -> str:
        return f"{self.user} · {self.version}"


class DeletionRequest(models.Model):
    """A returnee's Ley 1581 request to delete their personal data, handled by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLETED = "completed", _("Completed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="deletion_requests",
        verbose_name=_("user"),
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    response = models.TextField(_("response to the returnee"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("data deletion request")
        verbose_name_plural = _("data deletion requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="one_pending_deletion_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_status_display()}"


class Notification(models.Model):
    """One message to one person, shown in the inbox; the key makes it exist once."""

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # Account mails (email confirmation, password reset, "you already have an account") are
    # rows too, so a broker outage loses none of them, but they are not inbox messages.
    in_inbox = models.BooleanField(_("shown in the inbox"), default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.subject


class PersonalDataErasure(models.Model):
    """Audit of one erasure: who, when, on which request, and how many rows each package
    erased or anonymised. It holds no personal data: the account row it points to is itself
    anonymised."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasures", verbose_name=_("account")
    )
    deletion_request = models.ForeignKey(
        DeletionRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("request")
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    summary = models.JSONField(_("rows erased per package"), default=dict)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("personal-data erasure")
        verbose_name_plural = _("personal-data erasures")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.erased_at:%Y-%m-%d}"


class EncryptionCanary(models.Model):
    """One known value, encrypted with the field-encryption key: /healthz decrypts it, so a
    wrong or rotated-away key shows as "encryption: failing" instead of ciphertext on pages."""

    value = EncryptedCharField(max_length=64)

    class Meta:
        verbose_name = _("encryption canary")
        verbose_name_plural = _("encryption canaries")

    def __str__(self) -> str:
        return "encryption canary"
