"""The live version kept as data: what every public answer is built from."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.utils import timezone

from articles.live import live_snapshot
from articles.models import Article, ArticleDocument, LiveArticle, Section
from articles.search import search_index
from articles.services import article_mark_changed, articles_publish, articles_unpublish
from articles.signals import Reason
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    ReferenceFactory,
    SectionFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def detail(client, slug: str) -> dict:
    return client.get(f"/api/v1/articles/{slug}/").json()


def rebuilt(client, slug: str) -> dict:
    """The detail built again from nothing: no stored document, no cache."""
    ArticleDocument.objects.all().delete()
    cache.clear()
    return detail(client, slug)


@pytest.fixture
def article():
    article = ArticleFactory(title="Iron and sleep", tags=[TagFactory(name="Sleep")])
    section = SectionFactory(article=article, heading="Ferritin", body="Ask for a test.")
    ImageFactory(article=article, after_section=section)
    ReferenceFactory(article=article, title="Iron in RLS")
    ReferenceFactory(article=article, title="Dopamine")
    return article


def publish(article) -> None:
    articles_publish(queryset=Article.objects.filter(pk=article.pk))


def test_only_publishing_takes_a_live_version(client, article):
    Article.objects.filter(pk=article.pk).update(title="Iron, sleep and legs")
    article_mark_changed(article=article, reason=Reason.SAVED)
    assert detail(client, article.slug)["title"] == "Iron and sleep"

    publish(article)

    assert LiveArticle.objects.get(pk=article.pk).content["article"]["title"] == (
        "Iron, sleep and legs"
    )
    assert detail(client, article.slug)["title"] == "Iron, sleep and legs"


def test_publishing_the_same_content_again_keeps_its_time(article):
    went_live = LiveArticle.objects.get(pk=article.pk).changed_at
    publish(article)
    assert LiveArticle.objects.get(pk=article.pk).changed_at == went_live


def test_a_rebuild_is_made_from_the_live_version_not_from_the_rows(client, article):
    live = detail(client, article.slug)
    # Rows changed around the funnel: no rebuild may publish them.
    Article.objects.filter(pk=article.pk).update(title="Not reviewed yet", intro="Draft")
    Section.objects.filter(article=article).update(heading="A draft heading", body="Draft")
    Section.objects.create(article=article, heading="Draft only", body="x", position=9)

    again = rebuilt(client, article.slug)

    assert again == live
    assert [s["heading"] for s in again["sections"]] == ["Ferritin"]


def test_the_live_version_carries_every_part_in_order(client, article):
    data = rebuilt(client, article.slug)
    assert [t["name"] for t in data["tags"]] == ["Sleep"]
    assert [s["heading"] for s in data["sections"]] == ["Ferritin"]
    assert data["images"][0]["after_section"] == data["sections"][0]["anchor"]
    assert [(r["number"], r["title"]) for r in data["references"]] == [
        (1, "Iron in RLS"),
        (2, "Dopamine"),
    ]


def test_a_renamed_tag_shows_in_the_live_version(client, article):
    tag = article.tags.get()
    tag.name = "Sleep health"
    tag.save()
    assert [t["name"] for t in rebuilt(client, article.slug)["tags"]] == ["Sleep health"]


def test_search_indexes_the_live_version(client, article):
    Section.objects.filter(article=article).update(body="Dopamine agonists")
    search_index(article_ids=[article.pk])
    found = client.get("/api/v1/articles/", {"search": "agonists"}).json()["results"]
    assert found == []
    publish(article)
    found = client.get("/api/v1/articles/", {"search": "agonists"}).json()["results"]
    assert [a["slug"] for a in found] == [article.slug]


def test_unpublishing_drops_the_live_version_and_publishing_takes_it(client, article):
    articles_unpublish(queryset=Article.objects.filter(pk=article.pk))
    assert not LiveArticle.objects.filter(pk=article.pk).exists()
    assert client.get(f"/api/v1/articles/{article.slug}/").status_code == 404
    articles_publish(queryset=Article.objects.filter(pk=article.pk))
    assert LiveArticle.objects.filter(pk=article.pk).exists()
    assert detail(client, article.slug)["title"] == "Iron and sleep"


def test_the_migration_gives_each_live_version_its_columns(article):
    live = LiveArticle.objects.get(pk=article.pk)
    content = {**live.content}
    content["article"] = {**content["article"], "updated_at": "2026-03-01T10:00:00.123456+00:00"}
    LiveArticle.objects.filter(pk=article.pk).update(slug="placeholder", content=content)
    live.tags.clear()
    migration = importlib.import_module(
        "articles.migrations.0011_live_columns_and_unpublished_changes"
    )

    migration.fill_live_columns(apps, None)

    live.refresh_from_db()
    assert live.slug == article.slug
    assert [t.name for t in live.tags.all()] == ["Sleep"]
    assert live.changed_at == dt.datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=dt.UTC)
    assert "updated_at" not in live.content["article"]


def test_times_and_dates_read_back_as_the_rows_have_them(client, article):
    Article.objects.filter(pk=article.pk).update(last_reviewed_on=dt.date(2023, 11, 28))
    ReferenceFactory(
        article=article, title="Dated", date=dt.date(2019, 3, 1), accessed_on=dt.date(2024, 1, 2)
    )
    when = timezone.now().replace(microsecond=123456)
    LiveArticle.objects.filter(pk=article.pk).update(changed_at=when)

    data = rebuilt(client, article.slug)

    assert data["updated_at"] == when.isoformat().replace("+00:00", "Z")
    assert data["last_reviewed_on"] == "2023-11-28"
    assert (data["references"][2]["date"], data["references"][2]["accessed_on"]) == (
        "2019-03-01",
        "2024-01-02",
    )


def test_tags_come_in_their_own_order_and_follow_a_rename(client, article):
    zinc = TagFactory(name="Zinc")
    article.tags.add(zinc, TagFactory(name="Anaemia"))
    publish(article)
    assert [t["name"] for t in rebuilt(client, article.slug)["tags"]] == [
        "Anaemia",
        "Sleep",
        "Zinc",
    ]
    zinc.name = "A zinc note"
    zinc.save()
    assert [t["name"] for t in rebuilt(client, article.slug)["tags"]][0] == "A zinc note"


def test_a_reader_taking_a_missing_live_version_never_writes_over_one(article):
    Article.objects.filter(pk=article.pk).update(title="Not live")
    live_snapshot(article_ids=[article.pk], only_missing=True)
    assert LiveArticle.objects.get(pk=article.pk).content["article"]["title"] == "Iron and sleep"
