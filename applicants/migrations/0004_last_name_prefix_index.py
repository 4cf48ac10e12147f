"""An index for the officers' last-name search (istartswith → UPPER(col::text) LIKE 'X%').

PostgreSQL only: the expression must match what Django generates, with text_pattern_ops so
LIKE 'prefix%' can use it whatever the database's collation.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS profile_last_names_prefix_idx "
    "ON applicants_returneeprofile (UPPER(last_names::text) text_pattern_ops)"
)
DROP = "DROP INDEX IF EXISTS profile_last_names_prefix_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("applicants", "0003_staff_index")]
    operations = [migrations.RunPython(create, drop)]
