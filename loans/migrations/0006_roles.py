"""Groups for the three staff roles, with their permissions (issue 5).

- Program officer: reviews, asks for information, recommends or rejects.
- Approver: approves what someone else recommended, and disburses.
- Analyst: reads reports and exports them.
Seeing unmasked document numbers, phones and addresses is a separate permission (view_pii).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Program officer": [
        ("loans", "review_application"),
        ("loans", "view_loanapplication"),
        ("loans", "view_businessplan"),
        ("loans", "view_loanproduct"),
        ("loans", "view_eligibilityresult"),
        ("loans", "add_reviewnote"),
        ("loans", "view_reviewnote"),
        ("loans", "add_applicationscore"),
        ("loans", "change_applicationscore"),
        ("loans", "view_applicationscore"),
        ("loans", "view_applicationmessage"),
        ("loans", "view_loan"),
        ("loans", "view_loaninstalment"),
        ("loans", "view_repayment"),
        ("loans", "view_followupvisit"),
        ("loans", "change_followupvisit"),
        ("applicants", "view_returneeprofile"),
        ("applicants", "view_user"),
    ],
    "Approver": [
        ("loans", "approve_application"),
        ("loans", "view_loanapplication"),
        ("loans", "view_businessplan"),
        ("loans", "view_loanproduct"),
        ("loans", "view_eligibilityresult"),
        ("loans", "view_reviewnote"),
        ("loans", "add_reviewnote"),
        ("loans", "view_applicationscore"),
        ("loans", "view_applicationmessage"),
        ("loans", "view_loan"),
        ("loans", "view_loaninstalment"),
        ("loans", "view_repayment"),
        ("loans", "add_repayment"),
        ("loans", "view_followupvisit"),
        ("applicants", "view_returneeprofile"),
        ("applicants", "view_user"),
    ],
    "Analyst": [
        ("loans", "view_reports"),
        ("loans", "export_reports"),
        ("loans", "view_loanproduct"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now to assign them.
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


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0005_officer_review_and_loans"),
        ("applicants", "0002_load_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
