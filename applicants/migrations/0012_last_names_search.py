"""Accent- and case-blind last-name search (issue 13): a folded copy of last_names with a prefix index.

Replaces the UPPER(last_names) index of 0004, which could not ignore accents.
"""

from importlib import import_module

from django.db import migrations, models

from applicants.search import fold


def fill(apps, schema_editor):
    Profile = apps.get_model("applicants", "ReturneeProfile")
    batch = []
    for pk, last_names in Profile.objects.order_by().values_list("pk", "last_names").iterator(chunk_size=5000):
        batch.append(Profile(pk=pk, last_names_search=fold(last_names)))
        if len(batch) == 5000:
            Profile.objects.bulk_update(batch, ["last_names_search"])
            batch = []
    Profile.objects.bulk_update(batch, ["last_names_search"])


def drop_upper_index(apps, schema_editor):
    import_module("applicants.migrations.0004_last_name_prefix_index").drop(apps, schema_editor)


def create_upper_index(apps, schema_editor):
    import_module("applicants.migrations.0004_last_name_prefix_index").create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("applicants", "0011_merge_programmes_with_accounts")]

    operations = [
        migrations.AddField(
            model_name="returneeprofile",
            name="last_names_search",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="returneeprofile",
            index=models.Index(
                fields=["last_names_search"], name="profile_last_names_search_idx", opclasses=["text_pattern_ops"]
            ),
        ),
        migrations.RunPython(drop_upper_index, create_upper_index),
    ]
