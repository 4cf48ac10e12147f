"""What the application, officer and analyst journeys share: a real PDF, staff with a backup
code, and logging in through the forms people use (the portal's, and the admin's with its
second factor)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from playwright.sync_api import expect

from portal.uploads import one_page_pdf
from tests.factories import PASSWORD, StaffFactory

BACKUP_CODES = "Códigos de respaldo"


tiny_pdf = one_page_pdf  # the name the journeys use


# The migrations that create the role groups and give them permissions (the "Intermediary" group
# of 0013_intermediary_group has none of its own).
ROLE_MIGRATIONS = ("0006_roles", "0013_programme_roles_and_reminder", "0014_servicing_roles")


def role(name: str) -> Group:
    """A role group as the migrations leave it, put back if an earlier transactional test flushed it."""
    from importlib import import_module

    group, created = Group.objects.get_or_create(name=name)
    if created:
        for migration in ROLE_MIGRATIONS:
            for app_label, codename in import_module(f"loans.migrations.{migration}").ROLES.get(name, ()):
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def staff_with_backup_code(group: str, code: str):
    """A staff member in one of the role groups, whose second factor is a one-time backup code."""
    user = StaffFactory()
    user.groups.add(role(group))
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES)
    StaticToken.objects.create(device=device, token=code)
    return user


def admin_log_in(page, user, code: str) -> None:
    """On the admin's login page, in one step: email, password and a code (here a backup code)."""
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_label("Código", exact=False).first.fill(code)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.locator("#login-form")).to_have_count(0)


def portal_log_in(page, site, user) -> None:
    page.goto(f"{site.url}/cuenta/entrar/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()
