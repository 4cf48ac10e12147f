"""Key rotation as management commands: re-encrypt under a new secret key, rebuild blind indexes."""

import io

import pytest
from django.core.management import CommandError, call_command

from applicants import crypto
from applicants.models import ReturneeProfile
from tests.factories import CompleteProfileFactory


def _run(name, **options) -> str:
    out = io.StringIO()
    call_command(name, stdout=out, **options)
    return out.getvalue().strip()


def _reset_keys():
    """Every encrypted field of every model (the profile's and the health canary's) derives its keys again."""
    from django.apps import apps
    from encrypted_fields.fields import EncryptedFieldMixin

    for field in (f for model in apps.get_models() for f in model._meta.concrete_fields):
        if isinstance(field, EncryptedFieldMixin):
            field.__dict__.pop("keys", None)
            field.__dict__.pop("f", None)


@pytest.fixture
def rotated_secret_key(settings):
    old = settings.SECRET_KEY
    yield lambda: (
        setattr(settings, "SECRET_KEY", "a-brand-new-secret-key-0123456789abcdefghijklmnop"),
        setattr(settings, "SECRET_KEY_FALLBACKS", [old]),
        _reset_keys(),
    )
    _reset_keys()


def test_values_are_re_encrypted_under_the_new_secret_key(db, rotated_secret_key, settings):
    profile = CompleteProfileFactory(document_number="1020304050")
    rotated_secret_key()

    with pytest.raises(CommandError, match="run `manage.py reencrypt_fields`"):
        _run("reencrypt_fields", check=True)
    assert "returneeprofile" in _run("reencrypt_fields").lower()
    assert _run("reencrypt_fields", check=True) == "0 values are not yet under the current key"

    settings.SECRET_KEY_FALLBACKS = []  # the old key can go now
    _reset_keys()
    assert ReturneeProfile.objects.get(pk=profile.pk).document_number == "1020304050"


def test_blind_indexes_are_rebuilt_under_the_new_key(db, settings, ready_draft):
    from loans.applications.models import LoanApplication

    profile = ready_draft.applicant.profile
    old_hash = profile.document_number_hash
    LoanApplication.objects.filter(pk=ready_draft.pk).update(frozen_profile={"document_number_hash": old_hash})
    settings.BLIND_INDEX_KEY = "a-new-blind-index-key"

    assert _run("rebuild_blind_indexes") == "re-indexed 1 profiles and 1 submitted applications"

    new_hash = crypto.document_number_index(profile.document_number)
    assert new_hash != old_hash
    assert ReturneeProfile.objects.get(pk=profile.pk).document_number_hash == new_hash
    assert LoanApplication.objects.get(pk=ready_draft.pk).frozen_profile["document_number_hash"] == new_hash
    assert _run("rebuild_blind_indexes") == "re-indexed 0 profiles and 0 submitted applications"
