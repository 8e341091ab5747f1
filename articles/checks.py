"""System checks, with stable ids that tests name: RLS_ARTICLES, and what a host must provide.

E001-E004 the settings; E005 a missing app; E006 markdownx's open views
mounted; E007 a missing middleware; W001 the editor's endpoints not mounted;
W002 (deploy) a cache that servers cannot share; W003 the admin without the
request context processor; W004 webhooks without a task queue; W005 a limit on
fields in one POST too low for an editor's save; W006 (deploy) SITE_URL left
at a development address; W007 in development, a cache of each process's own
beside a task worker.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage, Error, Tags, register
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils.module_loading import import_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from articles.conf import SETTING_NAME, article_settings

RETENTION_KEYS = (
    "TASK_RESULTS_DAYS",
    "FAILED_TASK_RESULTS_DAYS",
    "PERIODIC_RUNS_DAYS",
    "WEBHOOK_DELIVERIES_DAYS",
    "FAILED_WEBHOOK_DELIVERIES_DAYS",
)


def _whole_number(value, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


@register()
def check_article_settings(app_configs=None, **kwargs) -> list[Error]:
    """articles.E001 unknown key, E002 wrong type or value, E003 an unknown cache,
    E004 an extension that cannot be imported."""
    try:
        user = article_settings.user_settings
    except Exception as exc:
        return [Error(str(exc), id="articles.E001")]
    errors: list[Error] = []

    def bad(key: str, expected: str) -> None:
        errors.append(
            Error(
                f"{SETTING_NAME}[{key!r}] must be {expected}, not {user[key]!r}.",
                id="articles.E002",
            )
        )

    base = user.get("BASE_URL", "")
    if not (isinstance(base, str) and (base == "" or base.startswith(("http://", "https://")))):
        bad("BASE_URL", 'an empty string or an address starting with "http://" or "https://"')
    if "CACHE_TIMEOUT" in user and not _whole_number(user["CACHE_TIMEOUT"], 1):
        bad("CACHE_TIMEOUT", "a whole number of seconds above 0")
    hooks = user.get("WEBHOOKS", [])
    if not (
        isinstance(hooks, list | tuple)
        and all(
            isinstance(h, dict)
            and set(h) == {"url", "secret"}
            and isinstance(h["url"], str)
            and h["url"].startswith(("http://", "https://"))
            and isinstance(h["secret"], str)
            and h["secret"]
            for h in hooks
        )
    ):
        bad("WEBHOOKS", 'a list of {"url": "https://...", "secret": "..."}')
    preview = user.get("PREVIEW_URL", "{token}")
    if not (isinstance(preview, str) and "{token}" in preview):
        bad("PREVIEW_URL", 'an address holding "{token}" (and "{slug}" if it likes)')
    site = user.get("SITE_URL", "http://")
    if not (isinstance(site, str) and site.startswith(("http://", "https://"))):
        bad("SITE_URL", 'an address starting with "http://" or "https://"')
    for key in ("FEED_TITLE", "FEED_DESCRIPTION", "PUBLISHER_NAME", "PUBLISHER_LOGO", "LANGUAGE"):
        if key in user and not isinstance(user[key], str):
            bad(key, "a string")
    if "FEED_SIZE" in user and not _whole_number(user["FEED_SIZE"], 1):
        bad("FEED_SIZE", "a whole number above 0")
    if "READER_URL" in user and not isinstance(user["READER_URL"], str):
        bad("READER_URL", 'an address holding "{slug}", or "" for none')
    if "PREVIEW_MAX_AGE" in user and not _whole_number(user["PREVIEW_MAX_AGE"], 1):
        bad("PREVIEW_MAX_AGE", "a whole number of seconds above 0")
    if "REVIEW_INTERVAL_MONTHS" in user and not _whole_number(user["REVIEW_INTERVAL_MONTHS"], 1):
        bad("REVIEW_INTERVAL_MONTHS", "a whole number of months above 0")
    if "EDITOR_UPLOAD_MAX_SIZE" in user and not _whole_number(user["EDITOR_UPLOAD_MAX_SIZE"], 1):
        bad("EDITOR_UPLOAD_MAX_SIZE", "a whole number of bytes above 0")
    # Counts of days, each with what None means.
    days = {
        "STAFF_TOKEN_MAX_AGE_DAYS": "never expire",
        **dict.fromkeys(RETENTION_KEYS, "keep forever"),
    }
    for key, none_means in days.items():
        if key in user and not (user[key] is None or _whole_number(user[key], 1)):
            bad(key, f"None ({none_means}) or a whole number of days above 0")
    for key in ("MAX_AGE", "STALE_WHILE_REVALIDATE"):
        if key in user and not _whole_number(user[key], 0):
            bad(key, "a whole number of seconds, 0 or more")
    for key in ("BROWSABLE_API", "REQUIRE_SIGNOFF", "SIGNOFF_OWN_CHANGES"):
        if key in user and not isinstance(user[key], bool):
            bad(key, "True or False")
    paths = user.get("API_EXTENSIONS")
    if paths is not None and not (
        isinstance(paths, list | tuple) and all(isinstance(p, str) for p in paths)
    ):
        bad("API_EXTENSIONS", "None or a list of dotted paths")
    elif paths:
        for path in paths:
            try:
                import_string(path)
            except ImportError as exc:
                errors.append(
                    Error(
                        f"{SETTING_NAME}['API_EXTENSIONS']: cannot import {path!r}: {exc}",
                        id="articles.E004",
                    )
                )
    alias = user.get("CACHE_ALIAS", "default")
    if alias not in settings.CACHES:
        errors.append(
            Error(
                f"{SETTING_NAME}['CACHE_ALIAS'] names no cache in CACHES: {alias!r}.",
                hint=f"Add {alias!r} to CACHES, or leave CACHE_ALIAS out to use 'default'.",
                id="articles.E003",
            )
        )
    return errors


# What a host must add for the articles app, and why.
REQUIRED_APPS = {
    "rest_framework": "the API",
    "django_filters": "the article list's filters",
    "markdownx": "the admin's Markdown editor (its widget, script and styles)",
    "reversion": "the articles' revisions (django-reversion)",
    "adminsortable2": "ordering an article's parts by dragging them in the admin",
}
AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
# Cache backends that keep entries in one process or on one machine: what
# they do, and where that stops being shared. A subclass counts as its base.
UNSHARED_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": (
        "keeps entries in each process",
        "more than one worker process or server",
    ),
    "django.core.cache.backends.filebased.FileBasedCache": (
        "keeps entries on one machine",
        "more than one server",
    ),
    # DiskCache (SQLite files): the demo host's cache without REDIS_URL.
    "diskcache.DjangoCache": ("keeps entries on one machine", "more than one server"),
}
PROCESS_LOCAL_CACHES = {"django.core.cache.backends.locmem.LocMemCache"}
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"


def cache_backend_in(backend: str, paths) -> str | None:
    """The one of ``paths`` that cache backend ``backend`` is, or is a subclass of."""
    if backend in paths:
        return backend
    try:
        backend_class = import_string(backend)
    except ImportError:
        return None  # Django's own check names a backend it cannot import
    for path in paths:
        try:
            base = import_string(path)
        except ImportError:  # DiskCache is a host's choice, not the apps' dependency
            continue
        if isinstance(backend_class, type) and issubclass(backend_class, base):
            return path
    return None


def missing_apps(required: dict[str, str], *, needed_by: str, id: str) -> list[Error]:
    """One error per app of ``required`` (name: what needs it) missing from INSTALLED_APPS."""
    return [
        Error(
            f"{needed_by} needs {name!r} in INSTALLED_APPS ({why}).",
            hint=f"Add {name!r} to INSTALLED_APPS.",
            obj=needed_by,
            id=id,
        )
        for name, why in required.items()
        if not apps.is_installed(name)
    ]


def unshared_cache(alias: str, *, used_for: str, id: str) -> list[checks.Warning]:
    """A warning when cache ``alias`` cannot be shared by several processes or servers."""
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    kind = cache_backend_in(backend, UNSHARED_CACHES)
    if kind is None:
        return []
    keeps, unshared_with = UNSHARED_CACHES[kind]
    return [
        checks.Warning(
            f"The cache {alias!r} ({backend.rsplit('.', 1)[-1]}) {keeps}: "
            f"with {unshared_with}, {used_for}.",
            hint="Use a cache every server shares: Django's RedisCache or a Memcached "
            "backend (the demo host uses Redis when REDIS_URL is set).",
            id=id,
        )
    ]


def url_patterns(patterns=None, prefix: str = ""):
    """Every (route, view) of the URLconf, included patterns too."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, route)
        else:
            yield route, getattr(entry.callback, "view_class", entry.callback)


@register()
def check_host_apps(app_configs=None, **kwargs) -> list[Error]:
    """articles.E005: an app the articles app needs is missing from INSTALLED_APPS."""
    return missing_apps(REQUIRED_APPS, needed_by="articles", id="articles.E005")


@register(Tags.urls)
def check_editor_urls(app_configs=None, **kwargs) -> list[CheckMessage]:
    """articles.E006 markdownx's own views mounted, E007 the editor's endpoints without
    AuthenticationMiddleware, W001 the editor's endpoints not mounted."""
    from markdownx.views import ImageUploadView, MarkdownifyView

    from articles.editor import StaffOnlyMixin

    messages: list[CheckMessage] = []
    for route, view in url_patterns():
        if (
            isinstance(view, type)
            and issubclass(view, ImageUploadView | MarkdownifyView)
            and not issubclass(view, StaffOnlyMixin)
        ):
            messages.append(
                Error(
                    f"markdownx's own {view.__name__} is mounted at {route!r}: it takes "
                    "uploads and previews from anyone, logged in or not.",
                    hint="Remove include('markdownx.urls') from the URLconf; "
                    "include('articles.urls') serves the editor's endpoints to staff only.",
                    id="articles.E006",
                )
            )
    try:
        reverse("articles-editor:markdownify")
    except NoReverseMatch:
        if apps.is_installed("django.contrib.admin"):
            messages.append(
                checks.Warning(
                    "The admin's Markdown editor has no endpoints: it cannot preview "
                    "Markdown or upload images.",
                    hint="Include articles.urls in the URLconf, for example "
                    "path('api/v1/', include('articles.urls')).",
                    id="articles.W001",
                )
            )
    else:
        if AUTHENTICATION_MIDDLEWARE not in settings.MIDDLEWARE:
            messages.append(
                Error(
                    "The Markdown editor's endpoints (articles.urls) serve staff only "
                    "and need to know who is logged in.",
                    hint=f"Add {AUTHENTICATION_MIDDLEWARE!r} (after SessionMiddleware) "
                    "to MIDDLEWARE.",
                    id="articles.E007",
                )
            )
    return messages


@register(Tags.caches, deploy=True)
def check_document_cache(app_configs=None, **kwargs) -> list[checks.Warning]:
    """articles.W002 (deploy): the cache of built documents is not shared."""
    return unshared_cache(
        article_settings.CACHE_ALIAS,
        used_for="a change made through one is not seen by the others until "
        "RLS_ARTICLES['CACHE_TIMEOUT'] passes",
        id="articles.W002",
    )


TASK_BACKENDS_WITHOUT_WORKER = (
    "django_tasks.backends.immediate.ImmediateBackend",  # runs each task in the request
    "django_tasks.backends.dummy.DummyBackend",  # keeps tasks, never runs them (tests)
)


@register(Tags.caches)
def check_development_cache(app_configs=None, **kwargs) -> list[checks.Warning]:
    """articles.W007: DEBUG on, a cache of each process's own, and a task worker.

    ``make run``-style development runs the server, a task worker and
    management commands as separate processes: with a cache per process, what
    one changes reaches the others only when their entries expire. DummyCache
    keeps nothing, so nothing goes stale: no warning.
    """
    if not settings.DEBUG:
        return []  # the deploy check (W002) speaks for production
    try:
        alias, lifetime = article_settings.CACHE_ALIAS, article_settings.CACHE_TIMEOUT
    except Exception:  # noqa: BLE001
        return []  # the settings' own check (E001-E004) says what is wrong
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if cache_backend_in(backend, PROCESS_LOCAL_CACHES) is None:
        return []
    try:
        task_backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    except Exception:  # noqa: BLE001
        return []  # django_tasks' own errors name a broken TASKS
    without_worker = tuple(import_string(path) for path in TASK_BACKENDS_WITHOUT_WORKER)
    if isinstance(task_backend, without_worker):
        return []
    return [
        checks.Warning(
            f"The cache {alias!r} ({backend.rsplit('.', 1)[-1]}) keeps entries in each "
            f"process, and tasks run in a worker ({type(task_backend).__name__}): changes "
            "made by the worker or by management commands reach the API only when the "
            f"server's entries expire, up to {lifetime} seconds later "
            f"({SETTING_NAME}['CACHE_TIMEOUT']).",
            hint="Use a cache every local process shares: DiskCache's "
            "diskcache.DjangoCache (the demo host's default without REDIS_URL) or Redis.",
            id="articles.W007",
        )
    ]


# Addresses only the machine itself can reach (or none at all).
LOCAL_HOSTS = {None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0"}


@register(deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[checks.Warning]:
    """articles.W006 (deploy): SITE_URL is left at the development address.

    Feeds, the sitemap and structured data would send readers and crawlers
    to 127.0.0.1. It is never guessed from a request: what is built is cached
    and served to every host name.
    """
    site = article_settings.SITE_URL
    host = urlsplit(site).hostname if isinstance(site, str) else None
    if host not in LOCAL_HOSTS:
        return []
    return [
        checks.Warning(
            f"{SETTING_NAME}['SITE_URL'] is a development address ({site!r}): "
            "feeds, the sitemap and structured data would link there.",
            hint=f"Set {SETTING_NAME}['SITE_URL'] to the reader site's address, "
            "e.g. 'https://health.example.org'.",
            id="articles.W006",
        )
    ]


REQUEST_PROCESSOR = "django.template.context_processors.request"


@register(Tags.templates)
def check_admin_request_processor(app_configs=None, **kwargs) -> list[checks.Warning]:
    """articles.W003: the admin index cannot show the apps' counts (articles.admin_index)."""
    if not apps.is_installed("django.contrib.admin"):
        return []
    for engine in settings.TEMPLATES:
        if REQUEST_PROCESSOR in engine.get("OPTIONS", {}).get("context_processors", []):
            return []
    return [
        checks.Warning(
            "The admin index cannot show its counts (comments awaiting moderation, "
            "articles due for review): templates are rendered without the request.",
            hint=f"Add {REQUEST_PROCESSOR!r} to TEMPLATES' context_processors.",
            id="articles.W003",
        )
    ]


@register()
def check_webhook_queue(app_configs=None, **kwargs) -> list[checks.Warning]:
    """articles.W004: webhooks are set, but tasks run in the request, with no queue."""
    from django_tasks import task_backends

    from articles.tasks import deliver_webhook

    try:
        if not article_settings.WEBHOOKS:
            return []
    except Exception:  # noqa: BLE001
        return []  # the settings' own check (E001-E004) says what is wrong
    backend = task_backends[deliver_webhook.backend]
    if backend.supports_defer:  # a queue: deliveries wait for a worker and retry later
        return []
    return [
        checks.Warning(
            f"Webhook deliveries run inside the request that saves an article "
            f"({type(backend).__name__}): a slow endpoint slows the save, a failed "
            "delivery is not retried and scheduled articles are not announced.",
            hint="Set TASKS to a queue (django_tasks_db.DatabaseBackend, or RQ) and "
            "run `manage.py tasks_worker`.",
            id="articles.W004",
        )
    ]


# The article's change page posts its own fields and the inline rows an editor
# changed (admin.sparse): about 30 fields, and 8 to 12 a changed row.
ADMIN_POST_FIELDS = 1000


@register()
def check_admin_post_fields(app_configs=None, **kwargs) -> list[checks.Warning]:
    """articles.W005: DATA_UPLOAD_MAX_NUMBER_FIELDS below what an editor's save needs."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is None or limit >= ADMIN_POST_FIELDS:
        return []
    return [
        checks.Warning(
            f"DATA_UPLOAD_MAX_NUMBER_FIELDS is {limit}: saving an article in the admin "
            "posts its fields and every section, image and reference the editor changed, "
            "and may be refused.",
            hint=f"Leave it at Django's default ({ADMIN_POST_FIELDS}) or above.",
            id="articles.W005",
        )
    ]
