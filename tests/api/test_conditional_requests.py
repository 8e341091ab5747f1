"""Built documents go out as stored bytes with validators, 304s and Cache-Control."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from articles.services import articles_mark_changed
from tests.factories import ArticleFactory, CommentFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = ArticleFactory(slug="iron")
    SectionFactory(article=article)
    CommentFactory(article=article)
    return article


URLS = {
    "detail": "/api/v1/articles/iron/",
    "list": "/api/v1/articles/",
    "comments": "/api/v1/articles/iron/comments/",
}


@pytest.fixture(params=sorted(URLS))
def url(request, article) -> str:
    return URLS[request.param]


def test_answer_has_a_strong_etag_and_last_modified(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"].endswith(" GMT")


def test_cached_and_built_answers_are_the_same_bytes_and_headers(api_client, url):
    built = api_client.get(url)
    cached = api_client.get(url)
    cache.clear()
    from_store = api_client.get(url)
    for response in (cached, from_store):
        assert response.content == built.content
        for header in ("ETag", "Cache-Control", "Content-Type", "Vary"):
            assert response[header] == built[header]
    assert cached["Last-Modified"] == built["Last-Modified"]
    # A page's time is when its listing was last seen to change: a lost
    # cache may move it on (a 200 where a 304 was possible), never back.
    assert parse_http_date(from_store["Last-Modified"]) >= parse_http_date(built["Last-Modified"])


def test_detail_last_modified_survives_a_lost_cache(api_client, article):
    built = api_client.get(URLS["detail"])
    cache.clear()
    assert api_client.get(URLS["detail"])["Last-Modified"] == built["Last-Modified"]


def test_matching_if_none_match_is_a_304_without_a_query(api_client, url):
    etag = api_client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert len(queries) == 0


def test_if_modified_since_last_modified_is_a_304(api_client, url):
    last_modified = api_client.get(url)["Last-Modified"]
    assert api_client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_older_if_modified_since_is_a_200(api_client, url):
    long_ago = http_date((timezone.now() - dt.timedelta(days=1)).timestamp())
    assert api_client.get(url, HTTP_IF_MODIFIED_SINCE=long_ago).status_code == 200


def test_a_change_answers_200_with_a_new_etag(api_client, url, article):
    etag = api_client.get(url)["ETag"]
    CommentFactory(article=article, body="Another one.")
    response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_a_rebuild_that_changes_nothing_keeps_etag_and_last_modified(api_client, article):
    first = api_client.get(URLS["detail"])
    articles_mark_changed(article_ids=[article.pk], reason="test")
    again = api_client.get(URLS["detail"])
    assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])


def test_cache_control_by_default_asks_again_each_time(api_client, url):
    assert api_client.get(url)["Cache-Control"] == "public, no-cache"


def test_cache_control_follows_the_settings(api_client, url, settings):
    settings.RLS_ARTICLES = {"MAX_AGE": 120, "STALE_WHILE_REVALIDATE": 30}
    response = api_client.get(url)
    assert response["Cache-Control"] == "public, max-age=120, stale-while-revalidate=30"


def test_list_max_age_ends_when_the_next_scheduled_article_goes_public(
    api_client, article, settings
):
    settings.RLS_ARTICLES = {"MAX_AGE": 3600}
    ArticleFactory(published_at=timezone.now() + dt.timedelta(seconds=90))
    cache_control = api_client.get(URLS["list"])["Cache-Control"]
    max_age = int(cache_control.split("max-age=")[1].split(",")[0])
    assert 80 <= max_age <= 90


def test_answers_vary_on_accept_while_the_browsable_api_is_on(api_client, url):
    assert "Accept" in api_client.get(url)["Vary"]


def test_a_browser_still_gets_the_browsable_api(api_client, url):
    response = api_client.get(url, HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_head_answers_the_headers_of_get(api_client, url):
    get = api_client.get(url)
    head = api_client.head(url)
    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]
