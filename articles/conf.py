"""The articles app's settings: one dict, ``RLS_ARTICLES``, read at access time.

``AppSettings`` serves both apps (``comments`` builds ``RLS_COMMENTS`` on it):
reading on every access (not at import) lets ``override_settings`` and the
``settings`` fixture reach them, and unknown keys are refused so that a typo
never passes silently. The apps' system checks validate the types.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTING_NAME = "RLS_ARTICLES"

DEFAULTS: dict[str, Any] = {
    # Prefix of the links in API documents ("https://cms.example.org"); empty:
    # links are paths ("/api/v1/articles/x/"), so one stored document serves
    # every host name the site answers to.
    "BASE_URL": "",
    # The Django cache that holds built documents and pages.
    "CACHE_ALIAS": "default",
    # Seconds a built document or page stays in that cache. A change drops it
    # at once; the lifetime only bounds what a lost race could leave behind.
    "CACHE_TIMEOUT": 300,
    # Dotted paths of ArticleAPIExtension classes; None: those the installed
    # apps name in their AppConfig's ``article_api_extensions``.
    "API_EXTENSIONS": None,
    # Cache-Control of the public read endpoints, for browsers and CDNs, in
    # seconds. 0: they keep answers but ask again each time (a 304 costs one
    # cache look-up), so an approved comment shows on the next load. More:
    # fewer requests, answers up to that old.
    "MAX_AGE": 0,
    "STALE_WHILE_REVALIDATE": 0,
    # Also answer browsers with DRF's browsable API (HTML), for development.
    # Off: the endpoints speak JSON only.
    "BROWSABLE_API": False,
    # The reader site's address: feeds, the sitemap and structured data link
    # there with absolute addresses. Never taken from a request: what is built
    # is cached and served to every host name.
    "SITE_URL": "http://127.0.0.1:8000",
    # The reader's page of an article, under SITE_URL ({slug} is filled in);
    # "" for none. The admin's moderation queue, feeds and the sitemap link there.
    "READER_URL": "/articles/{slug}/",
    # Who publishes the articles, for structured data (schema.org
    # ``publisher``): a name, and a logo's address (a path on SITE_URL or an
    # https address; "" for none). An empty name leaves the publisher out.
    "PUBLISHER_NAME": "",
    "PUBLISHER_LOGO": "",
    # The articles' language as a BCP 47 tag ("en-GB"); "" for LANGUAGE_CODE's.
    "LANGUAGE": "",
    # The feeds' title and description, and how many articles they carry.
    "FEED_TITLE": "Latest articles",
    "FEED_DESCRIPTION": "New and updated health articles.",
    "FEED_SIZE": 20,
    # The frontend's preview address; {slug} and {token} are filled in. The
    # frontend reads the draft from /api/v1/preview/ with the token in an
    # "Authorization: Bearer" header, never in an address.
    "PREVIEW_URL": "/articles/{slug}/?preview={token}",
    # Seconds a preview link works.
    "PREVIEW_MAX_AGE": 3600,
    # Publish webhooks: [{"url": "https://...", "secret": "..."}]. Each gets a
    # signed POST {event, slug, updated_at} when an article is published,
    # updated while published, unpublished or deleted (articles/webhooks.py).
    "WEBHOOKS": [],
    # Months after its last medical review an article is due for another
    # (an article may set its own).
    "REVIEW_INTERVAL_MONTHS": 12,
    # Text goes live only under a medical reviewer's sign-off of that very
    # text (articles/review.py); the review fields are then the sign-off's.
    "REQUIRE_SIGNOFF": False,
    # A reviewer may sign off text they changed themselves.
    "SIGNOFF_OWN_CHANGES": False,
    # Days a staff API token works after it was made (``manage.py staff_token
    # --rotate`` makes a new one); None: never expires. A token copied into a
    # script or a laptop's history outlives the job it was made for.
    "STAFF_TOKEN_MAX_AGE_DAYS": 30,
    # Largest image an editor uploads (image inline, Markdown editor, importer), in bytes.
    "EDITOR_UPLOAD_MAX_SIZE": 5 * 1024 * 1024,
    # How many days the daily housekeeping (articles/housekeeping.py) keeps
    # what only operators read; None: keep forever. Results of the database
    # task queue, by how the task ended (their arguments and errors can name
    # readers: a comment's id, a moderator's address).
    "TASK_RESULTS_DAYS": 7,
    "FAILED_TASK_RESULTS_DAYS": 30,
    # The beat's claims of its minutes (one row a minute).
    "PERIODIC_RUNS_DAYS": 1,
    # Webhook deliveries, delivered and given up on (kept longer, to debug).
    "WEBHOOK_DELIVERIES_DAYS": 30,
    "FAILED_WEBHOOK_DELIVERIES_DAYS": 90,
}


class AppSettings:
    """Attribute access to one namespaced settings dict, with defaults."""

    def __init__(self, setting_name: str, defaults: dict[str, Any]) -> None:
        self.setting_name = setting_name
        self.defaults = defaults

    def __getattr__(self, name: str) -> Any:
        if name not in self.defaults:
            raise AttributeError(f"{self.setting_name} has no setting {name!r}.")
        return self.user_settings.get(name, self.defaults[name])

    @property
    def user_settings(self) -> dict[str, Any]:
        user = getattr(settings, self.setting_name, {})
        unknown = set(user) - set(self.defaults)
        if unknown:
            raise ImproperlyConfigured(
                f"{self.setting_name} has unknown keys: {', '.join(sorted(unknown))}."
            )
        return user


article_settings = AppSettings(SETTING_NAME, DEFAULTS)


def content_language() -> str:
    """The articles' language as a BCP 47 tag: ``LANGUAGE``, else ``LANGUAGE_CODE``'s ("en-US")."""
    language, *subtags = (article_settings.LANGUAGE or settings.LANGUAGE_CODE).split("-")

    def conventional(subtag: str) -> str:
        # A two-letter region upper case (US), a four-letter script title case (Hant).
        return (
            subtag.upper()
            if len(subtag) == 2
            else subtag.title()
            if len(subtag) == 4
            else subtag.lower()
        )

    return "-".join([language.lower(), *map(conventional, subtags)])
