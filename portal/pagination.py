"""A paginator that does not COUNT(*) a million rows for an unfiltered admin list, nor for a search."""

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

EXACT_BELOW = 100_000
# A search whose matches the planner puts at this many or more shows the planner's estimate: at
# 1M applications the commonest surname matches ~40,000 of them, which takes 1.5-2 s to count
# exactly (every match's profile and application read) and 50 ms to list newest first. Rarer
# surnames (loans.review.selectors.applications_by_last_name) are counted exactly.
SEARCH_EXACT_BELOW = 2_000


class EstimatedCountPaginator(Paginator):
    """Uses PostgreSQL's planner estimate when the list is unfiltered and large; exact otherwise.

    ``unfiltered`` is the admin's own base queryset (``get_queryset``): a list that only carries
    its conditions (the officers' queue leaves drafts out) still counts as unfiltered.
    ``estimate_from`` (the admin passes ``SEARCH_EXACT_BELOW`` when the list is a search) lets a
    filtered list be estimated too, from that many rows on.
    """

    def __init__(
        self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, unfiltered=None, estimate_from=None
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.unfiltered = unfiltered
        self.estimate_from = estimate_from

    def _is_unfiltered(self, query) -> bool:
        if query.distinct:
            return False
        if not query.where:
            return True
        return self.unfiltered is not None and query.where == self.unfiltered.query.where

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and connections[queryset.db].vendor == "postgresql":
            connection = connections[queryset.db]
            if self._is_unfiltered(queryset.query):
                return self._estimate_or_count(queryset, connection, EXACT_BELOW)
            if self.estimate_from is not None and not queryset.query.distinct:
                return self._estimate_or_count(queryset, connection, self.estimate_from)
        return super().count

    @staticmethod
    def _estimate_or_count(queryset, connection, exact_below: int) -> int:
        """One query at any size: the planner's estimate when large, else the exact count.

        ``retorno_count`` (migration loans 0017) runs EXPLAIN and, below ``exact_below``, COUNT(*)
        inside the database, so a list costs the same number of queries at 1,000 rows as at a
        million. Without the list's joins, which change nothing to the count but blur the estimate.
        """
        try:
            sql, params = queryset.select_related(None).order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a search that matched nothing (pk IN an empty set)
            return 0
        with connection.cursor() as cursor:
            text = cursor.mogrify(sql, params).decode()
            cursor.execute("SELECT retorno_count(%s, %s)", [text, exact_below])
            return int(cursor.fetchone()[0])
