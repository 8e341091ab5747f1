"""Comments cost a fixed number of queries, however many there are.

Each test warms up with one request (content types, URL resolver, anything
cached per process), then measures, with Django's cache emptied (a cached page
costs no query: ``tests/api/test_query_counts.py``). The exact numbers are
pinned so that any change shows up here; the budgets are the ceilings they
may never pass.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, SectionFactory
from tests.queries import count_queries, count_queries_uncached

pytestmark = pytest.mark.django_db

# Measured: the article, then the page of comments.
COMMENT_LIST_QUERIES = 2
COMMENT_LIST_BUDGET = 3
# Measured: the next scheduled time, then the page of articles with their
# stored documents (the approved counts were counted in a subquery when built).
ARTICLE_LIST_QUERIES = 2
# Measured: the article with its stored document.
ARTICLE_DETAIL_QUERIES = 1

ARTICLE_LIST_URL = "/api/v1/articles/"


def comments_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


def detail_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/"


def add_comments(article, approved: int, *, others: int = 0) -> None:
    """``approved`` approved comments, half of them replies, and ``others`` of each other status."""
    now = timezone.now()
    first = CommentFactory(article=article, submitted_at=now - dt.timedelta(days=1))
    for n in range(approved - 1):
        CommentFactory(
            article=article,
            parent=first if n % 2 else None,
            submitted_at=now - dt.timedelta(minutes=n + 1),
        )
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED):
        CommentFactory.create_batch(others, article=article, status=status)


def articles_with_comments(articles: list, per_article: int) -> None:
    """``per_article`` approved comments on each article, and two of each other status."""
    for article in articles:
        add_comments(article, per_article, others=2)


# The public comment list.


def test_comment_list_of_one_comment_runs_the_pinned_number_of_queries(api_client):
    article = ArticleFactory()
    add_comments(article, 1)
    api_client.get(comments_url(article))
    assert count_queries(api_client, comments_url(article)) == 0
    queries = count_queries_uncached(api_client, comments_url(article), {"page_size": 200})
    assert queries == COMMENT_LIST_QUERIES
    assert queries <= COMMENT_LIST_BUDGET


def test_comment_list_of_200_comments_runs_as_many_queries_as_a_list_of_one(api_client):
    article = ArticleFactory()
    add_comments(article, 1)
    api_client.get(comments_url(article))
    one = count_queries_uncached(api_client, comments_url(article), {"page_size": 200})
    add_comments(article, 199, others=20)
    many = count_queries_uncached(api_client, comments_url(article), {"page_size": 200})
    assert one == many == COMMENT_LIST_QUERIES
    assert many <= COMMENT_LIST_BUDGET


def test_comment_list_of_200_serves_every_comment_with_its_parent(api_client):
    # The query count above means something only if every comment was serialised.
    article = ArticleFactory()
    add_comments(article, 200, others=20)
    results = api_client.get(comments_url(article), {"page_size": 200}).json()["results"]
    assert len(results) == 200
    assert sum(1 for item in results if item["parent"]) == 99


def test_comment_list_next_page_runs_the_pinned_number_of_queries(api_client):
    article = ArticleFactory()
    add_comments(article, 30)
    first = api_client.get(comments_url(article), {"page_size": 10}).json()
    assert count_queries_uncached(api_client, first["next"]) == COMMENT_LIST_QUERIES


# The article list: comment_count comes with the articles, not per article.


def test_article_list_runs_as_many_queries_with_50_comments_per_article_as_with_none(
    api_client,
):
    articles = ArticleFactory.create_batch(5)
    api_client.get(ARTICLE_LIST_URL, {"page_size": 100})
    without = count_queries_uncached(api_client, ARTICLE_LIST_URL, {"page_size": 100})
    articles_with_comments(articles, 50)
    api_client.get(ARTICLE_LIST_URL, {"page_size": 100})
    with_comments = count_queries_uncached(api_client, ARTICLE_LIST_URL, {"page_size": 100})
    assert without == with_comments == ARTICLE_LIST_QUERIES


def test_article_list_with_50_comments_per_article_counts_the_approved_ones(api_client):
    articles = ArticleFactory.create_batch(5)
    articles_with_comments(articles[:4], 50)
    results = api_client.get(ARTICLE_LIST_URL, {"page_size": 100}).json()["results"]
    counts = {item["slug"]: item["comment_count"] for item in results}
    assert counts == {article.slug: (50 if article in articles[:4] else 0) for article in articles}


def test_article_list_query_count_does_not_grow_with_the_number_of_articles(api_client):
    articles_with_comments(ArticleFactory.create_batch(1), 3)
    api_client.get(ARTICLE_LIST_URL, {"page_size": 100})
    one = count_queries_uncached(api_client, ARTICLE_LIST_URL, {"page_size": 100})
    articles_with_comments(ArticleFactory.create_batch(30), 3)
    api_client.get(ARTICLE_LIST_URL, {"page_size": 100})
    many = count_queries_uncached(api_client, ARTICLE_LIST_URL, {"page_size": 100})
    assert one == many == ARTICLE_LIST_QUERIES


# The article detail: the comments object costs no query of its own.


def test_article_detail_query_count_is_unchanged_by_adding_comments(api_client):
    article = ArticleFactory()
    SectionFactory(article=article)
    api_client.get(detail_url(article))
    without = count_queries_uncached(api_client, detail_url(article))
    add_comments(article, 50, others=5)
    api_client.get(detail_url(article))
    with_comments = count_queries_uncached(api_client, detail_url(article))
    assert without == with_comments == ARTICLE_DETAIL_QUERIES


def test_article_detail_with_comments_counts_the_approved_ones(api_client):
    article = ArticleFactory()
    add_comments(article, 50, others=5)
    assert api_client.get(detail_url(article)).json()["comments"]["count"] == 50
