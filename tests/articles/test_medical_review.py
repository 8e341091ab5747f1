"""Medical review: who reviewed an article and when, when the next review is due, and
the structured data (schema.org MedicalWebPage) that tells search engines so."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin import AdminSite

from articles.admin import show_index_counts
from articles.models import Article, add_months
from articles.review import next_review_update
from articles.services import article_mark_changed, article_publish_changes
from articles.signals import Reason
from tests.factories import ArticleFactory, ImageFactory, ReferenceFactory, TagFactory
from tests.schemaorg import validate

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 6, 15), -12, dt.date(2025, 6, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2024, 3, 31), -1, dt.date(2024, 2, 29)),
        (dt.date(2026, 1, 15), -1, dt.date(2025, 12, 15)),
        (dt.date(2025, 12, 31), 2, dt.date(2026, 2, 28)),
    ],
)
def test_months_are_counted_on_the_calendar(day, months, expected):
    assert add_months(day, months) == expected


def overdue_slugs(today=TODAY) -> set[str]:
    return set(Article.objects.review_overdue(today).values_list("slug", flat=True))


def test_an_article_is_due_twelve_months_after_its_review():
    ArticleFactory(slug="never", last_reviewed_on=None)
    ArticleFactory(slug="thirteen-months", last_reviewed_on=dt.date(2025, 5, 15))
    ArticleFactory(slug="twelve-months", last_reviewed_on=dt.date(2025, 6, 15))
    ArticleFactory(slug="eleven-months", last_reviewed_on=dt.date(2025, 7, 15))
    ArticleFactory(slug="draft", draft=True, last_reviewed_on=None)

    assert overdue_slugs() == {"never", "thirteen-months", "twelve-months"}


def test_the_interval_is_a_setting(settings):
    ArticleFactory(slug="seven-months", last_reviewed_on=dt.date(2025, 11, 15))
    assert overdue_slugs() == set()
    settings.RLS_ARTICLES = {"REVIEW_INTERVAL_MONTHS": 6}
    assert overdue_slugs() == set()  # until the next reviews are worked out again
    assert next_review_update() == 1
    assert overdue_slugs() == {"seven-months"}


# The admin.


@time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC))
def test_the_admin_lists_articles_due_for_review(editor):
    due = ArticleFactory(title="Due for review", last_reviewed_on=dt.date(2024, 1, 1))
    current = ArticleFactory(title="Reviewed lately", last_reviewed_on=dt.date(2026, 5, 1))

    overdue_page = editor.get("/admin/articles/article/?review=overdue").content.decode()
    current_page = editor.get("/admin/articles/article/?review=current").content.decode()

    assert due.title in overdue_page and current.title not in overdue_page
    assert current.title in current_page and due.title not in current_page


@time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC))
def test_the_admin_index_counts_the_reviews_due_for_editors(editor, client, moderator):
    ArticleFactory.create_batch(2, last_reviewed_on=dt.date(2024, 1, 1))
    ArticleFactory(last_reviewed_on=dt.date(2026, 5, 1))

    page = editor.get("/admin/").content.decode()

    assert 'id="review-overdue-summary"' in page
    assert "2 articles due for medical review" in page
    assert 'href="/admin/articles/article/?review=overdue"' in page
    client.force_login(moderator)  # no article permissions: not their work
    assert "review-overdue-summary" not in client.get("/admin/").content.decode()


def test_the_index_counts_come_with_the_default_index_and_leave_a_host_s_own_alone():
    default, hosts = AdminSite(), AdminSite()
    hosts.index_template = "host/index.html"

    show_index_counts(default)
    show_index_counts(hosts)

    assert default.index_template == "admin/articles/index.html"
    assert hosts.index_template == "host/index.html"
    assert admin.site.index_template == "admin/articles/index.html"


@pytest.fixture
def host_index_template():
    """The host's own admin index template, set as a host would set it."""
    # Not monkeypatch: on admin.site, a lazy object, it restores None.
    ours = admin.site.index_template
    admin.site.index_template = "host/index.html"
    yield
    admin.site.index_template = ours


@time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC))
def test_a_host_s_own_admin_index_keeps_the_counts_by_extending_ours(
    editor, settings, host_index_template
):
    ArticleFactory(last_reviewed_on=dt.date(2024, 1, 1))
    host_index = (
        '{% extends "admin/articles/index.html" %}'
        '{% block content %}<p id="host-news">Host news</p>{{ block.super }}{% endblock %}'
    )
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"host/index.html": host_index}),
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]

    page = editor.get("/admin/").content.decode()

    assert 'id="host-news"' in page
    assert "1 article due for medical review" in page


def test_the_article_form_takes_the_reviewer(editor, demo_article):
    page = editor.get(f"/admin/articles/article/{demo_article.pk}/change/").content.decode()
    assert 'name="reviewer_name"' in page and 'name="reviewer_credentials"' in page


# The API.


def detail(api_client, article) -> dict:
    return api_client.get(f"/api/v1/articles/{article.slug}/").json()


def test_the_detail_names_the_reviewer(api_client):
    article = ArticleFactory(
        reviewer_name="Dr Jane Doe",
        reviewer_credentials="MD, neurologist",
        last_reviewed_on=dt.date(2026, 5, 1),
    )
    document = detail(api_client, article)
    assert document["reviewed_by"] == {"name": "Dr Jane Doe", "credentials": "MD, neurologist"}
    assert document["last_reviewed_on"] == "2026-05-01"


def test_without_a_reviewer_the_detail_says_null(api_client):
    assert detail(api_client, ArticleFactory(reviewer_name=""))["reviewed_by"] is None


def test_a_new_reviewer_is_served_once_published(api_client):
    article = ArticleFactory()
    assert detail(api_client, article)["reviewed_by"] is None  # built and cached
    article.reviewer_name = "Dr Jane Doe"
    article.save()
    article_mark_changed(article=article, reason=Reason.SAVED)
    assert detail(api_client, article)["reviewed_by"] is None  # the live article's draft
    article_publish_changes(article_id=article.pk, user=None)
    assert detail(api_client, article)["reviewed_by"]["name"] == "Dr Jane Doe"


def test_structured_data_describes_the_article_for_search_engines(api_client):
    article = ArticleFactory(
        title="Iron and restless legs",
        byline="The editorial team",
        reviewer_name="Dr Jane Doe",
        reviewer_credentials="MD",
        last_reviewed_on=dt.date(2026, 5, 1),
        tags=[TagFactory(name="Iron")],
    )
    ImageFactory(article=article)
    ReferenceFactory(
        article=article, authors="Allen RP", title="Restless legs", source="Sleep", year=2014,
        doi="10.1016/j.sleep.2014.03.025", url="",
    )  # fmt: skip

    data = detail(api_client, article)["json_ld"]

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["headline"] == "Iron and restless legs"
    body = detail(api_client, article)
    assert (data["datePublished"], data["dateModified"]) == (
        body["published_at"],
        body["updated_at"],
    )
    assert data["datePublished"].startswith(str(article.published_at.date()))
    assert data["lastReviewed"] == "2026-05-01"
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr Jane Doe", "honorificSuffix": "MD"}
    assert data["author"] == {"@type": "Organization", "name": "The editorial team"}
    assert data["keywords"] == ["Iron"]
    # Absolute, on the site's address: documents are built without a request.
    assert len(data["image"]) == 1 and data["image"][0].startswith("http://127.0.0.1:8000/media/")
    assert data["citation"] == [
        {
            "@type": "ScholarlyArticle",
            "name": "Restless legs",
            "author": [{"@type": "Person", "name": "Allen RP"}],
            "isPartOf": {"@type": "Periodical", "name": "Sleep"},
            "datePublished": "2014",
            "identifier": {
                "@type": "PropertyValue",
                "propertyID": "DOI",
                "value": "10.1016/j.sleep.2014.03.025",
            },
            "sameAs": "https://doi.org/10.1016/j.sleep.2014.03.025",
        }
    ]
    assert validate(data) == []


def test_the_demo_article_s_structured_data_cites_all_fifteen_references(api_client, demo_article):
    data = detail(api_client, demo_article)["json_ld"]
    assert len(data["citation"]) == 15
    assert len(data["image"]) == 2
    assert "lastReviewed" not in data or data["lastReviewed"] == str(demo_article.last_reviewed_on)
