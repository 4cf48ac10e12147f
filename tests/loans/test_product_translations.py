"""Products are written by staff in Spanish and English; each reader sees their language, and
Spanish where the English is not written yet."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from loans.models import LoanProduct
from tests.factories import ProductFactory, StaffFactory
from tests.review.admin_pages import staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(db):
    product = ProductFactory(name="Crédito Semilla", description="Para empezar su negocio.")
    product.name_en = "Seed Loan"
    product.description_en = "To start your business."
    product.save()
    return product


def test_spanish_readers_see_the_spanish_text(client, product):
    html = client.get(reverse("loans:products")).content.decode()

    assert "Crédito Semilla" in html
    assert "Para empezar su negocio." in html
    assert "Seed Loan" not in html


def test_english_readers_see_the_english_text(client, product):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("loans:products")).content.decode()

    assert "Seed Loan" in html
    assert "To start your business." in html
    assert "Crédito Semilla" not in html


def test_english_readers_see_spanish_where_no_english_is_written(client):
    ProductFactory(name="Crédito Raíces", description="Para volver a sembrar.")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("loans:products")).content.decode()

    assert "Crédito Raíces" in html
    assert "Para volver a sembrar." in html


def test_the_migration_keeps_existing_products_text_as_the_spanish_version():
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    product = ProductFactory(name="Crédito Semilla", description="Para empezar su negocio.")
    LoanProduct.objects.filter(pk=product.pk).update(name_es=None, description_es=None)
    name = "0015_product_name_and_description_in_spanish_and_english"
    migration = import_module(f"loans.migrations.{name}")
    historical = MigrationLoader(connection).project_state(("loans", name)).apps

    migration.spanish_from_the_original(historical, None)

    stored = LoanProduct.objects.filter(pk=product.pk).values("name_es", "description_es").get()

    assert stored == {"name_es": "Crédito Semilla", "description_es": "Para empezar su negocio."}


def test_staff_edit_both_languages_and_spanish_is_required(product):
    staff = StaffFactory(is_superuser=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="loanproduct"))
    client = staff_client(staff)
    url = reverse("admin:loans_loanproduct_change", args=[product.pk])

    html = client.get(url).content.decode()

    for name in ("name_es", "name_en", "description_es", "description_en"):
        assert f'name="{name}"' in html
    assert 'name="name_es" class="vTextField mandatory-translation-field' in html or 'id="id_name_es"' in html
