"""Last-Modified says when the content changed, not when its bytes were built.

A document is built on the first read after a change; a list's generation is
started on the first read after a change. Neither read may date the change:
Last-Modified is the article's ``changed_at`` (what ``articles_mark_changed``
records), its publication time once a scheduled article goes public, and for
a list the newest of these among what it shows (or showed). A live article's
saved change is only its draft until it is published: the tests' ``edit``
saves and publishes, and the change is dated when it went live. Clients and CDNs
that revalidate with If-Modified-Since get a 304 exactly when nothing moved.

A list (the article list, an article's comments) never claims a time before
its floor (``articles.documents.Listing.floor``): when it was first served
with the current code and settings, or first served after the cache lost the
floor, or when an article was deleted. On a running site the floor lies in the
past and the list is dated by its content; tests of that serve the list once
before the change they date (``list_served_before``), and the floor has tests
of its own. The detail has no floor: its stored document remembers its time.

The clock stands still (time_machine, no ticking) and each test moves it on;
the cache and the database are the real ones.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.http import http_date

from articles.documents import ARTICLE_LIST, listing_forget
from articles.models import Article
from articles.services import (
    PUBLICATION_FIELDS,
    article_content_saved,
    article_mark_changed,
    article_publish_changes,
    articles_delete,
    articles_unpublish,
    live_state,
)
from articles.signals import Reason
from comments.models import Comment
from comments.services import comments_moderate
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

DETAIL = "/api/v1/articles/iron/"
LIST = "/api/v1/articles/"
COMMENTS = "/api/v1/articles/iron/comments/"
API = "https://api.example.org"


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def http(when: dt.datetime) -> str:
    """``when`` as an HTTP date, as Last-Modified and If-Modified-Since carry it."""
    return http_date(when.timestamp())


@pytest.fixture
def clock(time_machine):
    """Stands at T0; ``clock(m)`` moves it to T0 + m minutes, where it stands again."""

    def move(minutes: float) -> None:
        time_machine.move_to(at(minutes), tick=False)

    move(0)
    return move


def get(api_client, url: str, **headers):
    response = api_client.get(url, **headers)
    assert response.status_code in (200, 304), response.content
    return response


def edit(article: Article, **fields) -> None:
    """An editor's change, made public: saved through the services as the admin saves it
    (a live article's draft, or a change of publication, which is public at once),
    then, if it left unpublished changes, published as the admin's publish-changes does."""
    was_live = live_state(article.pk)
    for name, value in fields.items():
        setattr(article, name, value)
    with transaction.atomic():
        article.save()
        saved = article_content_saved(
            article=article,
            was_live=was_live,
            publish=False,
            publication_changed=bool(set(fields) & set(PUBLICATION_FIELDS)),
        )
    if saved.has_unpublished_changes:
        article_publish_changes(article_id=article.pk, user=None)


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def list_served_before(api_client, clock):
    """A running site: the (empty) article list was served at T0 - 30 minutes, so
    its floor lies before whatever the test does from T0 on, where the clock stands."""
    clock(-30)
    assert get(api_client, LIST)["Last-Modified"] == http(at(-30))
    clock(0)


# The detail.


def test_a_change_is_dated_when_it_was_made_not_when_first_read(api_client, clock):
    article = ArticleFactory(slug="iron", published_at=at(-60))
    clock(10)
    edit(article, title="Iron and sleep")
    clock(50)

    response = get(api_client, DETAIL)

    assert response.json()["title"] == "Iron and sleep"
    assert response["Last-Modified"] == http(at(10))


def test_a_change_to_a_document_already_built_is_dated_when_it_was_made(api_client, clock):
    article = ArticleFactory(slug="iron", published_at=at(-60))
    clock(5)
    assert get(api_client, DETAIL)["Last-Modified"] == http(at(0))
    clock(10)
    edit(article, title="Iron and sleep")
    clock(50)

    response = get(api_client, DETAIL)

    assert response.json()["title"] == "Iron and sleep"
    assert response["Last-Modified"] == http(at(10))


def test_marking_changed_with_the_same_bytes_keeps_last_modified(api_client, clock):
    article = ArticleFactory(slug="iron", published_at=at(-60))
    clock(5)
    first = get(api_client, DETAIL)
    clock(10)
    article_mark_changed(article=article, reason=Reason.SAVED)  # nothing visible moved
    clock(15)

    again = get(api_client, DETAIL)
    cache.clear()
    clock(20)
    from_store = get(api_client, DETAIL)

    for response in (again, from_store):
        assert response["Last-Modified"] == first["Last-Modified"] == http(at(0))
        assert response["ETag"] == first["ETag"]
    revalidated = get(api_client, DETAIL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert revalidated.status_code == 304


def test_a_scheduled_article_is_modified_when_it_goes_public(api_client, clock, list_served_before):
    article = ArticleFactory(slug="iron", published_at=at(60))  # scheduled
    clock(10)
    assert api_client.get(DETAIL).status_code == 404  # built, not shown yet
    assert slugs(get(api_client, LIST)) == []
    clock(20)
    edit(article, title="Iron and sleep")  # still before it goes public
    clock(90)

    response = get(api_client, DETAIL)

    assert response.json()["title"] == "Iron and sleep"
    assert response["Last-Modified"] == http(at(60))
    listed = get(api_client, LIST)
    assert slugs(listed) == ["iron"]
    assert listed["Last-Modified"] == http(at(60))


def test_a_scheduled_article_changed_after_it_went_public_is_dated_by_the_change(api_client, clock):
    article = ArticleFactory(slug="iron", published_at=at(60))
    clock(90)
    assert get(api_client, DETAIL)["Last-Modified"] == http(at(60))
    clock(100)
    edit(article, title="Iron and sleep")
    clock(110)
    assert get(api_client, DETAIL)["Last-Modified"] == http(at(100))


# The article list.


def test_the_list_is_modified_when_its_newest_public_change_was_made(
    api_client, clock, list_served_before
):
    older = ArticleFactory(published_at=at(-120))
    clock(5)
    ArticleFactory(published_at=at(-60))
    clock(30)
    assert get(api_client, LIST)["Last-Modified"] == http(at(5))  # not the read's time
    clock(40)
    edit(older, title="Iron, revised")
    clock(45)

    response = get(api_client, LIST)

    assert response["Last-Modified"] == http(at(40))
    # A new generation finds the same time in the database. (A lost floor is
    # another matter: test_a_lost_cache_dates_a_list_at_the_first_read_after_it.)
    listing_forget([ARTICLE_LIST.scope])
    clock(50)
    again = get(api_client, LIST)
    assert again.content == response.content
    assert again["Last-Modified"] == http(at(40))


def test_the_list_is_modified_when_a_scheduled_article_goes_public(
    api_client, clock, list_served_before
):
    ArticleFactory(published_at=at(-60))
    ArticleFactory(slug="iron", published_at=at(60))
    clock(10)
    first = get(api_client, LIST)
    assert first["Last-Modified"] == http(at(0)) and slugs(first) != ["iron"]
    clock(90)

    response = get(api_client, LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 200
    assert slugs(response)[0] == "iron"
    assert response["Last-Modified"] == http(at(60))


def unpublish_by_service(article: Article, editor) -> None:
    articles_unpublish(queryset=Article.objects.filter(pk=article.pk))


def unpublish_in_the_admin(article: Article, editor) -> None:
    response = editor.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("unpublish", [unpublish_by_service, unpublish_in_the_admin])
def test_unpublishing_moves_the_list_s_last_modified(
    api_client, clock, list_served_before, editor, unpublish
):
    ArticleFactory(slug="kept", published_at=at(-120))
    leaving = ArticleFactory(slug="leaving", published_at=at(-60))
    clock(10)
    first = get(api_client, LIST)
    assert first["Last-Modified"] == http(at(0)) and "leaving" in slugs(first)
    clock(20)
    unpublish(leaving, editor)
    clock(30)

    response = get(api_client, LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 200
    assert slugs(response) == ["kept"]
    assert response["Last-Modified"] == http(at(20))
    assert get(api_client, LIST, HTTP_IF_MODIFIED_SINCE=http(at(20))).status_code == 304


def test_a_draft_edit_leaves_the_list_s_last_modified(api_client, clock, list_served_before):
    ArticleFactory(published_at=at(-60))
    clock(5)
    draft = ArticleFactory(draft=True)  # never public: it has no stored document
    clock(10)
    first = get(api_client, LIST)
    assert first["Last-Modified"] == http(at(0))
    clock(20)
    edit(draft, title="Still a draft")
    clock(30)

    response = get(api_client, LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 304
    assert get(api_client, LIST)["Last-Modified"] == http(at(0))


def delete_by_service(article: Article, editor) -> None:
    articles_delete(queryset=Article.objects.filter(pk=article.pk))


def delete_in_the_admin(article: Article, editor) -> None:
    response = editor.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


@pytest.mark.parametrize("delete", [delete_by_service, delete_in_the_admin])
def test_deleting_the_newest_article_never_moves_the_list_s_last_modified_back(
    api_client, clock, list_served_before, editor, delete
):
    """Deleting an article drops its stored document (on_delete CASCADE), so
    ``article_list_times`` no longer sees its change: without the floor,
    Last-Modified would fall back to the newest remaining article's, earlier
    than what clients hold, and an If-Modified-Since revalidation would get a
    304 for a list that lost an article. The deletion moves the floor to its time.
    """
    kept = ArticleFactory(slug="kept", published_at=at(-120))
    clock(10)
    deleted = ArticleFactory(slug="deleted", published_at=at(-60))
    clock(20)
    first = get(api_client, LIST)
    assert first["Last-Modified"] == http(at(10)) and "deleted" in slugs(first)
    clock(30)
    delete(deleted, editor)
    clock(40)

    response = get(api_client, LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 200, "a 304 keeps the deleted article on the client"
    assert slugs(response) == ["kept"]
    assert response["Last-Modified"] == http(at(30))
    # Later generations keep the deletion's time: never back to the kept article's.
    clock(50)
    listing_forget([ARTICLE_LIST.scope])
    assert get(api_client, LIST)["Last-Modified"] == http(at(30))
    assert get(api_client, LIST, HTTP_IF_MODIFIED_SINCE=http(at(30))).status_code == 304
    # And a change after the deletion is dated by the change again.
    clock(60)
    edit(kept, title="Kept, revised")
    clock(70)
    assert get(api_client, LIST)["Last-Modified"] == http(at(60))


# The floor of the lists.


@pytest.mark.parametrize(
    "url", [pytest.param(LIST, id="list"), pytest.param(COMMENTS, id="comments")]
)
def test_the_first_read_on_an_empty_cache_dates_a_list_at_that_read(api_client, clock, url):
    """Nothing says when the bytes were last served otherwise (new code, new
    settings, a deletion before): the list is dated at its first read, later
    than its content (at T0), never earlier."""
    article = ArticleFactory(slug="iron", published_at=at(-60))
    CommentFactory(article=article)
    clock(10)

    first = get(api_client, url)

    assert first.status_code == 200
    assert first["Last-Modified"] == http(at(10))
    clock(20)  # the generation of 10 has expired (CACHE_TIMEOUT): this read starts another
    assert get(api_client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert get(api_client, url)["Last-Modified"] == http(at(10))
    # The price: a client holding the content's time revalidates once more.
    assert get(api_client, url, HTTP_IF_MODIFIED_SINCE=http(at(0))).status_code == 200


@pytest.mark.parametrize(
    "url", [pytest.param(LIST, id="list"), pytest.param(COMMENTS, id="comments")]
)
def test_a_new_fingerprint_dates_a_list_at_the_first_read_after_it(
    api_client, clock, settings, url
):
    """A new BASE_URL (in the documents' fingerprint) starts the lists afresh: the
    first read after it dates them, whether or not their bytes moved."""
    clock(-30)
    article = ArticleFactory(slug="iron", published_at=at(-60))
    CommentFactory(article=article)
    get(api_client, url)  # served before: the floor lies in the past
    clock(0)
    edit(article, title="Iron and sleep")
    clock(10)
    first = get(api_client, url)
    assert first["Last-Modified"] == http(at(0))
    clock(60)
    settings.RLS_ARTICLES = {"BASE_URL": API}
    clock(70)

    response = get(api_client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 200
    assert response["Last-Modified"] == http(at(70))
    clock(80)  # another generation (CACHE_TIMEOUT), under the same settings
    assert get(api_client, url)["Last-Modified"] == http(at(70))
    assert get(api_client, url, HTTP_IF_MODIFIED_SINCE=http(at(70))).status_code == 304
    clock(90)
    edit(article, title="Iron and sleep, revised")
    clock(100)
    assert get(api_client, url)["Last-Modified"] == http(at(90))


@pytest.mark.parametrize(
    "url", [pytest.param(LIST, id="list"), pytest.param(COMMENTS, id="comments")]
)
def test_a_lost_cache_dates_a_list_at_the_first_read_after_it(api_client, clock, url):
    """The floor lives in the cache: lost, it starts again at the next read, later
    than the content's time (conservative: one more full answer, never a stale 304)."""
    clock(-30)
    article = ArticleFactory(slug="iron", published_at=at(-60))
    CommentFactory(article=article)
    get(api_client, url)  # served before: the floor lies in the past
    clock(0)
    edit(article, title="Iron and sleep")
    clock(10)
    before = get(api_client, url)
    assert before["Last-Modified"] == http(at(0))
    clock(20)
    cache.clear()
    clock(30)

    response = get(api_client, url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])

    assert response.status_code == 200
    assert response.content == before.content
    assert response["Last-Modified"] == http(at(30))
    clock(40)  # another generation (CACHE_TIMEOUT): the new floor holds
    assert get(api_client, url, HTTP_IF_MODIFIED_SINCE=http(at(30))).status_code == 304
    clock(50)
    edit(article, title="Iron and sleep, revised")
    clock(60)
    assert get(api_client, url)["Last-Modified"] == http(at(50))


# Settings that rewrite the bytes (they are in the documents' fingerprint).


@pytest.mark.parametrize(
    ("url", "setting", "value"),
    [
        pytest.param(DETAIL, "RLS_ARTICLES", {"BASE_URL": API}, id="detail-BASE_URL"),
        pytest.param(LIST, "RLS_ARTICLES", {"BASE_URL": API}, id="list-BASE_URL"),
        pytest.param(COMMENTS, "TIME_ZONE", "Europe/Paris", id="comments-TIME_ZONE"),
    ],
)
def test_a_setting_that_rewrites_the_bytes_moves_last_modified(
    api_client, clock, settings, url, setting, value
):
    """A new BASE_URL rewrites every address in the detail and the list items, a new
    TIME_ZONE every date in the comments: a client revalidating with
    If-Modified-Since alone must get the new bytes, not a 304. (The detail dates
    a rebuild for new settings when it happens; a list's floor starts at its
    first read under the new settings.)"""
    clock(-30)
    article = ArticleFactory(slug="iron", published_at=at(-60))
    CommentFactory(article=article)
    get(api_client, url)  # served before: a list's floor lies in the past
    clock(0)
    edit(article, title="Iron and sleep")
    clock(10)
    first = get(api_client, url)
    assert first["Last-Modified"] == http(at(0))
    clock(60)
    setattr(settings, setting, value)
    clock(70)

    response = get(api_client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert response.status_code == 200, "a 304 keeps the old bytes on the client"
    assert response.content != first.content
    assert response["Last-Modified"] == http(at(70))


# The comments list.


def test_the_comments_list_is_modified_when_its_newest_comment_was_approved(
    api_client, clock, moderator
):
    article = ArticleFactory(slug="iron", published_at=at(-60))
    first, second = CommentFactory.create_batch(2, article=article, status=Comment.Status.PENDING)
    clock(5)
    get(api_client, COMMENTS)  # served before: the floor lies in the past
    clock(10)
    comments_moderate(
        queryset=Comment.objects.filter(pk=first.pk),
        status=Comment.Status.APPROVED,
        actor=moderator,
    )
    clock(15)
    before = get(api_client, COMMENTS)
    assert before["Last-Modified"] == http(at(10))
    assert len(before.json()["results"]) == 1
    clock(30)
    comments_moderate(
        queryset=Comment.objects.filter(pk=second.pk),
        status=Comment.Status.APPROVED,
        actor=moderator,
    )
    clock(40)

    response = get(api_client, COMMENTS, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    assert response["Last-Modified"] == http(at(30))
    assert get(api_client, COMMENTS, HTTP_IF_MODIFIED_SINCE=http(at(30))).status_code == 304


def test_a_comments_list_is_never_older_than_its_article_s_publication(api_client, clock):
    """The article was public and its comments list served (the floor lies in the
    past), then it was scheduled again: the list is dated by its publication,
    not by the edit that scheduled it, nor by the first read after."""
    article = ArticleFactory(slug="iron", published_at=at(-60))  # without comments
    clock(5)
    get(api_client, COMMENTS)
    clock(10)
    edit(article, published_at=at(60))  # scheduled again
    clock(20)
    assert api_client.get(COMMENTS).status_code == 404
    clock(90)

    assert get(api_client, COMMENTS)["Last-Modified"] == http(at(60))


def test_a_scheduled_article_s_comments_list_is_first_dated_at_its_first_read(api_client, clock):
    """Never served before it went public (a 404 starts no generation), the list
    has no floor until its first read, which dates it: after its publication."""
    ArticleFactory(slug="iron", published_at=at(60))  # scheduled, without comments
    clock(10)
    assert api_client.get(COMMENTS).status_code == 404
    clock(90)

    assert get(api_client, COMMENTS)["Last-Modified"] == http(at(90))


# Revalidation.


@pytest.mark.parametrize(
    ("url", "after_a_lost_cache"),
    [
        # The detail's stored document remembers its time.
        pytest.param(DETAIL, 304, id="detail"),
        # A list's floor starts again at the next read (a lost-cache test above).
        pytest.param(LIST, 200, id="list"),
        pytest.param(COMMENTS, 200, id="comments"),
    ],
)
def test_if_modified_since_last_modified_is_a_304(api_client, clock, url, after_a_lost_cache):
    clock(-30)
    article = ArticleFactory(slug="iron", published_at=at(-60))
    get(api_client, url)  # served before: a list's floor lies in the past
    clock(0)
    CommentFactory(article=article)
    clock(10)
    first = get(api_client, url)
    assert first.status_code == 200
    assert first["Last-Modified"] == http(at(0))  # when it changed, not read
    clock(20)

    assert get(api_client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    earlier = http(at(0) - dt.timedelta(seconds=1))
    assert get(api_client, url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    cache.clear()
    clock(30)
    response = get(api_client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == after_a_lost_cache
