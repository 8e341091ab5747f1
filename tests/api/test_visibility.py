"""Only public articles exist for the API: no drafts, no scheduled ones, no writes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article, Reference, Section
from tests.conftest import DEMO_SLUG
from tests.factories import ArticleFactory, ReferenceFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/articles/"
WRITE_METHODS = ["post", "put", "patch", "delete"]


def detail_url(article: Article) -> str:
    return f"/api/v1/articles/{article.slug}/"


def listed_slugs(client, **params) -> list[str]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def staff_client(api_client, staff_user):
    api_client.force_login(staff_user)
    return api_client


def snapshot() -> dict:
    """Everything a write could change, as plain values."""
    return {
        "articles": list(Article.objects.order_by("pk").values()),
        "sections": list(Section.objects.order_by("pk").values()),
        "references": list(Reference.objects.order_by("pk").values()),
    }


# Drafts.


def test_draft_article_is_absent_from_list(api_client):
    ArticleFactory(slug="public")
    ArticleFactory(slug="draft", draft=True)
    assert listed_slugs(api_client) == ["public"]


def test_draft_article_detail_is_404(api_client):
    article = ArticleFactory(draft=True)
    assert api_client.get(detail_url(article)).status_code == 404


def test_unpublished_article_with_a_past_publication_time_is_404(api_client):
    # Published once, then returned to draft: the old date does not make it public.
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=timezone.now())
    assert api_client.get(detail_url(article)).status_code == 404


def test_unpublished_article_with_a_past_publication_time_is_absent_from_list(api_client):
    ArticleFactory(status=Article.Status.DRAFT, published_at=timezone.now())
    assert listed_slugs(api_client) == []


def test_draft_article_is_absent_from_list_for_staff(staff_client):
    ArticleFactory(slug="draft", draft=True)
    assert listed_slugs(staff_client) == []


def test_draft_article_detail_is_404_for_staff(staff_client):
    article = ArticleFactory(draft=True)
    assert staff_client.get(detail_url(article)).status_code == 404


def test_draft_article_is_not_found_by_search(api_client):
    ArticleFactory(draft=True, title="Secret iron study")
    assert listed_slugs(api_client, search="secret") == []


def test_draft_article_is_not_found_by_tag(api_client):
    ArticleFactory(draft=True, tags=[TagFactory(slug="sleep")])
    assert listed_slugs(api_client, tag="sleep") == []


# Scheduled articles.


def test_scheduled_article_is_absent_from_list(api_client):
    ArticleFactory(slug="public")
    ArticleFactory(slug="scheduled", scheduled=True)
    assert listed_slugs(api_client) == ["public"]


def test_scheduled_article_detail_is_404(api_client):
    article = ArticleFactory(scheduled=True)
    assert api_client.get(detail_url(article)).status_code == 404


def test_scheduled_article_is_absent_from_list_for_staff(staff_client):
    ArticleFactory(scheduled=True)
    assert listed_slugs(staff_client) == []


def test_scheduled_article_detail_is_404_for_staff(staff_client):
    article = ArticleFactory(scheduled=True)
    assert staff_client.get(detail_url(article)).status_code == 404


def test_scheduled_article_is_not_found_by_search(api_client):
    ArticleFactory(scheduled=True, title="Embargoed iron study")
    assert listed_slugs(api_client, search="embargoed") == []


def test_scheduled_article_appears_in_list_once_its_time_has_passed(api_client):
    article = ArticleFactory(scheduled=True)
    assert listed_slugs(api_client) == []
    with time_machine.travel(article.published_at + dt.timedelta(minutes=1), tick=False):
        assert listed_slugs(api_client) == [article.slug]


def test_scheduled_article_detail_is_served_once_its_time_has_passed(api_client):
    article = ArticleFactory(scheduled=True)
    SectionFactory(article=article, heading="Embargoed section")
    assert api_client.get(detail_url(article)).status_code == 404
    with time_machine.travel(article.published_at + dt.timedelta(minutes=1), tick=False):
        response = api_client.get(detail_url(article))
    assert response.status_code == 200
    assert [s["heading"] for s in response.json()["sections"]] == ["Embargoed section"]


def test_scheduled_article_is_public_at_exactly_its_publication_time(api_client):
    article = ArticleFactory(scheduled=True)
    with time_machine.travel(article.published_at, tick=False):
        assert api_client.get(detail_url(article)).status_code == 200


def test_scheduled_article_is_hidden_a_moment_before_its_publication_time(api_client):
    article = ArticleFactory(scheduled=True)
    with time_machine.travel(article.published_at - dt.timedelta(milliseconds=1), tick=False):
        assert api_client.get(detail_url(article)).status_code == 404


def test_scheduled_article_takes_its_place_in_the_newest_first_order(api_client):
    now = timezone.now()
    ArticleFactory(slug="yesterday", published_at=now - dt.timedelta(days=1))
    ArticleFactory(slug="scheduled", published_at=now + dt.timedelta(hours=1))
    ArticleFactory(slug="after-it", published_at=now + dt.timedelta(hours=3))
    with time_machine.travel(now + dt.timedelta(hours=2), tick=False):
        assert listed_slugs(api_client) == ["scheduled", "yesterday"]


def test_scheduled_article_is_found_by_search_once_public(api_client):
    article = ArticleFactory(scheduled=True, title="Embargoed iron study")
    with time_machine.travel(article.published_at + dt.timedelta(minutes=1), tick=False):
        assert listed_slugs(api_client, search="embargoed") == [article.slug]


# Unknown slugs.


def test_unknown_slug_is_404(api_client):
    assert api_client.get("/api/v1/articles/no-such-article/").status_code == 404


def test_unknown_slug_answers_json(api_client):
    response = api_client.get("/api/v1/articles/no-such-article/")
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_draft_detail_answer_is_the_same_as_for_an_unknown_slug(api_client):
    # Nothing tells a reader that an unpublished article exists.
    article = ArticleFactory(draft=True)
    draft = api_client.get(detail_url(article))
    unknown = api_client.get("/api/v1/articles/no-such-article/")
    assert (draft.status_code, draft.json()) == (unknown.status_code, unknown.json())


# Read-only.


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_anonymous_write_to_list_is_refused(api_client, method):
    ArticleFactory()
    response = getattr(api_client, method)(LIST_URL, {"slug": "new", "title": "New"}, format="json")
    assert response.status_code in {401, 403, 405}


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_anonymous_write_to_list_changes_nothing(api_client, method):
    ArticleFactory()
    before = snapshot()
    getattr(api_client, method)(LIST_URL, {"slug": "new", "title": "New"}, format="json")
    assert snapshot() == before


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_anonymous_write_to_detail_is_refused(api_client, method):
    article = ArticleFactory()
    response = getattr(api_client, method)(detail_url(article), {"title": "Changed"}, format="json")
    assert response.status_code in {401, 403, 405}


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_anonymous_write_to_detail_changes_nothing(api_client, method):
    article = ArticleFactory()
    SectionFactory(article=article)
    ReferenceFactory(article=article)
    before = snapshot()
    getattr(api_client, method)(detail_url(article), {"title": "Changed"}, format="json")
    assert snapshot() == before


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_anonymous_write_to_the_demo_article_changes_nothing(api_client, demo_article, method):
    before = snapshot()
    getattr(api_client, method)(f"/api/v1/articles/{DEMO_SLUG}/", {"title": "X"}, format="json")
    assert snapshot() == before


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_staff_write_to_detail_is_refused_and_changes_nothing(staff_client, method):
    # Editors write in the admin; the public API has no write methods for anyone.
    article = ArticleFactory()
    before = snapshot()
    response = getattr(staff_client, method)(
        detail_url(article), {"title": "Changed"}, format="json"
    )
    assert response.status_code in {403, 405}
    assert snapshot() == before


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_staff_write_to_list_is_refused_and_changes_nothing(staff_client, method):
    before = snapshot()
    response = getattr(staff_client, method)(
        LIST_URL, {"slug": "new", "title": "New"}, format="json"
    )
    assert response.status_code in {403, 405}
    assert snapshot() == before
