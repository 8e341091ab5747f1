"""A year of a site's running, written with the timestamps it would have: what housekeeping meets.

Used by ``bench/housekeeping.py`` (a full year, one beat a minute) and by
``tests/test_housekeeping.py`` (the same year, thinned). Rows go in with
``bulk_create``: the point is how many there are and how old, not how
they were written. Every spacing is even and every choice by index, so the
counts that remain after a housekeeping are exact.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles.models import Article, PeriodicRun, WebhookDelivery
from comments.models import Comment, client_key

YEAR = dt.timedelta(days=365)
BATCH = 5000


@dataclass(frozen=True)
class Year:
    """How busy the year was. The defaults: a mid-sized health publisher."""

    beat_minutes: int = 1  # the beat claims every minute
    tasks_per_day: int = 60  # notifications, renditions, deliveries, reminders
    failed_task_every: int = 100  # one task in this many fails
    deliveries_per_day: int = 20  # an article changed, one endpoint told
    failed_delivery_every: int = 50
    comments_per_day: int = 100
    spam_every: int = 5  # in 5 comments: 3 spam (WordPress sites see more)
    spam_of_every: int = 3
    # In each 10 comments, the 2nd answers the 1st (spam under spam: both go
    # when old) and the 4th the 3rd (a real reply under spam: it keeps it).
    reply_threads: bool = True


def _evenly(end: dt.datetime, count: int, since: dt.datetime | None) -> Iterator[tuple]:
    """``(i, moment)``: ``count`` moments spread evenly over the year before ``end``, oldest
    first; only those after ``since``, if given."""
    step = YEAR / count
    moments = ((i, end - YEAR + step * (i + 1)) for i in range(count))
    return ((i, at) for i, at in moments if since is None or at > since)


def _bulk(model: type[models.Model], rows: Iterator[models.Model]) -> int:
    total = 0
    while batch := list(itertools.islice(rows, BATCH)):
        model.objects.bulk_create(batch)
        total += len(batch)
    return total


def fill_year(
    end: dt.datetime, year: Year = Year(), *, article: Article, since: dt.datetime | None = None
) -> dict[str, int]:
    """Write a year of beat runs, task results, deliveries and comments (on ``article``) to ``end``.

    Only the rows after ``since``, if given (a year's last day, say). Returns
    how many rows of each kind were written.
    """
    days = 365
    beats = days * 24 * 60 // year.beat_minutes
    written = {
        "periodic runs": _bulk(
            PeriodicRun, (PeriodicRun(minute=at) for _, at in _evenly(end, beats, since))
        )
    }

    def task(at: dt.datetime, *, beat: bool, failed: bool) -> DBTaskResult:
        return DBTaskResult(
            status=TaskResultStatus.FAILED if failed else TaskResultStatus.SUCCESSFUL,
            enqueued_at=at,  # bulk_create sets now (auto_now_add): housekeeping reads finished_at
            started_at=at,
            finished_at=at,
            run_after=at,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="articles.tasks.every_minute" if beat else "comments.tasks.notify_moderators",
            backend_name="default",
            queue_name="default",
            exception_class_path="builtins.OSError" if failed else "",
            traceback="OSError: connection refused" if failed else "",
        )

    tasks = itertools.chain(
        (task(at, beat=True, failed=False) for _, at in _evenly(end, beats, since)),
        (
            task(at, beat=False, failed=i % year.failed_task_every == 0)
            for i, at in _evenly(end, days * year.tasks_per_day, since)
        ),
    )
    written["task results"] = _bulk(DBTaskResult, tasks)

    def delivery(i: int, at: dt.datetime) -> WebhookDelivery:
        failed = i % year.failed_delivery_every == 0
        return WebhookDelivery(
            url="https://frontend.example/hooks",
            event=WebhookDelivery.Event.UPDATED,
            article_id=article.pk,
            slug=article.slug,
            payload={"event": "updated", "slug": article.slug},
            created_at=at,
            attempts=6 if failed else 1,
            last_attempt_at=at,
            status_code=None if failed else 200,
            error="timed out" if failed else "",
            delivered_at=None if failed else at,
        )

    deliveries = _evenly(end, days * year.deliveries_per_day, since)
    written["webhook deliveries"] = _bulk(
        WebhookDelivery, (delivery(i, at) for i, at in deliveries)
    )

    def comment(i: int, at: dt.datetime) -> Comment:
        spam = i % year.spam_every < year.spam_of_every
        address = f"198.51.{i // 250 % 250}.{i % 250 + 1}"
        return Comment(
            article=article,
            name=f"Reader {i}",
            email=f"reader{i}@example.org",
            body=f"Comment {i}: thank you for this article.",
            body_html=f"<p>Comment {i}: thank you for this article.</p>",
            status=Comment.Status.SPAM if spam else Comment.Status.APPROVED,
            submitted_at=at,
            ip_address=address,
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
            client_key=client_key(address),
        )

    comments = list(_evenly(end, days * year.comments_per_day, since))
    first = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    written["comments"] = _bulk(Comment, (comment(i, at) for i, at in comments))
    if year.reply_threads:
        _answer(comments, first)
    return written


def _answer(comments: list[tuple], first: int) -> None:
    """Make the 2nd of each 10 comments a reply to the 1st, and the 4th to the 3rd."""
    made = list(Comment.objects.filter(pk__gt=first).order_by("pk").only("pk", "depth"))
    by_index = {i: row for (i, _), row in zip(comments, made, strict=True)}
    replies = []
    for i, reply in by_index.items():
        if i % 10 in (1, 3) and i - 1 in by_index:
            reply.parent_id, reply.depth = by_index[i - 1].pk, 2
            replies.append(reply)
    Comment.objects.bulk_update(replies, ["parent", "depth"], batch_size=BATCH)


def table_sizes() -> dict[str, int]:
    """The rows housekeeping looks after, by kind, as they stand."""
    comments = Comment.objects
    return {
        "periodic runs": PeriodicRun.objects.count(),
        "task results": DBTaskResult.objects.count(),
        "webhook deliveries": WebhookDelivery.objects.count(),
        "comments": comments.count(),
        "spam comments": comments.filter(status=Comment.Status.SPAM).count(),
        "comments with an IP address": comments.exclude(ip_address=None).count(),
    }
