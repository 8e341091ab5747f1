"""RLS_ARTICLES: defaults, unknown keys refused, types checked by system checks with stable ids."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from articles.checks import check_article_settings
from articles.conf import DEFAULTS, article_settings


def error_ids() -> list[str]:
    return [error.id for error in check_article_settings()]


def test_defaults_pass_the_checks(settings):
    settings.RLS_ARTICLES = {}
    assert error_ids() == []


def test_every_default_is_readable(settings):
    settings.RLS_ARTICLES = {}
    assert {key: getattr(article_settings, key) for key in DEFAULTS} == DEFAULTS


def test_unknown_key_is_error_E001_naming_it(settings):
    settings.RLS_ARTICLES = {"BASE_ULR": "https://cms.example.org"}
    errors = check_article_settings()
    assert [e.id for e in errors] == ["articles.E001"]
    assert "BASE_ULR" in errors[0].msg


def test_unknown_key_is_refused_when_a_setting_is_read(settings):
    settings.RLS_ARTICLES = {"BASE_ULR": "x"}
    with pytest.raises(ImproperlyConfigured):
        article_settings.BASE_URL  # noqa: B018


def test_settings_check_is_registered_with_django(settings):
    settings.RLS_ARTICLES = {"BASE_ULR": "x"}
    assert "articles.E001" in [error.id for error in checks.run_checks()]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("BASE_URL", "cms.example.org"),
        ("BASE_URL", None),
        ("CACHE_TIMEOUT", 0),
        ("CACHE_TIMEOUT", "300"),
        ("CACHE_TIMEOUT", True),
        ("MAX_AGE", -1),
        ("MAX_AGE", 1.5),
        ("STALE_WHILE_REVALIDATE", None),
        ("BROWSABLE_API", "yes"),
        ("BROWSABLE_API", 1),
        ("SITE_URL", ""),
        ("SITE_URL", "health.example.org"),
        ("READER_URL", None),
        ("FEED_TITLE", 7),
        ("FEED_SIZE", 0),
        ("FEED_SIZE", "20"),
    ],
)
def test_wrong_type_or_value_is_error_E002(settings, key, value):
    settings.RLS_ARTICLES = {key: value}
    assert error_ids() == ["articles.E002"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("BASE_URL", ""),
        ("BASE_URL", "https://cms.example.org"),
        ("CACHE_TIMEOUT", 1),
        ("MAX_AGE", 0),
        ("STALE_WHILE_REVALIDATE", 600),
        ("SITE_URL", "https://health.example.org"),
        ("READER_URL", ""),
        ("FEED_SIZE", 50),
    ],
)
def test_right_values_pass(settings, key, value):
    settings.RLS_ARTICLES = {key: value}
    assert error_ids() == []


def test_unknown_cache_alias_is_error_E003_with_a_hint(settings):
    settings.RLS_ARTICLES = {"CACHE_ALIAS": "documents"}
    errors = check_article_settings()
    assert [e.id for e in errors] == ["articles.E003"]
    assert "CACHES" in errors[0].hint


def test_api_extensions_not_a_list_is_error_E002(settings):
    settings.RLS_ARTICLES = {"API_EXTENSIONS": "comments.api.article_fields.CommentsExtension"}
    assert error_ids() == ["articles.E002"]


def test_api_extension_that_cannot_be_imported_is_error_E004(settings):
    settings.RLS_ARTICLES = {"API_EXTENSIONS": ["comments.api.article_fields.NoSuchExtension"]}
    errors = check_article_settings()
    assert [e.id for e in errors] == ["articles.E004"]
    assert "NoSuchExtension" in errors[0].msg


def test_installed_apps_name_their_extensions():
    from articles.api.extensions import extension_paths

    assert extension_paths() == ["comments.api.article_fields.CommentsExtension"]


@pytest.mark.django_db
def test_api_extensions_setting_replaces_the_apps_and_documents_follow(api_client, settings):
    from tests.factories import ArticleFactory

    article = ArticleFactory()
    url = f"/api/v1/articles/{article.slug}/"
    assert "comments" in api_client.get(url).json()
    assert "comment_count" in api_client.get("/api/v1/articles/").json()["results"][0]
    settings.RLS_ARTICLES = {"API_EXTENSIONS": []}
    assert "comments" not in api_client.get(url).json()
    assert "comment_count" not in api_client.get("/api/v1/articles/").json()["results"][0]
