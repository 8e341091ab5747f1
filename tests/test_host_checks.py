"""What a host must provide, named by system checks with stable ids and a hint each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

from articles import checks as article_checks
from comments import checks as comment_checks
from tests.factories import ArticleFactory

ROOT = Path(__file__).resolve().parent.parent
AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
REQUEST_PROCESSOR = "django.template.context_processors.request"
LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"
DATABASE_QUEUE = "django_tasks_db.DatabaseBackend"
SHARED_CACHE = "rls_cms.cache.SharedCache"


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_demo_host_passes_every_check():
    assert checks.run_checks() == []


@pytest.mark.parametrize("app", ["markdownx", "django_filters", "rest_framework"])
def test_an_app_articles_needs_is_named_when_missing(settings, app):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != app]

    errors = article_checks.check_host_apps()

    assert ids(errors) == ["articles.E005"]
    assert repr(app) in errors[0].msg
    assert errors[0].hint == f"Add {app!r} to INSTALLED_APPS."


def test_a_missing_app_fails_django_s_own_check_run(settings):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "markdownx"]
    assert "articles.E005" in ids(checks.run_checks())


def test_comments_without_articles_stops_django_naming_the_app():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--settings", "tests.settings_without_articles"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "The comments app needs 'articles' in INSTALLED_APPS" in done.stderr


@pytest.mark.parametrize("app", ["rest_framework.authtoken", "rest_framework"])
def test_an_app_comments_needs_is_named_when_missing(settings, app):
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != app]

    errors = comment_checks.check_host_apps()

    assert ids(errors) == ["comments.E004"]
    assert repr(app) in errors[0].msg


def test_markdownx_s_own_open_views_are_an_error(settings):
    settings.ROOT_URLCONF = "tests.urlconfs.markdownx_open"

    errors = [m for m in article_checks.check_editor_urls() if m.id == "articles.E006"]

    # Its upload and its preview view, each named with where it is mounted.
    assert sorted(e.msg.split()[2] for e in errors) == ["ImageUploadView", "MarkdownifyView"]
    assert all("markdownx/" in e.msg for e in errors)


def test_the_editor_endpoints_not_mounted_is_a_warning(settings):
    settings.ROOT_URLCONF = "tests.urlconfs.api_only"
    assert ids(article_checks.check_editor_urls()) == ["articles.W001"]


def test_without_the_editor_endpoints_the_article_page_still_opens(settings, admin_client):
    settings.ROOT_URLCONF = "tests.urlconfs.api_only"
    article = ArticleFactory()
    response = admin_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200


def test_editor_endpoints_without_authentication_middleware_is_an_error(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != AUTHENTICATION_MIDDLEWARE]

    errors = article_checks.check_editor_urls()

    assert ids(errors) == ["articles.E007"]
    assert AUTHENTICATION_MIDDLEWARE in errors[0].hint


def test_a_cache_that_keeps_nothing_is_a_throttle_that_never_limits(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    warnings = comment_checks.check_throttle_cache()

    assert ids(warnings) == ["comments.W001"]
    assert "never limits" in warnings[0].msg
    assert article_checks.check_document_cache() == []  # documents are rebuilt, never stale


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", ["articles.W002", "comments.W001"]),
        ("django.core.cache.backends.filebased.FileBasedCache", ["articles.W002", "comments.W001"]),
        ("diskcache.DjangoCache", ["articles.W002", "comments.W001"]),
        ("rls_cms.cache.SharedCache", ["articles.W002", "comments.W001"]),
        ("django.core.cache.backends.redis.RedisCache", []),
        ("django.core.cache.backends.db.DatabaseCache", []),
    ],
)
def test_a_cache_servers_cannot_share_is_a_deploy_warning(settings, tmp_path, backend, expected):
    # Django's own cache checks open each cache: a folder for those that keep one.
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path / "cache")}}

    found = ids(article_checks.check_document_cache() + comment_checks.check_throttle_cache())
    deploy = ids(checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.caches]))

    assert found == expected
    assert set(expected) <= set(deploy)
    assert not set(expected) & set(ids(checks.run_checks()))  # only with --deploy


def test_a_cache_on_one_machine_is_unshared_only_between_servers(settings, tmp_path):
    settings.CACHES = {"default": {"BACKEND": SHARED_CACHE, "LOCATION": str(tmp_path)}}

    (warning,) = article_checks.check_document_cache()

    assert "(SharedCache) keeps entries on one machine: with more than one server," in warning.msg


@pytest.mark.parametrize(
    ("debug", "cache", "tasks", "expected"),
    [
        (True, LOCAL_MEMORY, DATABASE_QUEUE, ["articles.W007"]),
        (True, LOCAL_MEMORY, "django_tasks_rq.RQBackend", ["articles.W007"]),
        (True, LOCAL_MEMORY, "django_tasks.backends.immediate.ImmediateBackend", []),
        (True, LOCAL_MEMORY, "django_tasks.backends.dummy.DummyBackend", []),
        (True, SHARED_CACHE, DATABASE_QUEUE, []),
        (True, "django.core.cache.backends.filebased.FileBasedCache", DATABASE_QUEUE, []),
        (True, "django.core.cache.backends.dummy.DummyCache", DATABASE_QUEUE, []),
        (False, LOCAL_MEMORY, DATABASE_QUEUE, []),
    ],
    ids=[
        "database-queue",
        "rq",
        "tasks-in-the-request",
        "tasks-never-run",
        "shared-disk-cache",
        "shared-files",
        "no-cache",
        "debug-off",
    ],
)
def test_a_cache_per_process_beside_a_task_worker_is_a_development_warning(
    settings, tmp_path, debug, cache, tasks, expected
):
    settings.DEBUG = debug
    settings.CACHES = {"default": {"BACKEND": cache, "LOCATION": str(tmp_path / "cache")}}
    settings.TASKS = {"default": {"BACKEND": tasks, "QUEUES": ["default"]}}

    warnings = article_checks.check_development_cache()

    assert ids(warnings) == expected
    assert all("management commands" in warning.msg for warning in warnings)
    assert all("diskcache.DjangoCache" in warning.hint for warning in warnings)


def test_the_development_warning_follows_the_articles_cache_alias(settings, tmp_path):
    settings.DEBUG = True
    settings.CACHES = {
        "default": {"BACKEND": SHARED_CACHE, "LOCATION": str(tmp_path)},
        "articles": {"BACKEND": LOCAL_MEMORY},
    }
    settings.TASKS = {"default": {"BACKEND": DATABASE_QUEUE}}
    settings.RLS_ARTICLES = {"CACHE_ALIAS": "articles"}

    (warning,) = article_checks.check_development_cache()

    assert warning.msg.startswith("The cache 'articles' (LocMemCache)")
    # Django's own check run, without --deploy.
    assert "articles.W007" in ids(checks.run_checks(tags=[checks.Tags.caches]))


def test_admin_without_the_request_processor_is_a_warning(settings):
    engine = settings.TEMPLATES[0]
    processors = [p for p in engine["OPTIONS"]["context_processors"] if p != REQUEST_PROCESSOR]
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": processors}}
    ]

    warnings = article_checks.check_admin_request_processor()

    assert ids(warnings) == ["articles.W003"]
    assert REQUEST_PROCESSOR in warnings[0].hint


def test_the_admin_index_still_renders_without_the_request_processor(settings, admin_client):
    engine = settings.TEMPLATES[0]
    processors = [p for p in engine["OPTIONS"]["context_processors"] if p != REQUEST_PROCESSOR]
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": processors}}
    ]

    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert b"moderation-queue-summary" not in response.content


@pytest.mark.parametrize(
    ("backend", "webhooks", "expected"),
    [
        ("django_tasks.backends.immediate.ImmediateBackend", True, ["articles.W004"]),
        ("django_tasks.backends.immediate.ImmediateBackend", False, []),
        ("django_tasks_db.DatabaseBackend", True, []),
    ],
    ids=["webhooks-in-the-request", "no-webhooks", "a-queue"],
)
def test_webhooks_without_a_task_queue_are_a_warning(settings, backend, webhooks, expected):
    settings.TASKS = {"default": {"BACKEND": backend}}
    hooks = [{"url": "https://frontend.example.org/hooks", "secret": "s" * 32}]
    settings.RLS_ARTICLES = {"WEBHOOKS": hooks if webhooks else []}

    warnings = article_checks.check_webhook_queue()

    assert ids(warnings) == expected
    assert all("tasks_worker" in warning.hint for warning in warnings)


def test_the_webhook_check_leaves_a_broken_settings_dict_to_the_settings_check(settings):
    settings.RLS_ARTICLES = None

    assert article_checks.check_webhook_queue() == []
    assert "articles.E001" in ids(checks.run_checks())


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(None, []), (1000, []), (5000, []), (400, ["articles.W005"])],
)
def test_a_field_limit_below_djangos_default_is_a_warning(settings, limit, expected):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = limit
    assert ids(article_checks.check_admin_post_fields()) == expected


@pytest.mark.parametrize(
    ("site", "warned"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.0.0.1:8000/", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("https://health.example.org", False),
        ("https://127.0.0.1.example.org", False),
    ],
)
def test_a_site_address_only_this_machine_reaches_is_a_deploy_warning(settings, site, warned):
    from articles.checks import check_site_url

    settings.RLS_ARTICLES = {"SITE_URL": site}
    assert [m.id for m in check_site_url()] == (["articles.W006"] if warned else [])
