"""One spelling per email address, for registration, login, lockout and uniqueness.

``x@gmail.com``, ``X@GMAIL.COM``, ``ｘ@gmail.com`` (fullwidth) and ``x@gmaſl.com`` are
spelled by people (or attackers) in many ways; the database and django-axes must see one.
NFKC folds compatibility characters (fullwidth letters, the long s), casefold folds case,
and the domain is stored in its ASCII (IDNA/punycode) form, so ``gmaıl.com`` (dotless ı)
stays a different domain instead of matching ``gmail.com`` through a case-insensitive
lookup that the lockout counter does not share.
"""

from __future__ import annotations

import unicodedata


def normalize_email(value: str | None) -> str:
    """The canonical spelling of an email address; '' for an empty value.

    Something that is not an address (no @, a domain IDNA cannot encode) is still folded and
    returned, so a lookup simply finds nothing and the form validator gives its message.
    """
    text = unicodedata.normalize("NFKC", (value or "").strip()).casefold()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    domain = domain.rstrip(".")
    try:
        ascii_domain = ".".join(
            label.encode("idna").decode("ascii") if not label.isascii() else label for label in domain.split(".")
        )
    except UnicodeError:
        ascii_domain = domain
    return f"{local}@{ascii_domain}"


def axes_username(request, credentials) -> str:
    """django-axes counts failures per account: the normalised address, whatever its spelling."""
    username = (credentials or {}).get("username") if credentials else None
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return normalize_email(username)


def ratelimit_key_email(group, request) -> str:
    """django-ratelimit key: the target address of a password reset, in its one spelling."""
    return normalize_email(request.POST.get("email", ""))
