"""Built documents: each article's public JSON, built once per change, served as bytes.

The API serializers stay the one definition of the JSON's shape: this module
runs them when an article has changed (on the first read after the change),
stores the bytes beside the article (``ArticleDocument``) and keeps them in
Django's cache too. A cached read then costs no serializer and no query; a
read the cache misses costs one indexed query.

Freshness. ``articles.services.articles_mark_changed`` counts every change in
``Article.version`` and sends ``article_changed``; the receiver at the end of
this module drops the cached copies once the change commits, and a stored
document whose version is behind the article's is rebuilt when next read.
Time is the one change with no write: a scheduled article's document is kept
with the time it goes public, a document with time-dependent parts (comments
that close) with the time it expires, a list page with the time the next
scheduled article goes public; every read compares these with the clock.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import Q, Subquery
from django.dispatch import receiver
from django.utils import timezone

from articles.api.renderers import JSONRenderer
from articles.conf import article_settings, content_language
from articles.models import Article, ArticleDocument
from articles.signals import Reason, article_changed

FOREVER = math.inf

# Bump when a change to the serializers changes the documents: every stored
# document is then rebuilt when next read.
DOCUMENT_FORMAT = 6


class Served(NamedTuple):
    """Bytes ready to send, with their validators and the times that bound them."""

    body: bytes
    etag: str
    last_modified: float  # POSIX time
    public_from: float  # before this time the answer is 404
    expires_at: float  # from this time on the bytes are stale (FOREVER: never)

    def visible(self, now: float) -> bool:
        return self.public_from <= now

    def fresh(self, now: float) -> bool:
        return now < self.expires_at


class ListState(NamedTuple):
    """A listing's generation: pages are cached under ``token`` until it is replaced."""

    token: str
    last_modified: float
    public_from: float
    expires_at: float
    # No page of the listing claims an earlier Last-Modified (see ``Listing.floor``).
    floor: float

    def fresh(self, now: float) -> bool:
        return now < self.expires_at


def cache():
    return caches[article_settings.CACHE_ALIAS]


def cache_timeout(expires_at: float, now: float) -> int:
    """Seconds to keep an entry: the configured lifetime, or less if it expires sooner."""
    return max(1, math.ceil(min(article_settings.CACHE_TIMEOUT, expires_at - now)))


def render_json(data) -> bytes:
    """The bytes DRF's JSON renderer makes of ``data``: what the views would send."""
    return JSONRenderer().render(data)


def make_etag(body: bytes) -> str:
    """A strong ETag: a digest of the exact bytes."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _timestamp(value) -> float:
    return value.timestamp() if value is not None else FOREVER


@functools.cache
def fingerprint() -> str:
    """Of what shapes documents besides the articles: format, settings, extensions.

    Stored documents and cache keys carry it, so a changed setting (a new
    BASE_URL, comments closing after other days) never serves old bytes.
    """
    from articles.api.extensions import registered

    parts = [
        DOCUMENT_FORMAT,
        article_settings.BASE_URL,
        # Structured data's absolute addresses, publisher and language.
        article_settings.SITE_URL,
        article_settings.READER_URL,
        article_settings.PUBLISHER_NAME,
        article_settings.PUBLISHER_LOGO,
        content_language(),
        settings.MEDIA_URL,
        settings.TIME_ZONE,
        *(type(x).__qualname__ + x.settings_fingerprint() for x in registered()),
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


@receiver(setting_changed, dispatch_uid="articles.documents.fingerprint")
def _settings_changed(**kwargs) -> None:
    fingerprint.cache_clear()


# Building.


def documents_build(*, article_ids: Iterable[int]) -> dict[int, ArticleDocument]:
    """Build and store the documents of these published articles; returns them by id."""
    # Imported here: the API layer imports this module's users, not the reverse.
    from articles.api.extensions import registered
    from articles.api.serializers import ArticleDetailSerializer, ArticleListSerializer
    from articles.live import live_apply

    ids = set(article_ids)
    # The articles as the extensions annotate them, with their live version
    # laid over them: what they say comes from that, never from the draft.
    queryset = Article.objects.filter(pk__in=ids, status=Article.Status.PUBLISHED)
    detail_queryset = queryset
    list_queryset = queryset
    for extension in registered():
        detail_queryset = extension.detail_queryset(detail_queryset)
        list_queryset = extension.list_queryset(list_queryset)
    listed, detailed = list(list_queryset), list(detail_queryset)
    live = {id(a) for a in live_apply(listed + detailed)}  # one read of the snapshots
    list_items = {
        a.pk: (a.version, render_json(ArticleListSerializer(a).data))
        for a in listed
        if id(a) in live
    }
    detail_queryset = [a for a in detailed if id(a) in live]
    before = {
        old.article_id: old
        for old in ArticleDocument.objects.filter(article_id__in=ids).only(
            "article_id", "etag", "fingerprint", "modified_at", "expires_at"
        )
    }
    now = timezone.now()
    documents = []
    for article in detail_queryset:
        if article.pk not in list_items:  # unpublished between the two reads
            continue
        list_version, list_item = list_items[article.pk]
        detail = render_json(ArticleDetailSerializer(article).data)
        etag = make_etag(detail)
        expires = [e for x in registered() if (e := x.expires_at(article)) is not None]
        documents.append(
            ArticleDocument(
                article=article,
                # A change between the two reads leaves the older version:
                # the document is then stale, and rebuilt when next read.
                version=min(article.version, list_version),
                fingerprint=fingerprint(),
                slug=article.slug,
                detail=detail,
                list_item=list_item,
                etag=etag,
                modified_at=_content_time(article, before.get(article.pk), etag, now),
                expires_at=min(expires, default=None),
            )
        )
    ArticleDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=[
            "version",
            "fingerprint",
            "slug",
            "detail",
            "list_item",
            "etag",
            "modified_at",
            "expires_at",
        ],
    )
    return {document.article_id: document for document in documents}


def _content_time(article: Article, old: ArticleDocument | None, etag: str, now):
    """When the document's content last moved: its Last-Modified (with ``published_at``).

    Not when it was built: a rebuild on the first read after a change must
    not date the change to that read.
    """
    if old is None:
        return article.changed_at
    if old.etag == etag:
        return old.modified_at  # unchanged bytes keep their time
    if old.fingerprint != fingerprint():
        return now  # the code or the settings changed the bytes, just now
    # A time-dependent part (comments closing) turned when the old one expired.
    turned = old.expires_at if old.expires_at is not None and old.expires_at <= now else None
    return max(article.changed_at, turned) if turned else article.changed_at


# Reading.


def detail_key(slug: str) -> str:
    return f"rls_articles:{fingerprint()}:detail:{slug}"


def _served_detail(document: ArticleDocument, published_at) -> Served:
    return Served(
        body=bytes(document.detail),
        etag=document.etag,
        # A scheduled article's content appeared when it went public.
        last_modified=max(document.modified_at.timestamp(), _timestamp(published_at)),
        public_from=_timestamp(published_at),
        expires_at=_timestamp(document.expires_at),
    )


# Cached for a slug with no published article: a change to any article under
# that slug (creating, publishing, renaming) drops it like any other entry.
NO_ARTICLE = ()


def detail_served(*, slug: str) -> Served | None:
    """The detail of the public article ``slug`` as bytes, or None: no such public article."""
    now = time.time()
    served = cache().get(detail_key(slug))
    if served == NO_ARTICLE:
        return None
    if served is None or not served.fresh(now):
        served = _detail_from_database(slug, now)
        if served is None:
            cache().set(detail_key(slug), NO_ARTICLE, article_settings.CACHE_TIMEOUT)
            return None
        cache().set(detail_key(slug), served, cache_timeout(served.expires_at, now))
    return served if served.visible(now) else None


def _current(document: ArticleDocument | None, version: int) -> bool:
    """Whether ``document`` was built from this version, with today's code and settings."""
    return (
        document is not None
        and document.version == version
        and document.fingerprint == fingerprint()
    )


def _detail_from_database(slug: str, now: float) -> Served | None:
    # One indexed query: the article's state and its stored document beside it.
    row = (
        Article.objects.filter(live__slug=slug, status=Article.Status.PUBLISHED)
        .select_related("document")
        .only("pk", "version", "published_at", "document")
        .first()
    )
    if row is None:
        return None
    document = getattr(row, "document", None)
    if not _current(document, row.version) or not now < _timestamp(document.expires_at):
        document = documents_build(article_ids=[row.pk]).get(row.pk)
        if document is None:  # unpublished since the row was read
            return None
    return _served_detail(document, row.published_at)


def list_items(articles: Sequence[Article]) -> list[bytes]:
    """The stored list items of these articles, in order; stale ones are rebuilt first.

    ``articles`` come from ``articles.selectors.article_list_public()``, with
    their documents joined.
    """
    # A list item has no time-dependent part: its document's expiry is the detail's.
    stale = [a.pk for a in articles if not _current(getattr(a, "document", None), a.version)]
    rebuilt = documents_build(article_ids=stale) if stale else {}
    documents = [rebuilt.get(a.pk) or getattr(a, "document", None) for a in articles]
    # None: unpublished while the page was read; the change drops the page anyway.
    return [bytes(document.list_item) for document in documents if document is not None]


# Listings: pages cached under a generation token.


def _listing_key(scope: str) -> str:
    return f"rls_articles:{fingerprint()}:listing:{scope}"


# A floor outlives many generations, but not forever: each fingerprint leaves
# its own keys behind. One that expired starts again at now (conservative).
FLOOR_TIMEOUT = 30 * 24 * 3600


def _floor_key(scope: str) -> str:
    return _listing_key(scope) + ":floor"


def _page_key(scope: str, query_string: str) -> str:
    # Not under the generation's token: the page and its generation are then
    # read in one round trip, and the token kept beside the page is compared.
    digest = hashlib.blake2b(query_string.encode(), digest_size=16).hexdigest()
    return f"{_listing_key(scope)}:page:{digest}"


@dataclass(frozen=True)
class Listing:
    """A listing served as cached bytes (the article list, an article's comments).

    Its pages are kept per query string under a generation, which a change
    through the funnel drops (``listing_forget``); both apps' list views use
    this and nothing else of the cache's layout::

        listing = Listing("comments:" + slug)
        served = listing.cached_page(query_string, now)     # None: build it
        generation = listing.generation(now, times)         # before reading rows
        served = listing.keep(generation, query_string, body)

    ``times()`` reads when the listing becomes public, when it changes by
    itself and when its content last changed (its Last-Modified):
    ``(public_from, expires_at, last_modified)``, each None for never (or
    for unknown, the last).
    """

    scope: str

    def _state(self, now: float) -> ListState | None:
        state = cache().get(_listing_key(self.scope))
        return state if state is not None and state.fresh(now) else None

    def cached_page(self, query_string: str, now: float) -> Served | None:
        """The page kept for this query, if the generation is current and public."""
        listing_key, page_key = _listing_key(self.scope), _page_key(self.scope, query_string)
        found = cache().get_many([listing_key, page_key])
        state, kept = found.get(listing_key), found.get(page_key)
        if state is None or not state.fresh(now) or not state.public_from <= now:
            return None
        # A page of an earlier generation (dropped since) is not this one's.
        return kept[1] if kept is not None and kept[0] == state.token else None

    def generation(
        self, now: float, times: Callable[[], tuple[float | None, float | None, float | None]]
    ) -> ListState:
        """The current generation, started when there is none.

        Ask before reading the listing's rows: a change that commits after
        that drops the generation, and any page read before goes with it.
        """
        state = self._state(now)
        if state is None:
            public_from, expires_at, last_modified = times()
            public_from = -FOREVER if public_from is None else public_from
            expires_at = FOREVER if expires_at is None else expires_at
            floor = self.floor(now)
            # Never later than now: a clock a little ahead elsewhere must not
            # date the content in the future.
            last_modified = floor if last_modified is None else max(min(last_modified, now), floor)
            state = ListState(uuid.uuid4().hex, last_modified, public_from, expires_at, floor)
            cache().set(_listing_key(self.scope), state, cache_timeout(expires_at, now))
        return state

    def floor(self, now: float) -> float:
        """The earliest Last-Modified this listing's pages may claim.

        Content times say when the rows changed, but not when the bytes changed
        for other reasons: new code or settings (a new fingerprint, so a new
        key: its floor starts now) or a row deleted (``listing_forget(...,
        moved=True)``). A floor lost from the cache starts again at now, which
        only costs a revalidation.
        """
        cache().add(_floor_key(self.scope), now, FLOOR_TIMEOUT)
        return cache().get(_floor_key(self.scope), now)

    def keep(
        self, state: ListState, query_string: str, body: bytes, last_modified: float | None = None
    ) -> Served:
        """Keep a page built under ``state`` for this query; returns it ready to serve.

        ``last_modified``: when the page's own content last changed, if it is
        known better than the generation's (never before the floor).
        """
        modified = state.last_modified if last_modified is None else max(last_modified, state.floor)
        served = Served(body, make_etag(body), modified, state.public_from, state.expires_at)
        now = time.time()
        cache().set(
            _page_key(self.scope, query_string),
            (state.token, served),
            cache_timeout(state.expires_at, now),
        )
        return served


def listing_forget(scopes: Iterable[str], *, moved: bool = False) -> None:
    """Drop the generations of these listings: their cached pages are gone with them.

    ``moved``: the change leaves no row to date it (a deletion), so the
    listings' Last-Modified floor moves to now.
    """
    scopes = list(scopes)
    cache().delete_many([_listing_key(scope) for scope in scopes])
    if moved:
        cache().set_many({_floor_key(scope): time.time() for scope in scopes}, FLOOR_TIMEOUT)


ARTICLE_LIST = Listing("articles")


def article_list_times() -> tuple[None, float | None, float | None]:
    """Public at once; changes by itself when a scheduled article goes public; last
    changed when an article in it changed or went public.

    One query of three index look-ups, whatever the archive's size. An article
    leaving the list (unpublished, deleted) moves the listing's floor instead
    (``forget_changed``): no row of it is left in the list to date it.
    """
    now = timezone.now()
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    shown = published.filter(published_at__lte=now)

    def newest(queryset, field: str, descending: bool = True) -> Subquery:
        order = f"-{field}" if descending else field
        return Subquery(queryset.order_by(order).values(field)[:1])

    rows = (
        Article.objects.order_by()
        .annotate(
            upcoming=newest(published.filter(published_at__gt=now), "published_at", False),
            changed=newest(shown, "changed_at"),
            appeared=newest(shown, "published_at"),
        )
        .values_list("upcoming", "changed", "appeared")[:1]
    )
    row = next(iter(rows), None)  # None: no article at all
    upcoming, *moments = row or (None, None, None)
    moments = [m for m in moments if m is not None]
    return (
        None,
        upcoming.timestamp() if upcoming else None,
        max(moments).timestamp() if moments else None,
    )


def left_public(article_ids: Iterable[int]) -> bool:
    """Whether any of these articles was public once (it has a document) and is not now."""
    public = Q(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())
    return (
        Article.objects.filter(pk__in=article_ids, document__isnull=False).exclude(public).exists()
    )


def forget_now_and_on_commit(forget: Callable[[], None]) -> None:
    """Run ``forget`` now and again once the transaction commits.

    Now: later reads in this transaction see the change. On commit: another
    connection may have cached what it read before the commit meanwhile.
    """
    forget()
    transaction.on_commit(forget)


# Changes that never take an article out of the list: no query to ask.
STAYS_IN_THE_LIST = {Reason.COMMENTS, Reason.RENDITIONS, Reason.TAGS, Reason.PUBLISHED}


@receiver(article_changed, dispatch_uid="articles.documents.forget")
def forget_changed(
    sender, *, article_ids: frozenset[int], slugs: frozenset[str], reason: str = "", **kwargs
) -> None:
    """Drop the cached copies of the changed articles and the article list.

    An article that leaves the list (deleted, unpublished, scheduled again)
    moves the list's Last-Modified floor: nothing left in the list dates it.
    """
    moved = reason == Reason.DELETED or (
        reason not in STAYS_IN_THE_LIST and left_public(article_ids)
    )

    def forget() -> None:
        cache().delete_many([detail_key(slug) for slug in slugs])
        listing_forget([ARTICLE_LIST.scope], moved=moved)

    forget_now_and_on_commit(forget)
