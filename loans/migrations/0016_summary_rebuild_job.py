"""Nightly full recount of the report and statistics summaries (issue 13), on the exports queue."""

from importlib import import_module

from django.db import migrations

JOBS = [
    (
        "Reports: nightly recount of the summaries",
        "loans.exports.rebuild_summaries",
        ("30", "2", "*"),
        {},
        "Recounts every report and statistics figure from the source tables, records how many "
        "cells the running totals had got wrong (expected: none) and replaces them.",
    ),
]


def create(apps, schema_editor):
    import_module("loans.migrations.0004_periodic_jobs").create_jobs(apps, JOBS)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[job[0] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0015_report_summaries"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
