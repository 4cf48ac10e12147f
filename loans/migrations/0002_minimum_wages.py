"""SMMLV by year (DOMAIN.md); staff extend the table in the admin each December."""

from django.db import migrations

WAGES = {2025: 1_423_500, 2026: 1_750_905}


def load(apps, schema_editor):
    MinimumWage = apps.get_model("loans", "MinimumWage")
    for year, amount in WAGES.items():
        MinimumWage.objects.get_or_create(year=year, defaults={"amount": amount})


class Migration(migrations.Migration):
    dependencies = [("loans", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
