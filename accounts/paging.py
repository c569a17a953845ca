"""Pages of a long list without an exact COUNT(*) where an estimate serves.

A page is read with one row more than it shows (that row says whether a next page exists).
The total is exact when the rows read already show it, or when the planner expects fewer than
ESTIMATE_FROM rows (then COUNT(*) is cheap); above that the page says "about N", from
PostgreSQL's own row estimate (`EXPLAIN`), which costs no scan. Other databases count exactly.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, QuerySet, Window

ESTIMATE_FROM = 1000


@dataclass(frozen=True)
class Page:
    rows: list
    number: int
    per_page: int
    has_next: bool
    count: int
    estimated: bool  # `count` is the planner's estimate, not a count

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages, or None when the total is an estimate."""
        return None if self.estimated else max(1, math.ceil(self.count / self.per_page))

    @property
    def shown_count(self) -> int:
        """The total as shown: exact, or the estimate to two significant figures."""
        if not self.estimated or self.count < 100:
            return self.count
        step = 10 ** (len(str(self.count)) - 2)
        return round(self.count / step) * step


def planner_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows of `queryset` (None on other databases)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def page_number(raw) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def get_page(queryset: QuerySet, raw_number, per_page: int) -> Page:
    """Page `raw_number` (1 when not a number; the last page when past the end)."""
    number = page_number(raw_number)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if rows and not has_next:
        return Page(rows, number, per_page, False, start + len(rows), False)
    if not rows and number == 1:
        return Page([], 1, per_page, False, 0, False)
    estimate = planner_rows(queryset)
    if estimate is not None and estimate >= ESTIMATE_FROM and rows:
        return Page(rows, number, per_page, True, max(estimate, start + len(rows) + 1), True)
    count = queryset.count()
    if not rows:  # past the end: the last page
        last = max(1, math.ceil(count / per_page))
        return (
            get_page(queryset, last, per_page) if count else Page([], 1, per_page, False, 0, False)
        )
    return Page(rows, number, per_page, has_next, count, False)


def counted_page(queryset: QuerySet, raw_number, per_page: int) -> DjangoPage:
    """Django's page of `queryset` in one query, for a list whose every match is read anyway
    to sort it (a search sorted by name): the total rides on each row, COUNT(*) OVER (), in
    place of a second scan of the same matches. Past the end, or with no match, Django's
    paginator answers (the last page; a count query more)."""
    paginator = Paginator(queryset.annotate(_matches=Window(Count("pk"))), per_page)
    number = page_number(raw_number)
    start = (number - 1) * per_page
    rows = list(paginator.object_list[start : start + per_page])
    if not rows:
        return Paginator(queryset, per_page).get_page(raw_number)
    paginator.count = rows[0]._matches  # the cached property, set from the rows
    return DjangoPage(rows, number, paginator)
