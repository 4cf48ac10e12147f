"""Each profile step: a bad answer is explained next to its field, keeps what was typed and saves
nothing; a good one is stored normalised and leads to the next step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applicants import crypto
from applicants.choices import DocumentType, EducationLevel, ReturnType, Sex
from applicants.models import ReturneeProfile
from applicants.selectors import PROFILE_STEPS
from tests.applicants.pages import form_values, text_of
from tests.factories import CompleteProfileFactory

pytestmark = pytest.mark.django_db

# What an unanswered field holds, for building a profile that has reached a given step.
UNANSWERED = {
    "document_type": "",
    "document_number": None,
    "document_number_hash": "",
    "is_colombian_national": None,
    "first_names": "",
    "last_names": "",
    "birth_date": None,
    "sex": "",
    "phone": None,
    "phone_hash": "",
    "department": None,
    "municipality": None,
    "address": None,
    "country_returned_from": "",
    "departure_date": None,
    "return_date": None,
    "return_type": "",
    "forced_return": None,
    "rur_number": "",
    "education_level": "",
    "household_size": None,
    "declares_no_custodial_sentence": False,
    "declares_no_public_admin_conviction": False,
    "declares_benefits_not_used": False,
    "declares_truthful": False,
    "declarations_accepted_at": None,
}
HIDDEN_ALONGSIDE = {
    "document_number": ("document_number_hash",),
    "phone": ("phone_hash",),
    "return_type": ("rur_number",),
    "declares_truthful": ("declarations_accepted_at",),
}
SLUGS = [step.slug for step in PROFILE_STEPS]

VALID = {
    "identity": {
        "document_type": DocumentType.CEDULA_CIUDADANIA,
        "document_number": "1020304050",
        "is_colombian_national": "True",
        "first_names": "Ana María",
        "last_names": "López Restrepo",
        "birth_date": "1985-05-20",
        "sex": Sex.FEMALE,
    },
    "contact": {"phone": "300 123 4567"},
    "residence": {"department": "05", "municipality": "05001", "address": "Calle 10 # 43-25"},
    "return": {
        "country_returned_from": "US",
        "departure_date": "2015-01-10",
        "return_date": "2025-06-15",
        "return_type": ReturnType.PRODUCTIVO,
        "forced_return": "False",
        "rur_number": "RUR-998877",
    },
    "household": {"education_level": EducationLevel.TECHNICAL, "household_size": "4"},
    "declarations": {
        "declares_no_custodial_sentence": "on",
        "declares_no_public_admin_conviction": "on",
        "declares_benefits_not_used": "on",
        "declares_truthful": "on",
    },
}


def reached(slug: str) -> ReturneeProfile:
    """A returnee who completed every step before this one and none after."""
    blank: dict = {}
    for step in PROFILE_STEPS[SLUGS.index(slug) :]:
        for field in step.fields:
            blank[field] = UNANSWERED[field]
            for extra in HIDDEN_ALONGSIDE.get(field, ()):
                blank[extra] = UNANSWERED[extra]
    return CompleteProfileFactory(**blank)


def client_for(profile: ReturneeProfile) -> Client:
    client = Client()
    client.force_login(profile.user)
    client.cookies["django_language"] = "en"
    return client


def step_url(profile: ReturneeProfile, slug: str) -> str:
    return reverse("applicants:profile_step", args=[profile.public_id, slug])


def saved_state(profile: ReturneeProfile) -> dict:
    fresh = ReturneeProfile.objects.get(pk=profile.pk)
    return {field.attname: getattr(fresh, field.attname) for field in ReturneeProfile._meta.concrete_fields}


def eighteenth_birthday_tomorrow() -> str:
    """A birth date 17 years and 364 days ago (one day short of 18, in Bogotá)."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    try:
        return tomorrow.replace(year=tomorrow.year - 18).isoformat()
    except ValueError:  # tomorrow is 29 February: the birthday counts from 1 March
        return date(tomorrow.year - 18, 3, 1).isoformat()


def eighteen_today() -> str:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - 18).isoformat()
    except ValueError:
        return date(today.year - 18, 2, 28).isoformat()


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


BAD_INPUT = [
    pytest.param(
        "contact",
        {"phone": "12345"},
        "phone",
        "This is not a valid Colombian phone number (mobiles have 10 digits and start with 3). "
        "For a number of another country, choose the country or type it with + and its code.",
        id="phone-too-short",
    ),
    pytest.param(
        # A US number without its country code, the country left as Colombia (issue 11).
        "contact",
        {"phone": "202 555 0100"},
        "phone",
        "This is not a valid Colombian phone number (mobiles have 10 digits and start with 3). "
        "For a number of another country, choose the country or type it with + and its code.",
        id="phone-foreign-without-code",
    ),
    pytest.param(
        "identity",
        {"birth_date": eighteenth_birthday_tomorrow},
        "birth_date",
        "You must be at least 18 years old to take part in the programme.",
        id="birth-17-years-364-days",
    ),
    pytest.param(
        "identity", {"birth_date": tomorrow}, "birth_date", "The date cannot be in the future.", id="birth-future"
    ),
    pytest.param(
        "identity",
        {"document_number": "10203A4050"},
        "document_number",
        "A cédula or tarjeta de identidad has 3 to 10 digits.",
        id="cedula-with-letters",
    ),
    pytest.param(
        "return",
        {"return_date": "2015-01-09"},
        "return_date",
        "The return date cannot be before the date you left Colombia.",
        id="return-before-departure",
    ),
    pytest.param(
        "return",
        {"return_date": tomorrow},
        "return_date",
        "The return date cannot be in the future. If you have not come back yet, tick “I still live abroad” in "
        "the step “Where you live” and give the date you plan to come back.",
        id="return-future",
    ),
    pytest.param(
        "residence",
        {"department": "25"},
        "municipality",
        "Medellín is not in Cundinamarca. Choose a municipality of that department.",
        id="municipality-of-another-department",
    ),
    pytest.param(
        "household",
        {"household_size": "0"},
        "household_size",
        "Enter a number between 1 and 30.",
        id="household-of-nobody",
    ),
]


@pytest.mark.parametrize(("slug", "bad", "field", "message"), BAD_INPUT)
def test_a_bad_answer_is_explained_next_to_its_field_keeps_the_input_and_saves_nothing(slug, bad, field, message):
    profile = reached(slug)
    before = saved_state(profile)
    data = {**VALID[slug], **{name: value() if callable(value) else value for name, value in bad.items()}}

    response = client_for(profile).post(step_url(profile, slug), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: [message]}
    body = response.content
    assert text_of(body, f"id_{field}_error") == message
    assert text_of(body, "error-summary") == f"There is a problem {form[field].label}: {message}"
    shown = form_values(body)
    assert {name: shown[name] for name in data} == data
    assert saved_state(profile) == before


def test_a_missing_yes_no_answer_links_the_summary_to_its_first_option():
    profile = reached("return")
    data = {name: value for name, value in VALID["return"].items() if name != "forced_return"}

    response = client_for(profile).post(step_url(profile, "return"), data)

    assert response.context["form"].errors == {"forced_return": ["This field is required."]}
    body = response.content.decode()
    assert 'href="#id_forced_return_0"' in body
    assert 'id="id_forced_return_0"' in body
    assert text_of(body, "id_forced_return_error") == "This field is required."


def test_eighteen_today_is_old_enough():
    profile = reached("identity")
    data = {**VALID["identity"], "birth_date": eighteen_today()}

    response = client_for(profile).post(step_url(profile, "identity"), data)

    assert response.status_code == 302
    assert saved_state(profile)["birth_date"].isoformat() == eighteen_today()


def _post_and_follow(profile, slug, data):
    client = client_for(profile)
    response = client.post(step_url(profile, slug), data)
    assert response.status_code == 302
    followed = client.get(response["Location"])
    return response, followed


def test_identity_is_stored_with_the_document_number_normalised_and_indexed():
    profile = reached("identity")
    data = {**VALID["identity"], "document_number": " 1.020.304-050 "}

    response, followed = _post_and_follow(profile, "identity", data)

    assert response["Location"] == step_url(profile, "contact")
    assert [str(m) for m in followed.context["messages"]] == ["Saved."]
    profile.refresh_from_db()
    assert profile.document_type == DocumentType.CEDULA_CIUDADANIA
    assert profile.document_number == "1020304050"
    assert profile.document_number_hash == crypto.document_number_index("1020304050")
    assert len(profile.document_number_hash) == 64
    assert profile.is_colombian_national is True
    assert (profile.first_names, profile.last_names) == ("Ana María", "López Restrepo")
    assert profile.birth_date == date(1985, 5, 20)
    assert profile.sex == Sex.FEMALE


def test_a_passport_number_keeps_its_letters_in_capitals():
    profile = reached("identity")
    data = {**VALID["identity"], "document_type": DocumentType.PASAPORTE, "document_number": "ab 12-34 56"}

    _post_and_follow(profile, "identity", data)

    profile.refresh_from_db()
    assert profile.document_number == "AB123456"
    assert profile.document_number_hash == crypto.document_number_index("AB123456")


@pytest.mark.parametrize(
    "typed", ["300 123 4567", "3001234567", "(300) 123-4567", "+57 300 123 4567", "+573001234567"]
)
def test_the_phone_is_stored_in_e164_and_indexed(typed):
    profile = reached("contact")

    response, _followed = _post_and_follow(profile, "contact", {"phone": typed})

    assert response["Location"] == step_url(profile, "residence")
    profile.refresh_from_db()
    assert profile.phone == "+573001234567"
    assert profile.phone_hash == crypto.phone_index("+573001234567")


def test_residence_is_stored():
    profile = reached("residence")

    response, _followed = _post_and_follow(profile, "residence", VALID["residence"])

    assert response["Location"] == step_url(profile, "return")
    profile.refresh_from_db()
    assert (profile.department_id, profile.municipality_id) == ("05", "05001")
    assert profile.address == "Calle 10 # 43-25"


def test_the_return_is_stored_and_no_counts_as_an_answer():
    profile = reached("return")

    response, _followed = _post_and_follow(profile, "return", VALID["return"])

    assert response["Location"] == step_url(profile, "household")
    profile.refresh_from_db()
    assert profile.country_returned_from == "US"
    assert (profile.departure_date, profile.return_date) == (date(2015, 1, 10), date(2025, 6, 15))
    assert profile.return_type == ReturnType.PRODUCTIVO
    assert profile.forced_return is False
    assert profile.rur_number == "RUR-998877"


def test_the_household_is_stored():
    profile = reached("household")

    response, _followed = _post_and_follow(profile, "household", VALID["household"])

    assert response["Location"] == step_url(profile, "declarations")
    profile.refresh_from_db()
    assert profile.education_level == EducationLevel.TECHNICAL
    assert profile.household_size == 4


def test_the_declarations_complete_the_profile():
    profile = reached("declarations")

    response, followed = _post_and_follow(profile, "declarations", VALID["declarations"])

    assert response["Location"] == reverse("applicants:profile_summary", args=[profile.public_id])
    assert [str(m) for m in followed.context["messages"]] == ["Saved.", "Your profile is complete."]
    assert [done for _step, done in followed.context["progress"]] == [True] * 6
    profile.refresh_from_db()
    assert profile.declares_no_custodial_sentence is True
    assert profile.declares_no_public_admin_conviction is True
    assert profile.declares_benefits_not_used is True
    assert profile.declares_truthful is True
    assert profile.declarations_accepted_at is not None


def test_an_unticked_declaration_is_refused():
    profile = reached("declarations")
    data = {**VALID["declarations"]}
    del data["declares_benefits_not_used"]

    response = client_for(profile).post(step_url(profile, "declarations"), data)

    assert response.context["form"].errors == {
        "declares_benefits_not_used": ["You must accept this declaration to continue."]
    }
    profile.refresh_from_db()
    assert profile.declares_truthful is False
    assert profile.declarations_accepted_at is None


def test_a_saved_step_shows_the_saved_answers_including_yes_and_no():
    profile = CompleteProfileFactory(document_number="1020304050", phone="+573001234567", forced_return=False)
    client = client_for(profile)

    identity = form_values(client.get(step_url(profile, "identity")).content)
    contact = form_values(client.get(step_url(profile, "contact")).content)
    back = form_values(client.get(step_url(profile, "return")).content)

    assert identity["document_number"] == "1020304050"
    assert identity["is_colombian_national"] == "True"
    assert contact["phone"] == "300 1234567"
    assert back["forced_return"] == "False"
    assert back["departure_date"] == "2015-01-10"
