"""Returnees pay for data by the megabyte: the first page, with everything it loads, weighs at
most 150 KB decoded, and a later page adds at most 30 KB (its HTML and whatever it loads that
the first did not). Measured on the rendered HTML and the static files it names, as a
browser with an empty cache would fetch them."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from tests.factories import ApplicationFactory, PlanFactory, ProductFactory, UsuryCapFactory

pytestmark = pytest.mark.django_db

FIRST_PAGE_LIMIT = 150 * 1024
LATER_PAGE_LIMIT = 30 * 1024
STATIC_PREFIX = static("")
ASSET = re.compile(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"')


def _assets(html: str) -> set[str]:
    return {url for url in ASSET.findall(html) if url.startswith(STATIC_PREFIX)}


def _size(url: str) -> int:
    path = finders.find(url.removeprefix(STATIC_PREFIX))
    assert path, f"{url} is named by the page but is not a static file"
    with open(path, "rb") as handle:
        return len(handle.read())


def _weigh(client, url: str, already_loaded: set[str]) -> tuple[int, set[str]]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assets = _assets(html)
    return len(response.content) + sum(_size(asset) for asset in assets - already_loaded), assets


def test_the_first_page_weighs_at_most_150_kb_with_its_css_js_and_icon(client):
    weight, assets = _weigh(client, "/", set())

    assert {static("vendor/bootstrap/bootstrap.min.css"), static("portal/img/favicon.ico")} <= assets
    assert weight <= FIRST_PAGE_LIMIT, f"the first page weighs {weight} bytes"


def test_the_task_list_adds_at_most_30_kb_after_the_first_page(owner, owner_client):
    UsuryCapFactory()
    application = ApplicationFactory(
        applicant=owner,
        product=ProductFactory(),
        plan=PlanFactory(owner=owner),
        amount=8_000_000,
        term_months=24,
        grace_months=3,
    )
    _first, cached = _weigh(owner_client, "/", set())

    weight, _assets_of_task_list = _weigh(owner_client, f"/solicitudes/{application.public_id}/", cached)

    assert weight <= LATER_PAGE_LIMIT, f"the task list adds {weight} bytes"


def test_bootstrap_ships_only_what_the_templates_use():
    """The whole of Bootstrap 5.3 is 232 KB; the cut-down build is a fraction of it."""
    assert _size(static("vendor/bootstrap/bootstrap.min.css")) < 60 * 1024


def test_production_serves_the_css_compressed(tmp_path, settings):
    """Production (base) settings keep WhiteNoise's compressed, hashed storage: collectstatic
    writes a gzip copy of each file, which WhiteNoise sends to browsers that accept it."""
    import gzip

    from django.core.management import call_command

    from portal.settings import base

    assert base.STORAGES["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    settings.STORAGES = base.STORAGES
    settings.STATIC_ROOT = tmp_path

    call_command("collectstatic", "--noinput", verbosity=0)

    compressed = list((tmp_path / "vendor" / "bootstrap").glob("bootstrap.min.*.css.gz"))
    assert len(compressed) == 1
    with open(finders.find("vendor/bootstrap/bootstrap.min.css"), "rb") as source:
        assert gzip.decompress(compressed[0].read_bytes()) == source.read()
    assert compressed[0].stat().st_size < 12 * 1024
