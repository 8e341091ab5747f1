"""Counting the queries of one request: query counts are part of the API contract."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str, params: dict | None = None) -> int:
    """Run one GET and return how many queries it took; the answer must be a 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def count_queries_uncached(client, url: str, params: dict | None = None) -> int:
    """``count_queries`` with Django's cache emptied first: stored documents are read."""
    from django.core.cache import cache

    cache.clear()
    return count_queries(client, url, params)
