"""Headless preview: a signed, expiring link shows a draft in exactly the detail's shape."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from articles.preview import preview_token
from articles.services import articles_delete
from tests.factories import ArticleFactory, ReferenceFactory, SectionFactory

pytestmark = pytest.mark.django_db


def preview(api_client, token: str):
    return api_client.get(f"/api/v1/preview/{token}/")


@pytest.fixture
def draft(db):
    article = ArticleFactory(draft=True, title="Unpublished iron advice")
    SectionFactory(article=article, heading="Draft section")
    ReferenceFactory(article=article)
    return article


def test_a_draft_is_previewed_in_the_detail_shape(api_client, draft):
    published = ArticleFactory()
    detail_keys = set(api_client.get(f"/api/v1/articles/{published.slug}/").json())

    response = preview(api_client, preview_token(draft))

    assert response.status_code == 200
    # The detail's shape, and where the article stands.
    assert set(response.json()) == detail_keys | {"status"}
    assert response.json()["status"] == "draft"
    assert response.json()["title"] == "Unpublished iron advice"
    assert [s["heading"] for s in response.json()["sections"]] == ["Draft section"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_a_preview_says_whether_the_article_is_scheduled_or_published(api_client):
    scheduled = ArticleFactory(published_at=timezone.now() + dt.timedelta(days=2))
    assert preview(api_client, preview_token(scheduled)).json()["status"] == "scheduled"
    published = ArticleFactory()
    assert preview(api_client, preview_token(published)).json()["status"] == "published"


def test_the_draft_stays_out_of_the_public_api(api_client, draft):
    preview(api_client, preview_token(draft))
    assert api_client.get(f"/api/v1/articles/{draft.slug}/").status_code == 404
    assert draft.slug not in api_client.get("/api/v1/articles/").content.decode()


def test_a_preview_shows_the_latest_save(api_client, draft):
    token = preview_token(draft)
    preview(api_client, token)
    draft.title = "Edited after the first preview"
    draft.save()
    assert preview(api_client, token).json()["title"] == "Edited after the first preview"


def test_a_token_is_refused_after_an_hour(api_client, draft):
    token = preview_token(draft)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=59)):
        assert preview(api_client, token).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        response = preview(api_client, token)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("This preview link has expired")


def test_the_lifetime_is_a_setting(api_client, draft, settings):
    settings.RLS_ARTICLES = {"PREVIEW_MAX_AGE": 60}
    token = preview_token(draft)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=90)):
        assert preview(api_client, token).status_code == 403


@pytest.mark.parametrize(
    "alter", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "x" + t]
)
def test_an_altered_token_is_refused(api_client, draft, alter):
    response = preview(api_client, alter(preview_token(draft)))
    assert response.status_code == 403
    assert response.json()["detail"] == "This is not a valid preview link."


def test_a_token_made_with_another_key_is_refused(api_client, draft, settings):
    settings.SECRET_KEY = "another-secret-key-for-another-site-entirely-0123456789"
    token = preview_token(draft)
    settings.SECRET_KEY = "the-real-secret-key-of-this-site-is-a-different-one-98765"
    assert preview(api_client, token).status_code == 403


def test_a_deleted_article_s_preview_is_not_found(api_client, draft):
    token = preview_token(draft)
    articles_delete(queryset=Article.objects.filter(pk=draft.pk))
    assert preview(api_client, token).status_code == 404


# The admin's Preview button.


def test_the_change_page_offers_a_preview(client, staff_user, draft):
    client.force_login(staff_user)
    page = client.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()
    assert f'href="/admin/articles/article/{draft.pk}/preview/"' in page


def test_the_preview_button_leads_to_the_frontend_with_a_working_token(
    client, api_client, staff_user, draft
):
    client.force_login(staff_user)
    response = client.get(f"/admin/articles/article/{draft.pk}/preview/")

    assert response.status_code == 302
    address = urlsplit(response["Location"])
    assert address.path == f"/articles/{draft.slug}/"  # the reader page, by default
    [token] = parse_qs(address.query)["preview"]
    assert preview(api_client, token).json()["title"] == draft.title


def test_the_preview_address_is_a_setting(client, staff_user, draft, settings):
    settings.RLS_ARTICLES = {"PREVIEW_URL": "https://www.example.org/preview?t={token}&s={slug}"}
    client.force_login(staff_user)
    location = client.get(f"/admin/articles/article/{draft.pk}/preview/")["Location"]
    assert location.startswith("https://www.example.org/preview?t=")
    assert location.endswith(f"&s={draft.slug}")


def test_only_staff_who_may_see_articles_get_a_preview(client, moderator, draft):
    client.force_login(moderator)
    assert client.get(f"/admin/articles/article/{draft.pk}/preview/").status_code == 403
