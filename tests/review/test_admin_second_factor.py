"""Staff need a verified second factor: a password alone opens neither the admin nor documents."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from loans.models import DocumentAccess
from tests.conftest import otp_verified_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _password_only(user) -> Client:
    client = Client()
    client.force_login(user)
    return _english(client)


def _admin_pages(application) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:loans_loanapplication_changelist"),
        reverse("admin:loans_loanapplication_change", args=[application.pk]),
    ]


def _login_url_for(path: str) -> str:
    return f"{reverse('admin:login')}?next={path}"


def test_a_password_alone_is_sent_to_the_admin_login(in_review, program_officer):
    client = _password_only(program_officer)
    for path in _admin_pages(in_review):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == _login_url_for(path)


def test_the_conftest_password_only_officer_is_sent_to_the_admin_login(in_review, officer_password_only_client):
    for path in _admin_pages(in_review):
        response = officer_password_only_client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == _login_url_for(path)


def test_a_password_alone_cannot_open_the_decision_urls(in_review, program_officer):
    client = _password_only(program_officer)
    path = reverse("admin:loans_loanapplication_decide", args=[in_review.pk, "recommend"])
    response = client.post(path, {"note": "Viable"})
    assert response.status_code == 302
    assert response["Location"] == _login_url_for(path)
    in_review.refresh_from_db()
    assert in_review.status == "in_review"


def test_a_password_alone_cannot_download_an_applicants_document(in_review, program_officer):
    document = in_review.documents.get()
    response = _password_only(program_officer).get(reverse("loans:document_download", args=[document.public_id]))
    assert response.status_code == 404
    assert not DocumentAccess.objects.exists()


def test_a_verified_officer_opens_the_admin_pages(in_review, program_officer):
    client = _english(otp_verified_client(program_officer))
    for path in _admin_pages(in_review):
        response = client.get(path)
        assert response.status_code == 200, path
    assert in_review.reference in response.text


def test_a_verified_officer_downloads_the_document_and_the_access_is_recorded(in_review, program_officer):
    document = in_review.documents.get()
    client = _english(otp_verified_client(program_officer))
    response = client.get(reverse("loans:document_download", args=[document.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%test\n"
    assert list(DocumentAccess.objects.values_list("document", "user")) == [(document.pk, program_officer.pk)]


def test_the_applicant_still_downloads_their_own_document(in_review, owner_client):
    document = in_review.documents.get()
    response = owner_client.get(reverse("loans:document_download", args=[document.public_id]))
    assert response.status_code == 200
    assert not DocumentAccess.objects.exists()


@pytest.fixture
def backup_code(program_officer):
    device = StaticDevice.objects.create(user=program_officer, name="backup")
    StaticToken.objects.create(device=device, token="k7q2m9xa")
    return device


def _login(client, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": "", "password": PASSWORD, "next": reverse("admin:index"), **extra},
    )


GENERIC = "El correo, la contraseña o el código no son correctos."


def _spanish_login(**extra):
    client = Client()
    return client, _login(client, **extra)


def _error_of(response) -> str:
    import re

    return re.search(r'<p class="errornote" role="alert">(.*?)</p>', response.text, re.S).group(1).strip()


@pytest.mark.parametrize(
    "case",
    ["right password, no code", "right password, wrong code", "wrong password, right code", "unknown email"],
)
def test_every_refusal_is_the_same_spanish_message_and_lists_no_devices(program_officer, backup_code, case):
    email = "nadie@example.co" if case == "unknown email" else program_officer.email
    fields = {
        "right password, no code": {},
        "right password, wrong code": {"otp_token": "00000000"},
        "wrong password, right code": {"password": "no-es-la-clave", "otp_token": "k7q2m9xa"},
        "unknown email": {"otp_token": "k7q2m9xa"},
    }[case]
    client, response = _spanish_login(username=email, **fields)

    assert response.status_code == 200
    assert _error_of(response) == GENERIC
    assert "otp_device" not in response.text
    assert "backup" not in response.text
    assert "Please" not in response.text
    assert "_auth_user_id" not in client.session
    assert StaticToken.objects.filter(device=backup_code).count() == 1


def test_a_right_password_with_a_wrong_code_counts_towards_the_lock(program_officer, backup_code):
    for _attempt in range(5):
        _spanish_login(username=program_officer.email, otp_token="00000000")
    client, response = _spanish_login(username=program_officer.email, otp_token="k7q2m9xa")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_login_with_a_backup_code_opens_the_admin_and_uses_the_code_up(program_officer, backup_code):
    client = _english(Client())
    response = _login(client, username=program_officer.email.upper(), otp_token="k7q2m9xa")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.session[DEVICE_ID_SESSION_KEY] == backup_code.persistent_id
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:loans_loanapplication_changelist")).status_code == 200
    # A backup code works once.
    assert not StaticToken.objects.filter(device=backup_code).exists()
