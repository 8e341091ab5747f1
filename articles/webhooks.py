"""Publish webhooks: frontends hear when an article is published, updated, unpublished or deleted.

Each address in RLS_ARTICLES["WEBHOOKS"] gets a POST of ``{"event", "slug",
"updated_at"}``, signed: ``X-RLS-Signature: sha256=<hex>``, the HMAC-SHA256
of the body under the address's secret. Events come from the change funnel
(``article_changed``) and, for a scheduled article whose time comes, from
the periodic task. Every delivery is a row (``WebhookDelivery``, in the
admin) and a task, enqueued with the write: a slow or dead endpoint never
slows or breaks a save.

What frontends were last told is ``Article.announced_published_at``: set
while they know the article as public, null otherwise. A publication is
announced by the conditional update that finds it null, so two writers (or
two workers' periodic runs) never announce the same publication twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.utils import timezone

from articles.api.base import IsoDateTimeField
from articles.conf import article_settings
from articles.models import Article, LiveArticle, WebhookDelivery
from articles.signals import Reason, article_changed, minute_passed
from articles.tasks import deliver_webhook, enqueue_with_commit

Event = WebhookDelivery.Event
SIGNATURE_HEADER = "X-RLS-Signature"
# An endpoint that takes longer than this is recorded as failed (and retried).
TIMEOUT_SECONDS = 5
# Changes that are not the article's own content: comments have their own list.
# A reindex tells nothing new (a public article never announced, written
# outside the funnel, is announced by the periodic task: see below).
NOT_ANNOUNCED = {Reason.COMMENTS, Reason.RENDITIONS, Reason.REINDEX}


class WebhookFailed(Exception):
    pass


def signature(secret: str, body: bytes) -> str:
    """The value of X-RLS-Signature for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhooks_announce(*, article_ids: Iterable[int], reason: str) -> None:
    """Decide each article's event after a change, record its deliveries and enqueue them."""
    if not article_settings.WEBHOOKS or reason in NOT_ANNOUNCED:
        return
    now = timezone.now()
    # What frontends know of an article is its live version: its address and time.
    articles = (
        Article.objects.filter(pk__in=set(article_ids))
        .annotate(
            live_slug=Coalesce("live__slug", "document__slug", "slug"),
            live_changed_at=Coalesce("live__changed_at", "updated_at"),
            is_live=Exists(LiveArticle.objects.filter(pk=OuterRef("pk"))),
        )
        .values(
            "pk",
            "live_slug",
            "status",
            "published_at",
            "live_changed_at",
            "announced_published_at",
            "is_live",
        )
    )
    for article in articles:
        public = (
            reason != Reason.DELETED
            and article["is_live"]
            and article["status"] == Article.Status.PUBLISHED
            and article["published_at"] is not None
            and article["published_at"] <= now
        )
        # The announcement and its deliveries stand or fall together.
        with transaction.atomic():
            event = _move_announcement(article, public=public, deleted=reason == Reason.DELETED)
            if event is not None:
                _deliveries_create(article, event)


def _move_announcement(article: dict, *, public: bool, deleted: bool) -> str | None:
    """The event that tells frontends what changed, having recorded it as told."""
    rows = Article.objects.filter(pk=article["pk"])
    announced = article["announced_published_at"]
    if deleted:
        return Event.DELETED if announced is not None else None
    if not public:
        if announced is None:
            return None  # a draft, or scheduled: frontends never knew it
        rows.filter(announced_published_at=announced).update(announced_published_at=None)
        return Event.UNPUBLISHED
    if announced is not None:
        # Public before and still: an update, even if its publication time
        # was edited (the admin's form drops the microseconds).
        rows.update(announced_published_at=F("published_at"))
        return Event.UPDATED
    # Only the writer whose update finds it unannounced announces: never twice.
    claimed = rows.filter(announced_published_at__isnull=True).update(
        announced_published_at=F("published_at")
    )
    return Event.PUBLISHED if claimed else None


def _deliveries_create(article: dict, event: str) -> None:
    payload = {
        "event": event,
        "slug": article["live_slug"],
        "updated_at": IsoDateTimeField().to_representation(article["live_changed_at"]),
    }
    for hook in article_settings.WEBHOOKS:
        delivery = WebhookDelivery.objects.create(
            url=hook["url"], event=event, article_id=article["pk"], slug=article["live_slug"],
            payload=payload,
        )  # fmt: skip
        enqueue_with_commit(deliver_webhook, delivery.pk)


def webhooks_announce_scheduled(*, now=None) -> int:
    """Announce the scheduled articles whose time has come. Returns how many."""
    if not article_settings.WEBHOOKS:
        return 0
    now = now or timezone.now()
    due = Article.objects.public().filter(announced_published_at__isnull=True)
    ids = list(due.values_list("pk", flat=True)[:500])
    webhooks_announce(article_ids=ids, reason=Reason.PUBLISHED)
    return len(ids)


def webhook_deliver(*, delivery_id: int) -> int | None:
    """POST one delivery and record how it went; ``WebhookFailed`` unless the answer is 2xx."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return None  # deleted by staff, or delivered by an earlier run
    secret = next((h["secret"] for h in article_settings.WEBHOOKS if h["url"] == delivery.url), "")
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    request = urllib.request.Request(
        delivery.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "rls_cms-webhooks",
            "X-RLS-Event": delivery.event,
            "X-RLS-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: signature(secret, body),
        },
    )
    status, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as answer:
        status, error = answer.code, f"HTTP {answer.code}"
    except (OSError, ValueError) as failure:  # refused, unreachable, timed out, bad address
        error = repr(failure)
    delivered = status is not None and 200 <= status < 300
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        last_attempt_at=timezone.now(),
        status_code=status,
        error=error,
        delivered_at=timezone.now() if delivered else None,
    )
    if not delivered:
        raise WebhookFailed(f"{delivery.url}: {error or status}")
    return status


@receiver(article_changed, dispatch_uid="articles.webhooks")
def announce_change(sender, article_ids, reason, **kwargs) -> None:
    webhooks_announce(article_ids=article_ids, reason=reason)


@receiver(minute_passed, dispatch_uid="articles.webhooks.scheduled")
def announce_scheduled(sender, **kwargs) -> None:
    webhooks_announce_scheduled()
