"""A page deep in the archive costs the database what the first page costs.

Measured as work the database does, not time: on SQLite the virtual-machine
steps of the page query, on PostgreSQL the rows its plan nodes produce.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.live import live_snapshot
from articles.models import Article
from articles.selectors import article_list_public

pytestmark = pytest.mark.django_db

ARCHIVE = 3000
PAGE_SIZE = 20


@pytest.fixture
def archive():
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Article {n}",
            slug=f"article-{n}",
            status=Article.Status.PUBLISHED,
            published_at=now - dt.timedelta(minutes=n + 1),
        )
        for n in range(ARCHIVE)
    )
    live_snapshot(article_ids=Article.objects.values_list("pk", flat=True))
    analyze()


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would keep them in production."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def work(sql: str, params) -> int:
    """How much the database does to answer ``sql``."""
    if connection.vendor == "sqlite":
        steps = 0

        def count() -> int:
            nonlocal steps
            steps += 1
            return 0

        raw = connection.connection
        raw.set_progress_handler(count, 1)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
        finally:
            raw.set_progress_handler(None, 1)
        return steps
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def rows(node) -> int:
        return node["Actual Rows"] * node.get("Actual Loops", 1) + sum(
            rows(child) for child in node.get("Plans", [])
        )

    return rows(plan[0]["Plan"])


def page_query(client, url: str) -> tuple[str, list]:
    """The SQL of the list page query that ``url`` runs (the one reading articles by date)."""
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"]][-1]
    return sql, []


def test_a_page_ninety_percent_deep_costs_what_the_first_page_costs(api_client, archive):
    first_url = f"/api/v1/articles/?page_size={PAGE_SIZE}"
    url = "/api/v1/articles/?page_size=100"
    for _ in range(int(ARCHIVE * 0.9) // 100):
        url = api_client.get(url).json()["next"]
    deep_url = url.replace("page_size=100", f"page_size={PAGE_SIZE}")
    assert api_client.get(deep_url).json()["results"][0]["slug"] == "article-2700"
    analyze()  # the walk stored 2,700 documents: the planner should know
    first = work(*page_query(api_client, first_url))
    deep = work(*page_query(api_client, deep_url))
    assert deep <= 2 * first, (first, deep)


def test_the_measure_sees_a_scan_of_the_archive(archive):
    # The check above means something only if the measure grows with a scan.
    page = article_list_public()[:PAGE_SIZE].query.sql_with_params()
    scan = Article.objects.order_by("title")[:PAGE_SIZE].query.sql_with_params()
    assert work(*scan) > 10 * work(*page)
