"""Security properties that hold across the portal: hashing, headers, no inline code, no PII
in logs, personal data encrypted at rest."""

import logging
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.urls import reverse

from applicants import crypto
from applicants.models import ReturneeProfile
from portal.logging import RedactPIIFilter
from tests.factories import CompleteProfileFactory

PUBLIC_PAGES = ["home", "applicants:register", "applicants:login"]


# --- passwords -----------------------------------------------------------------------------


def test_the_shared_settings_hash_passwords_with_argon2_first():
    # The test settings swap in a fast hasher; base (and so production) must not.
    from portal.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_is_installed_and_verifies_its_own_hashes():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("una-clave-bastante-larga-2026", hasher.salt())

    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("una-clave-bastante-larga-2026", encoded)
    assert not hasher.verify("otra-clave", encoded)


# --- response headers ------------------------------------------------------------------------


@pytest.fixture
def home_response(client, db):
    return client.get(reverse("home"))


def test_pages_carry_a_strict_content_security_policy(home_response):
    policy = home_response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())

    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_pages_refuse_framing_and_content_sniffing(home_response):
    assert home_response["X-Frame-Options"] == "DENY"
    assert home_response["X-Content-Type-Options"] == "nosniff"
    assert home_response["Referrer-Policy"] == "same-origin"


# --- no inline code, nothing from other hosts --------------------------------------------------


class _PageAudit(HTMLParser):
    """Collects what a strict CSP would block or what would load from elsewhere."""

    ASSET_ATTRIBUTES = {
        "script": ["src"],
        "link": ["href"],
        "img": ["src", "srcset"],
        "source": ["src", "srcset"],
        "video": ["src", "poster"],
        "audio": ["src"],
        "iframe": ["src"],
        "embed": ["src"],
        "object": ["data"],
    }
    LOADING_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.assets: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "style":
            self.problems.append("<style> block")
        if tag == "script":
            self._in_script = True
            if not attributes.get("src"):
                self.problems.append("<script> without src")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
        if tag == "link" and not self.LOADING_LINKS & set((attributes.get("rel") or "").split()):
            return  # rel=canonical, alternate and the like load nothing
        for name in self.ASSET_ATTRIBUTES.get(tag, []):
            for url in (attributes.get(name) or "").split(","):
                url = url.strip().split(" ")[0]
                if url:
                    self.assets.append(url)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline script code")


def audit(html: str) -> _PageAudit:
    parser = _PageAudit()
    parser.feed(html)
    parser.close()
    return parser


def test_the_audit_sees_what_it_must_refuse():
    page = audit(
        '<style>p{}</style><p style="color:red" onclick="x()">a</p><script>alert(1)</script>'
        '<script src="https://cdn.example/x.js"></script>'
    )

    assert page.problems == [
        "<style> block",
        "style= on <p>",
        "onclick= on <p>",
        "<script> without src",
        "inline script code",
    ]
    assert page.assets == ["https://cdn.example/x.js"]


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_have_no_inline_script_or_style(client, db, page):
    response = client.get(reverse(page))

    assert response.status_code == 200
    assert audit(response.content.decode()).problems == []


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_load_assets_only_from_this_site(client, db, page):
    response = client.get(reverse(page))
    assets = audit(response.content.decode()).assets

    assert assets, "the page loads no stylesheet or script at all"
    for url in assets:
        assert urlsplit(url).netloc in ("", "testserver"), url
        path = urlsplit(url).path
        assert path.startswith(settings.STATIC_URL), url
        assert finders.find(path.removeprefix(settings.STATIC_URL)), f"{url} is not a vendored static file"


# --- logs ------------------------------------------------------------------------------------


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def redacted_log():
    """A logger whose handler carries the filter, as LOGGING configures the console handler."""
    handler = _ListHandler()
    handler.addFilter(RedactPIIFilter())
    logger = logging.getLogger("tests.security.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, handler.lines
    logger.removeHandler(handler)


def test_the_log_filter_removes_email_phone_and_password(redacted_log):
    logger, lines = redacted_log

    logger.warning(
        "Login failed for %s, phone %s, body password=%s&next=/",
        "ana.lopez@example.co",
        "3001234567",
        "hunter2-secreto",
    )

    assert lines == ["Login failed for [email], phone [number], body password=[redacted]"]


def test_the_log_filter_redacts_values_written_into_the_message_itself(redacted_log):
    logger, lines = redacted_log

    logger.info("token=abc123 sent to ana@example.co at +57 300 123 4567")

    assert lines == ["token=[redacted] sent to [email] at [number]"]


def test_the_console_handler_applies_the_filter():
    assert settings.LOGGING["filters"]["redact_pii"]["()"] == "portal.logging.RedactPIIFilter"
    assert "redact_pii" in settings.LOGGING["handlers"]["console"]["filters"]


# --- encryption at rest ----------------------------------------------------------------------


def _raw_profile_row(profile: ReturneeProfile) -> dict[str, str | None]:
    columns = ["document_number", "phone", "address", "document_number_hash", "phone_hash"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {ReturneeProfile._meta.db_table} WHERE id = %s",  # noqa: S608
            [profile.pk],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_personal_data_is_stored_as_ciphertext(db):
    profile = CompleteProfileFactory()
    raw = _raw_profile_row(profile)

    for field in ("document_number", "phone", "address"):
        plain = getattr(profile, field)
        assert plain
        assert raw[field]
        assert plain not in raw[field]
        assert raw[field].startswith("gAAAA")  # a Fernet token
    stored = ReturneeProfile.objects.get(pk=profile.pk)
    assert (stored.document_number, stored.phone, stored.address) == (
        profile.document_number,
        profile.phone,
        profile.address,
    )


def test_the_blind_indexes_are_the_keyed_hashes_of_the_values(db):
    profile = CompleteProfileFactory()
    raw = _raw_profile_row(profile)

    assert raw["document_number_hash"] == crypto.document_number_index(profile.document_number)
    assert raw["phone_hash"] == crypto.phone_index(profile.phone)
    assert len(raw["document_number_hash"]) == 64


def test_the_blind_index_depends_on_its_key(settings):
    number = "1020304050"
    under_test_key = crypto.document_number_index(number)

    settings.BLIND_INDEX_KEY = "another-blind-index-key"

    assert crypto.document_number_index(number) != under_test_key
    assert crypto.document_number_index("1.020.304-050") == crypto.document_number_index(number)


def test_tracebacks_are_redacted_too():
    import logging
    import sys

    from portal.logging import RedactPIIFilter

    try:
        raise ValueError("lookup failed for ana@example.co with phone 3001234567")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    RedactPIIFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "ana@example.co" not in text
    assert "3001234567" not in text
    assert "[email]" in text
