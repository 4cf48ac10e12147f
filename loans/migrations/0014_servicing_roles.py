"""Approvers ask for and pay credit-balance refunds and write the payment instructions; officers read offers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Program officer": [
        ("loans", "view_loanoffer"),
        ("loans", "view_scheduleversion"),
        ("loans", "view_creditrefund"),
    ],
    "Approver": [
        ("loans", "view_loanoffer"),
        ("loans", "view_scheduleversion"),
        ("loans", "view_creditrefund"),
        ("loans", "add_creditrefund"),
        ("loans", "change_creditrefund"),
        ("loans", "view_paymentinstructions"),
        ("loans", "add_paymentinstructions"),
        ("loans", "change_paymentinstructions"),
    ],
}


def add_permissions(apps, schema_editor):
    app_config = apps.get_app_config("loans")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(*Permission.objects.filter(codename__in=[c for _a, c in codenames]))


class Migration(migrations.Migration):
    dependencies = [("loans", "0013_frozen_offers_and_servicing_ledger")]
    operations = [migrations.RunPython(add_permissions, remove_permissions)]
