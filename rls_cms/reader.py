"""The reader's pages, built on the server from what the public API serves.

The pages are a frontend like any other: they read the API in process (no
HTTP hop, no second serializer), so a page shows exactly the bytes the API
serves. Each page is kept as bytes under a generation (``articles.documents.
Listing``) that a change through the funnel drops (``forget_changed``, on
``article_changed``), and answered with ETag, Last-Modified and 304 like the
API; a page kept costs one cache round trip and no query.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, QueryDict
from django.templatetags.static import static
from django.urls import get_script_prefix, resolve, reverse
from django.utils.http import parse_http_date_safe

from articles.conf import article_settings, content_language
from articles.documents import (
    FLOOR_TIMEOUT,
    Listing,
    cache,
    forget_now_and_on_commit,
    listing_forget,
)
from articles.signals import Reason, article_changed

# The caches a page is built from (articles.documents', comments.signals') are
# dropped on a change before the page is: their receivers connect first, on
# import, so a page rebuilt between the two never reads the API's old bytes.
from comments import signals as _comment_caches  # noqa: F401
from comments.conf import comment_settings

# Bump when a change to the page code changes the pages' bytes in a way the
# templates' text does not show (the templates' own text is in the fingerprint).
PAGE_FORMAT = 1
# The assets the pages name: their (hashed) addresses are part of the bytes.
ASSETS = ("reader/reader.css", "reader/app.js", "reader/favicon.svg")


@functools.cache
def page_fingerprint() -> str:
    """Of everything besides the API's bytes that shapes a page: templates, assets, settings."""
    templates = Path(apps.get_app_config("rls_cms").path) / "templates"
    sources = sorted(
        (p.relative_to(templates).as_posix(), p.read_bytes()) for p in templates.rglob("*.html")
    )
    parts = [
        PAGE_FORMAT,
        sources,
        [static(asset) for asset in ASSETS],
        article_settings.SITE_URL,
        article_settings.READER_URL,
        article_settings.PUBLISHER_NAME,
        article_settings.FEED_TITLE,
        article_settings.FEED_DESCRIPTION,
        comment_settings.PAGE_SIZE,
        content_language(),
        settings.TIME_ZONE,
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


@receiver(setting_changed, dispatch_uid="rls_cms.reader.fingerprint")
def _settings_changed(**kwargs) -> None:
    page_fingerprint.cache_clear()


def article_page_listing(slug: str) -> Listing:
    return Listing(f"reader:article:{slug}")


def list_page_listing() -> Listing:
    return Listing("reader:list")


def page_code_since(now: float) -> float:
    """When this page code (the fingerprint) first served a page: no kept page claims
    an earlier Last-Modified, since its bytes may have changed with the code."""
    key = f"rls_cms:reader:since:{page_fingerprint()}"
    cache().add(key, now, FLOOR_TIMEOUT)
    return cache().get(key, now)


def page_key(query_string: str) -> str:
    """What a page is kept under in its listing: its query, and the page code that built it.

    The fingerprint is part of the key, not of the listing's name, so that
    dropping pages on a change needs neither templates nor static files (a
    task worker or a command may make the change).
    """
    return f"{page_fingerprint()}?{query_string}"


@receiver(article_changed, dispatch_uid="rls_cms.reader.forget_changed")
def forget_changed(sender, *, slugs: frozenset[str], reason: str = "", **kwargs) -> None:
    """Drop the kept pages of the changed articles and every page of the list."""
    scopes = [list_page_listing().scope, *(article_page_listing(s).scope for s in slugs)]
    moved = reason == Reason.DELETED
    forget_now_and_on_commit(lambda: listing_forget(scopes, moved=moved))


# Reading the API in process.


@dataclass(frozen=True)
class APIAnswer:
    """One answer of the public API: its status, its JSON, and what bounds it."""

    status: int
    body: bytes
    last_modified: float  # POSIX time; 0: the answer gave none

    @property
    def data(self):
        return json.loads(self.body)


# What a reader's request tells the API about where it was made, and no more:
# no cookie, no credentials, no body. The public endpoints identify nobody;
# the preview is given its token (``bearer``) by the page that holds it.
FORWARDED_META = ("SERVER_NAME", "SERVER_PORT", "HTTP_HOST", "REMOTE_ADDR", "wsgi.url_scheme")


def api_get(
    request: HttpRequest, path: str, query: dict[str, str] | None = None, *, bearer: str = ""
) -> APIAnswer:
    """GET ``path`` (from ``reverse``) of this site's API as a browser would, without the network.

    The answer is unconditional (the reader's own validators are the page's,
    not the API's) and JSON, whatever the reader's browser accepts. A
    ``bearer`` token is sent as ``Authorization: Bearer <token>``.
    """
    params = QueryDict(mutable=True)
    params.update(query or {})
    # reverse() put the script prefix (a site mounted under /cms/) in front.
    path_info = "/" + path.removeprefix(get_script_prefix())
    meta = {k: request.META[k] for k in FORWARDED_META if k in request.META}
    if (proxy := settings.SECURE_PROXY_SSL_HEADER) and proxy[0] in request.META:
        meta[proxy[0]] = request.META[proxy[0]]
    sub = HttpRequest()
    sub.method = "GET"
    sub.path, sub.path_info = path, path_info
    sub.META = meta | {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": request.META.get("SCRIPT_NAME", ""),
        "PATH_INFO": path_info,
        "QUERY_STRING": params.urlencode(),
        "HTTP_ACCEPT": "application/json",
    }
    if bearer:
        sub.META["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
    sub.GET = params
    match = resolve(path_info)
    response = match.func(sub, *match.args, **match.kwargs)
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    modified = response.get("Last-Modified")
    return APIAnswer(
        status=response.status_code,
        body=response.content,
        last_modified=(parse_http_date_safe(modified) or 0) if modified else 0,
    )


def comments_page(request: HttpRequest, slug: str, cursor: str = "") -> APIAnswer:
    """A page of the article's approved comments, as the API serves it."""
    query = {"page_size": str(comments_per_page())}
    if cursor:
        query["cursor"] = cursor
    return api_get(request, reverse("comments-api:article-comments", kwargs={"slug": slug}), query)


def comments_per_page() -> int:
    """How many comments one page under the article shows: the API's page (as WordPress's
    50), so that a much-discussed article stays a light page; the rest follow on request."""
    return comment_settings.PAGE_SIZE
