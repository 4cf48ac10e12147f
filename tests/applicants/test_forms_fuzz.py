"""Whatever arrives in a POST, the account and profile forms answer without a server error, and an
invalid POST writes nothing.

The test client re-raises a view's exception instead of returning a 500, so an example passes
when the request returns at all with a status below 500.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applicants.forms import (
    PROFILE_FORMS,
    DeletionRequestForm,
    EmailAuthenticationForm,
    RegistrationForm,
)
from applicants.models import ConsentRecord, DeletionRequest, ReturneeProfile, User
from tests.factories import PASSWORD, CompleteProfileFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text as people (and robots) send it: control characters, NUL, right-to-left marks, emoji,
# combining marks, and now and then something very long.
any_text = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), max_size=300),
    st.text(st.characters(max_codepoint=0x1F), max_size=20),
    st.just("\x00"),
    st.just("‮" + "١٢٣٤٥٦٧٨٩٠"),
    st.builds(lambda char, n: char * n, st.sampled_from(["9", "a", "ñ", "🇨🇴", "\u0301"]), st.integers(200, 5_000)),
)
malformed_date = st.sampled_from(
    ["2024-02-30", "2023-13-01", "0000-00-00", "99999-01-01", "31/12/1999", "1999-12-31T00:00", "-1-01-01", "1e9"]
)
any_date = st.one_of(
    st.dates().map(date.isoformat), st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str), malformed_date
)
any_file = st.builds(
    # Django itself refuses to build an upload named "", "." or "..".
    lambda name, content, kind: SimpleUploadedFile(
        name if os.path.basename(name) not in {"", ".", ".."} else "file", content, content_type=kind
    ),
    st.text(st.characters(categories=["L", "N", "P"]), max_size=40),
    st.binary(max_size=2_000),
    st.sampled_from(["application/pdf", "text/plain", "application/octet-stream", "image/jpeg"]),
)


def _choice_values(field) -> list[str]:
    values = []
    for value, label in getattr(field, "choices", []):
        if isinstance(label, list | tuple):
            values.extend(str(inner) for inner, _label in label)
        else:
            values.append(str(value))
    return values


def any_value_for(field) -> st.SearchStrategy:
    """A value a form field might receive: a right one, a wrong one, a list, a file, or nothing."""
    choices = _choice_values(field)
    right = st.sampled_from(choices) if choices else st.nothing()
    typed = {
        "DateField": any_date,
        "TypedChoiceField": st.sampled_from(["True", "False", "true", "1", "on", ""]),
        "BooleanField": st.sampled_from(["on", "off", "true", "false", "0", "", "True"]),
        "IntegerField": st.one_of(st.integers().map(str), st.sampled_from(["0", "-1", "31", "1e3", "3.5", "٣"])),
    }.get(type(field).__name__, st.nothing())
    return st.one_of(
        right,
        typed,
        any_text,
        st.lists(any_text, min_size=2, max_size=3),
        any_file,
    )


def form_data(form_class) -> st.SearchStrategy:
    """Any subset of the form's fields, plus strays. Deferred: the residence choices come from
    the database, which a test may only touch once it runs."""

    def build() -> st.SearchStrategy:
        if form_class in PROFILE_FORMS.values():
            fields = form_class(instance=ReturneeProfile()).fields
        else:
            fields = form_class().fields
        # A browser always sends the token field, so a real POST is never empty (the views
        # bind their forms with ``request.POST or None``); the client does not check it.
        return st.fixed_dictionaries(
            {"csrfmiddlewaretoken": any_text},
            optional={name: any_value_for(field) for name, field in fields.items()} | {"unexpected": any_text},
        )

    return st.deferred(build)


def _saved(profile: ReturneeProfile) -> dict:
    fresh = ReturneeProfile.objects.get(pk=profile.pk)
    return {field.attname: getattr(fresh, field.attname) for field in ReturneeProfile._meta.concrete_fields}


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    client.raise_request_exception = True
    return client


@pytest.fixture
def returnee_client(db):
    profile = CompleteProfileFactory(forced_return=None, household_size=None)
    client = Client()
    client.force_login(profile.user)
    return profile, _english(client)


def _fuzz_profile_step(slug: str):
    @FUZZ
    @given(data=form_data(PROFILE_FORMS[slug]))
    def test(returnee_client, data):
        profile, client = returnee_client
        before = _saved(profile)

        response = client.post(reverse("applicants:profile_step", args=[profile.public_id, slug]), data)

        assert response.status_code < 500
        if response.status_code == 200:
            assert response.context["form"].errors
            assert _saved(profile) == before
        else:
            assert response.status_code == 302

    test.__name__ = f"test_the_{slug}_step_survives_any_post"
    return test


test_the_identity_step_survives_any_post = _fuzz_profile_step("identity")
test_the_contact_step_survives_any_post = _fuzz_profile_step("contact")
test_the_residence_step_survives_any_post = _fuzz_profile_step("residence")
test_the_return_step_survives_any_post = _fuzz_profile_step("return")
test_the_household_step_survives_any_post = _fuzz_profile_step("household")
test_the_declarations_step_survives_any_post = _fuzz_profile_step("declarations")


def test_every_profile_step_is_fuzzed():
    fuzzed = {name for name in globals() if name.startswith("test_the_") and name.endswith("_step_survives_any_post")}
    assert fuzzed == {f"test_the_{slug}_step_survives_any_post" for slug in PROFILE_FORMS}


@FUZZ
@given(data=form_data(RegistrationForm))
def test_registration_survives_any_post(db, data):
    users, consents = User.objects.count(), ConsentRecord.objects.count()

    response = _english(Client()).post(reverse("applicants:register"), data)

    assert response.status_code < 500
    if response.status_code == 200:
        assert response.context["form"].errors
        assert (User.objects.count(), ConsentRecord.objects.count()) == (users, consents)


@FUZZ
@given(data=form_data(EmailAuthenticationForm))
def test_login_survives_any_post(returnee_client, data):
    profile, _client = returnee_client

    response = _english(Client()).post(reverse("applicants:login"), data)

    assert response.status_code < 500
    # Arbitrary input never guesses the factory's password: nobody gets in.
    assert response.status_code in {200, 429}


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {"csrfmiddlewaretoken": any_text}, optional={"email": st.one_of(any_text, any_file, st.lists(any_text))}
    )
)
def test_password_reset_survives_any_post(returnee_client, data):
    response = _english(Client()).post(reverse("applicants:password_reset"), data)

    assert response.status_code < 500


@FUZZ
@given(data=form_data(DeletionRequestForm))
def test_a_deletion_request_survives_any_post(returnee_client, data):
    profile, client = returnee_client
    requests = list(DeletionRequest.objects.values_list("pk", "reason"))

    response = client.post(reverse("applicants:deletion_request", args=[profile.public_id]), data)

    assert response.status_code < 500
    if response.status_code == 200:
        assert list(DeletionRequest.objects.values_list("pk", "reason")) == requests
    else:
        assert DeletionRequest.objects.filter(user=profile.user, status="pending").count() == 1


@FUZZ
@given(data=form_data(PROFILE_FORMS["identity"]))
def test_a_step_survives_a_url_encoded_post_too(returnee_client, data):
    from urllib.parse import urlencode

    profile, client = returnee_client
    plain = {name: value for name, value in data.items() if isinstance(value, str | list)}
    before = _saved(profile)

    response = client.post(
        reverse("applicants:profile_step", args=[profile.public_id, "identity"]),
        urlencode(plain, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code < 500
    if response.status_code == 200:
        assert _saved(profile) == before


link_part = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1, max_size=60),
    st.integers(-(10**30), 10**30).map(lambda n: urlsafe_base64_encode(str(n).encode())),
)


@FUZZ
@given(uid=link_part, token=link_part)
def test_the_emailed_links_survive_any_uid_and_token(returnee_client, uid, token):
    profile, client = returnee_client
    for name in ("applicants:verify_email", "applicants:password_reset_confirm"):
        response = _english(Client()).get(reverse(name, kwargs={"uidb64": uid, "token": token}))
        assert response.status_code < 500
    profile.user.refresh_from_db()
    assert profile.user.check_password(PASSWORD)
