"""A paginator that does not COUNT(*) a million rows for an unfiltered admin list."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_BELOW = 100_000


class EstimatedCountPaginator(Paginator):
    """Uses PostgreSQL's planner estimate when the list is unfiltered and large; exact otherwise."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.distinct:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                estimate = row[0] if row else -1
                if estimate >= EXACT_BELOW:
                    return estimate
        return super().count
