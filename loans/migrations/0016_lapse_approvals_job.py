"""The daily job that cancels approvals never disbursed within LOANS_APPROVAL_LAPSE_DAYS."""

from importlib import import_module

from django.db import migrations

JOBS = [
    (
        "Applications: approvals that lapsed",
        "loans.applications.lapse_approvals",
        ("15", "5", "*"),
        {},
        "Cancels approved applications not disbursed within LOANS_APPROVAL_LAPSE_DAYS (default 60).",
    ),
]


def create(apps, schema_editor):
    import_module("loans.migrations.0004_periodic_jobs").create_jobs(apps, JOBS)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[job[0] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [("loans", "0015_capitalised_grace_rows_owe_nothing")]
    operations = [migrations.RunPython(create, remove)]
