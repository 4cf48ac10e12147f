"""Daily jobs for disbursed loans: state-paid instalments, arrears, follow-up visit reminders."""

from importlib import import_module

from django.db import migrations

JOBS = [
    (
        "Loans: state-paid instalments, arrears and states",
        "loans.loans.daily",
        ("30", "5", "*"),
        {},
        "Applies the instalments the state pays, then recomputes days in arrears and each loan's state.",
    ),
    (
        "Officers: follow-up visits due within a week",
        "loans.notifications.remind_follow_up_visits",
        ("30", "7", "*"),
        {"days_ahead": 7},
        "Reminds the officer in charge of each follow-up visit (3, 6, 12 months) due soon or overdue.",
    ),
]


def create(apps, schema_editor):
    import_module("loans.migrations.0004_periodic_jobs").create_jobs(apps, JOBS)


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[job[0] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [("loans", "0007_queue_columns"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
