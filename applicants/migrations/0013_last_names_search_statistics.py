"""Finer planner statistics for the folded last names (issue 13, the commonest surname at 1M).

With the default statistics target (100) PostgreSQL estimates every surname outside its 100
most common values at about 1 % of the profiles: a surname held by 600 people at 1M looked like
8,000, so the officers' search walked the queue's date index for it (5 s) instead of reading
its 600 matches from the last-name index (40 ms). At 10,000 the histogram resolves 0.01 % of the
profiles and the estimate follows the real count both ways. ANALYZE then samples up to 3 million
rows (the whole table at 1M profiles, a few seconds); PostgreSQL only.
"""

from django.db import migrations

TABLE = "applicants_returneeprofile"


def finer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN last_names_search SET STATISTICS 10000")
        schema_editor.execute(f"ANALYZE {TABLE} (last_names_search)")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN last_names_search SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("applicants", "0012_last_names_search")]
    operations = [migrations.RunPython(finer, default)]
