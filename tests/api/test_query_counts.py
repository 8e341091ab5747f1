"""Read endpoints cost a fixed number of queries, however big the article or the list.

Each test warms up with one request (content types, URL resolver, anything cached
per process, and the built documents), then measures. The exact numbers are
pinned so that any change shows up here; the budgets are the ceilings the
numbers may never pass. A read costs:

- nothing when Django's cache holds the answer (the usual case);
- a fixed few when the cache was emptied (a restart, another server): the
  documents stored beside the articles are read, nothing is built;
- a fixed number more when articles changed since their documents were built:
  one build of every stale document on the page, whatever their number.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.services import articles_mark_changed
from tests.conftest import DEMO_SLUG
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    ReferenceFactory,
    SectionFactory,
    TagFactory,
)
from tests.queries import count_queries, count_queries_uncached

pytestmark = pytest.mark.django_db

# Served from Django's cache.
CACHED_QUERIES = 0
# Measured: the article with its stored document, in one indexed query.
DETAIL_QUERIES = 1
DETAIL_BUDGET = 1
# Measured: the article row, then the build: the article for its list item and
# for its detail (each with what the extensions annotate), then once for both
# its live version, its tags and its images' renditions; the stored document
# before; the write. (An article with no tag or no image skips that query.)
DETAIL_BUILD_QUERIES = 8
# Measured: when the next scheduled article goes public, then the page of
# articles with their stored documents.
LIST_QUERIES = 2
LIST_BUDGET = 2
# Measured: the two above, then one build of the page's stale documents (6:
# these articles have no images, so no renditions are read).
LIST_BUILD_QUERIES = 8

LIST_URL = "/api/v1/articles/"


def detail_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/"


def small_article():
    article = ArticleFactory(tags=[TagFactory()])
    SectionFactory(article=article)
    ImageFactory(article=article)
    return article


def large_article():
    """40 sections, 10 images placed after sections, 60 references, 2 tags."""
    article = ArticleFactory(tags=TagFactory.create_batch(2))
    sections = SectionFactory.create_batch(40, article=article)
    for section in sections[:10]:
        ImageFactory(article=article, after_section=section)
    ReferenceFactory.create_batch(60, article=article)
    return article


def public_articles(count: int) -> None:
    """``count`` public articles, each with two tags of its own."""
    now = timezone.now()
    for n in range(count):
        ArticleFactory(
            published_at=now - dt.timedelta(minutes=n + 1),
            tags=TagFactory.create_batch(2),
        )


# Detail.


def test_detail_of_a_one_section_article_runs_the_pinned_number_of_queries(api_client):
    article = small_article()
    api_client.get(detail_url(article))
    assert count_queries(api_client, detail_url(article)) == CACHED_QUERIES
    queries = count_queries_uncached(api_client, detail_url(article))
    assert queries == DETAIL_QUERIES
    assert queries <= DETAIL_BUDGET


def test_detail_of_a_large_article_runs_as_many_queries_as_a_one_section_article(api_client):
    small, large = small_article(), large_article()
    api_client.get(detail_url(small))
    api_client.get(detail_url(large))
    small_queries = count_queries_uncached(api_client, detail_url(small))
    large_queries = count_queries_uncached(api_client, detail_url(large))
    assert small_queries == large_queries == DETAIL_QUERIES
    assert count_queries(api_client, detail_url(large)) == CACHED_QUERIES


def test_rebuilding_a_large_article_runs_as_many_queries_as_a_one_section_article(api_client):
    small, large = small_article(), large_article()
    api_client.get(detail_url(small))
    api_client.get(detail_url(large))
    articles_mark_changed(article_ids=[small.pk, large.pk], reason="test")
    small_queries = count_queries(api_client, detail_url(small))
    large_queries = count_queries(api_client, detail_url(large))
    assert small_queries == large_queries == DETAIL_BUILD_QUERIES


def test_large_article_detail_serves_every_part(api_client):
    # The query count above means something only if the parts are all there.
    large = large_article()
    data = api_client.get(detail_url(large)).json()
    counts = tuple(len(data[key]) for key in ("sections", "toc", "images", "references", "tags"))
    assert counts == (40, 40, 10, 60, 2)
    assert all(image["after_section"] for image in data["images"])


def test_demo_article_detail_runs_the_pinned_number_of_queries(api_client, demo_article):
    url = f"/api/v1/articles/{DEMO_SLUG}/"
    api_client.get(url)
    assert count_queries(api_client, url) == CACHED_QUERIES
    assert count_queries_uncached(api_client, url) == DETAIL_QUERIES


def test_detail_query_count_does_not_grow_with_other_articles(api_client):
    article = small_article()
    large_article()
    api_client.get(detail_url(article))
    assert count_queries_uncached(api_client, detail_url(article)) == DETAIL_QUERIES


def test_detail_of_a_draft_is_a_404_of_one_query_then_of_none(api_client):
    draft = ArticleFactory(draft=True)
    api_client.get("/api/v1/articles/unknown/")  # warm-up
    with CaptureQueriesContext(connection) as first:
        assert api_client.get(detail_url(draft)).status_code == 404
    with CaptureQueriesContext(connection) as second:
        assert api_client.get(detail_url(draft)).status_code == 404
    assert (len(first), len(second)) == (DETAIL_QUERIES, CACHED_QUERIES)


# List.


def test_list_of_one_article_runs_the_pinned_number_of_queries(api_client):
    public_articles(1)
    api_client.get(LIST_URL)
    assert count_queries(api_client, LIST_URL) == CACHED_QUERIES
    queries = count_queries_uncached(api_client, LIST_URL)
    assert queries == LIST_QUERIES
    assert queries <= LIST_BUDGET


def test_list_of_fifty_tagged_articles_runs_as_many_queries_as_a_list_of_one(api_client):
    public_articles(1)
    api_client.get(LIST_URL, {"page_size": 100})
    one = count_queries_uncached(api_client, LIST_URL, {"page_size": 100})
    public_articles(49)
    api_client.get(LIST_URL, {"page_size": 100})
    fifty = count_queries_uncached(api_client, LIST_URL, {"page_size": 100})
    assert one == fifty == LIST_QUERIES
    assert fifty <= LIST_BUDGET


def test_list_of_fifty_changed_articles_rebuilds_them_in_as_many_queries_as_one(api_client):
    public_articles(1)
    one = count_queries(api_client, LIST_URL, {"page_size": 100})
    public_articles(49)
    fifty = count_queries(api_client, LIST_URL, {"page_size": 100})
    assert one == fifty == LIST_BUILD_QUERIES


def test_list_of_fifty_serves_every_article_with_its_tags(api_client):
    # The query count above means something only if every item was serialised.
    public_articles(50)
    results = api_client.get(LIST_URL, {"page_size": 100}).json()["results"]
    assert len(results) == 50
    assert all(len(item["tags"]) == 2 for item in results)


def test_next_page_runs_the_pinned_number_of_queries(api_client):
    public_articles(30)
    first = api_client.get(LIST_URL, {"page_size": 10}).json()
    api_client.get(first["next"])
    assert count_queries(api_client, first["next"]) == CACHED_QUERIES
    assert count_queries_uncached(api_client, first["next"]) == LIST_QUERIES


def test_tag_filtered_list_runs_as_many_queries_with_one_match_as_with_fifty(api_client):
    sleep = TagFactory(slug="sleep")
    ArticleFactory(tags=[sleep])
    api_client.get(LIST_URL, {"tag": "sleep", "page_size": 100})
    one = count_queries_uncached(api_client, LIST_URL, {"tag": "sleep", "page_size": 100})
    ArticleFactory.create_batch(49, tags=[sleep, TagFactory()])
    api_client.get(LIST_URL, {"tag": "sleep", "page_size": 100})
    fifty = count_queries_uncached(api_client, LIST_URL, {"tag": "sleep", "page_size": 100})
    assert one == fifty == LIST_QUERIES


def test_search_runs_as_many_queries_with_one_match_as_with_fifty(api_client):
    params = {"search": "dopamine pathways", "page_size": 100}
    SectionFactory(article=ArticleFactory(), body="Dopamine pathways.")
    api_client.get(LIST_URL, params)
    one = count_queries_uncached(api_client, LIST_URL, params)
    for _ in range(49):
        SectionFactory.create_batch(2, article=ArticleFactory(), body="Dopamine pathways.")
    api_client.get(LIST_URL, params)
    fifty = count_queries_uncached(api_client, LIST_URL, params)
    assert one == fifty == LIST_QUERIES


def test_a_deep_page_runs_as_many_queries_as_the_first(api_client):
    public_articles(60)
    url, pages = LIST_URL + "?page_size=5", []
    while url:
        page = api_client.get(url).json()
        pages.append(url)
        url = page["next"]
    assert len(pages) == 12
    first = count_queries_uncached(api_client, pages[0])
    deep = count_queries_uncached(api_client, pages[-2])
    assert first == deep == LIST_QUERIES
