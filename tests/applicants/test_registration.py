import re

import pytest
from django.core import mail
from django.urls import reverse

from applicants.consent import CONSENT_VERSION
from applicants.models import ConsentRecord, ReturneeProfile, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

VALID = {
    "email": "Ana.Lopez@Example.co",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "consent": "on",
}


def _link_in(message) -> str:
    return re.search(r"https?://\S+/cuenta/confirmar/\S+/", message.body).group(0)


def test_it_creates_account_profile_and_consent_and_emails_the_link(client):
    response = client.post(reverse("applicants:register"), VALID)

    assert response.status_code == 302
    assert response["Location"] == reverse("applicants:verify_email_sent")
    user = User.objects.get()
    assert user.email == "ana.lopez@example.co"
    assert user.email_verified_at is None
    assert user.preferred_language == "es"
    assert ReturneeProfile.objects.filter(user=user).count() == 1
    consent = ConsentRecord.objects.get(user=user)
    assert consent.version == CONSENT_VERSION
    assert consent.language == "es"
    assert "Ley 1581 de 2012" in consent.text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana.lopez@example.co"]
    assert mail.outbox[0].subject == "Confirme su correo para Retorno Productivo"


def test_the_link_verifies_once_and_then_is_spent(client):
    client.post(reverse("applicants:register"), VALID)
    link = _link_in(mail.outbox[0])

    first = client.get(link)
    assert first.status_code == 302
    assert User.objects.get().email_verified_at is not None

    second = client.get(link, follow=True)
    assert "Su correo ya está confirmado." in second.content.decode()


def test_a_tampered_link_is_refused_with_a_clear_page(client):
    client.post(reverse("applicants:register"), VALID)
    link = _link_in(mail.outbox[0])
    response = client.get(link[:-3] + "xx/")
    assert response.status_code == 400
    assert "ha vencido o ya fue usado" in response.content.decode()
    assert User.objects.get().email_verified_at is None


def test_an_expired_link_is_refused(client, settings):
    client.post(reverse("applicants:register"), VALID)
    link = _link_in(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client.get(link)
    assert response.status_code == 400
    assert User.objects.get().email_verified_at is None


def test_an_email_already_registered_gets_the_same_page_and_its_owner_an_email(client):
    UserFactory(email="ana.lopez@example.co", preferred_language="es")
    response = client.post(reverse("applicants:register"), VALID)

    assert response.status_code == 302
    assert response["Location"] == reverse("applicants:verify_email_sent")
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana.lopez@example.co"]
    assert mail.outbox[0].subject == "Ya tiene una cuenta en Retorno Productivo"
    assert "/cuenta/entrar/" in mail.outbox[0].body
    assert "/cuenta/clave/" in mail.outbox[0].body


def test_another_spelling_of_a_registered_email_is_the_same_account(client):
    UserFactory(email="ana.lopez@example.co")
    client.post(reverse("applicants:register"), {**VALID, "email": "ＡＮＡ.lopez@EXAMPLE.co"})
    assert User.objects.count() == 1
    assert mail.outbox[0].subject == "Ya tiene una cuenta en Retorno Productivo"


def test_the_link_logs_the_new_returnee_in(client):
    client.post(reverse("applicants:register"), VALID)
    response = client.get(_link_in(mail.outbox[0]))
    assert response["Location"] == reverse("applicants:dashboard")
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_a_weak_password_is_refused(client):
    data = {**VALID, "password1": "12345678", "password2": "12345678"}
    response = client.post(reverse("applicants:register"), data)
    assert response.status_code == 200
    assert "La contraseña es demasiado corta. Debe contener por lo menos 10 caracteres." in response.content.decode()
    assert not User.objects.exists()


def test_consent_is_required(client):
    data = {k: v for k, v in VALID.items() if k != "consent"}
    response = client.post(reverse("applicants:register"), data)
    assert response.status_code == 200
    assert "Debe aceptar la autorización de tratamiento de datos para crear una cuenta." in response.content.decode()
    assert not User.objects.exists()


def test_a_rolled_back_registration_queues_no_email(client, monkeypatch):
    from applicants import services

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "consent_give", boom)
    with pytest.raises(RuntimeError):
        services.user_register(email="x@example.co", password=PASSWORD)
    assert mail.outbox == []
    assert not User.objects.exists()
