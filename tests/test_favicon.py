"""Every page names the icon; /favicon.ico (asked for by pages that name none) leads to it."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_pages_name_the_icon(client):
    response = client.get("/")

    assert f'<link rel="icon" href="{static("portal/img/favicon.ico")}"' in response.content.decode()
    with open(finders.find("portal/img/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file's signature


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == static("portal/img/favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]


def test_favicon_ico_refuses_a_post(client):
    assert client.post("/favicon.ico").status_code == 405
