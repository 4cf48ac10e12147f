"""Every page a returnee meets, public and in the account, on a 360 × 740 phone: nothing
scrolls sideways (long emails, references and badges wrap) and axe-core finds no violation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from applicants.models import Notification
from applicants.selectors import PROFILE_STEPS
from loans.models import ApplicationMessage
from tests.browser.helpers import assert_accessible, log_in
from tests.factories import (
    ApplicationFactory,
    CompleteProfileFactory,
    PlanFactory,
    ProductFactory,
    UsuryCapFactory,
)

pytestmark = pytest.mark.browser

# 40 characters, longer than a phone's line.
LONG_EMAIL = "ana.maria.lopez.restrepo.2026@example.co"
PUBLIC_PAGES = [
    "/",
    "/como-funciona/",
    "/simulador/",
    "/simulador/?amount=10000000&term_months=24&grace_months=3",
    "/requisitos/",
    "/creditos/",
    "/estadisticas/",
    "/cuenta/entrar/",
    "/cuenta/registro/",
    "/cuenta/clave/",
    "/cuenta/confirmar/",
]


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]} px of content in {widths[1]} px"


def _account_pages(owner, profile, draft, sent, plan) -> list[str]:
    pages = [
        "/cuenta/",
        "/cuenta/consentimiento/",
        "/cuenta/mensajes/",
        f"/perfil/{profile.public_id}/",
        *(f"/perfil/{profile.public_id}/paso/{step.slug}/" for step in PROFILE_STEPS),
        f"/perfil/{profile.public_id}/eliminar/",
        "/planes/",
        f"/planes/{plan.public_id}/",
        "/solicitudes/",
    ]
    for suffix in ("", "plan/", "credito/", "documentos/", "declaraciones/", "revisar/", "retirar/"):
        pages.append(f"/solicitudes/{draft.public_id}/{suffix}")
    pages += [f"/solicitudes/{sent.public_id}/", f"/solicitudes/{sent.public_id}/responder/"]
    return pages


@pytest.fixture
def returnee(site):
    UsuryCapFactory()
    product = ProductFactory(name="Crédito Retorno Productivo para emprendimientos rurales y urbanos")
    profile = CompleteProfileFactory(
        user__email=LONG_EMAIL, first_names="María de los Ángeles", last_names="Villavicencio Castañeda"
    )
    owner = profile.user
    plan = PlanFactory(owner=owner, name="Panadería y repostería artesanal La Esperanza del Barrio Manrique")
    draft = ApplicationFactory(
        applicant=owner, product=product, plan=plan, amount=10_000_000, term_months=24, grace_months=3
    )
    sent = ApplicationFactory(
        applicant=owner,
        product=product,
        plan=plan,
        amount=12_000_000,
        term_months=36,
        grace_months=6,
        status="info_requested",
        reference="RP-2026-000123",
        submitted_at=timezone.now(),
    )
    ApplicationMessage.objects.create(
        application=sent, sender=None, from_applicant=False, body="Por favor envíe la cotización del horno industrial."
    )
    Notification.objects.create(
        key=f"info-requested-{sent.pk}",
        kind="info_requested",
        user=owner,
        subject="Le pedimos información sobre la solicitud RP-2026-000123",
        body="Responda desde la página de su solicitud.",
        link=f"/solicitudes/{sent.public_id}/",
    )
    return owner, profile, draft, sent, plan


def test_public_pages_fit_a_phone_and_pass_axe(page, site, returnee):
    for path in PUBLIC_PAGES:
        page.goto(f"{site.url}{path}")
        _no_sideways_scroll(page)
        assert_accessible(page)


def test_account_pages_fit_a_phone_and_pass_axe(page, site, returnee):
    owner, *rest = returnee
    log_in(page, site, owner, language="es")
    for path in _account_pages(owner, *rest):
        response = page.goto(f"{site.url}{path}")
        assert response.status == 200, path
        _no_sideways_scroll(page)
        assert_accessible(page)


def test_account_pages_fit_a_phone_without_javascript(page_without_js, site, returnee):
    owner, *rest = returnee
    log_in(page_without_js, site, owner, language="es")
    for path in [*PUBLIC_PAGES, *_account_pages(owner, *rest)]:
        page_without_js.goto(f"{site.url}{path}")
        _no_sideways_scroll(page_without_js)
