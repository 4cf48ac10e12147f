"""Groups "Programme operator" and "Mentor" (issue 11), and the daily planned-return reminder.

- Programme operator: records attendance and completion, verifies certificates, assigns
  mentors, for the programmes of the operators they belong to (ProgrammeOperator.staff), after
  a second factor.
- Mentor: reads and comments on the business plans of the enrolments assigned to them.
"""

from importlib import import_module

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    # Operators work in the portal's /operador/ pages, which show their own cohorts only; no admin
    # view permission, so the admin's enrolment list (every operator's) stays closed to them.
    "Programme operator": [
        ("loans", "operate_programme"),
    ],
    "Mentor": [
        ("loans", "mentor_enrolment"),
    ],
}

JOBS = [
    (
        "Reminder: planned return date reached",
        "applicants.remind_planned_returns",
        ("30", "9", "*"),
        {},
        "Asks people still abroad whose planned return date has come to update their return (once per date).",
    ),
]


def create(apps, schema_editor):
    for app_label in ("loans", "applicants"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    import_module("loans.migrations.0004_periodic_jobs").create_jobs(apps, JOBS)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[job[0] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0012_entrepreneurship_programmes"),
        ("applicants", "0006_returnee_still_abroad"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
