from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

DEMO_SLUG = "what-causes-restless-legs-syndrome"


@pytest.fixture(autouse=True, scope="session")
def cache_folder(tmp_path_factory):
    """The shared cache in a folder of this test process's own, never the project's .cache/.

    Processes a test starts inherit it (CACHE_DIR) unless they are given their own.
    """
    from diskcache import DjangoCache
    from django.conf import settings
    from django.test import override_settings
    from django.utils.module_loading import import_string

    default = settings.CACHES["default"]
    if not issubclass(import_string(default["BACKEND"]), DjangoCache):  # Redis: REDIS_URL set
        yield None
        return
    folder = tmp_path_factory.mktemp("cache")
    caches = {**settings.CACHES, "default": {**default, "LOCATION": str(folder)}}
    with pytest.MonkeyPatch.context() as patch, override_settings(CACHES=caches):
        patch.setenv("CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes uploads to its own folder, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def demo_article(db):
    """The seed article, imported and published exactly as `make run` does."""
    from articles.models import Article

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Article.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def staff_user(db, django_user_model):
    """A staff editor with every article permission (not a superuser)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    return user


@pytest.fixture
def editor(client, staff_user):
    """The test client, logged in as the staff editor."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def moderator(db, django_user_model):
    """A staff user who may moderate comments (and view and change them)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "moderator", email="moderator@example.org", password="pw", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="comments",
            codename__in=["moderate_comment", "view_comment", "change_comment"],
        )
    )
    return user


@pytest.fixture(autouse=True)
def signoff_not_required(settings):
    """The demo host requires a medical sign-off before anything goes live; the tests of
    everything else publish without one. ``tests/articles/test_signoff.py`` and the
    editor's journey turn it on."""
    settings.RLS_ARTICLES = {**settings.RLS_ARTICLES, "REQUIRE_SIGNOFF": False}


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Tasks run when enqueued (after the commit), so tests see their effects.

    ``tests/comments/test_tasks.py`` runs them on the database backend and its worker.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttles count requests per IP in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
