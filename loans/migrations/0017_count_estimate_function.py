"""``retorno_count(query, exact_below)``: the admin lists' row count in one query (issue 13).

The planner's estimate when it is at least ``exact_below``, else an exact COUNT(*): before,
a list below 100,000 rows spent one query on the estimate and one on the count, so the query
count differed between a small and a large programme. PostgreSQL only.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION retorno_count(query text, exact_below bigint) RETURNS bigint AS $$
DECLARE
    plan json;
    estimate bigint;
    exact bigint;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    estimate := (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
    IF estimate >= exact_below THEN
        RETURN estimate;
    END IF;
    EXECUTE 'SELECT count(*) FROM (' || query || ') AS counted' INTO exact;
    RETURN exact;
END
$$ LANGUAGE plpgsql VOLATILE
"""
DROP = "DROP FUNCTION IF EXISTS retorno_count(text, bigint)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("loans", "0016_summary_rebuild_job")]
    operations = [migrations.RunPython(create, drop)]
