"""Background work of the comments app, on Django's task framework (django-tasks).

Tasks run in a worker (``manage.py tasks_worker``: the database queue, or RQ),
never in the request that enqueued them. Retries follow the articles app's
backoff (``articles.tasks``).
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from articles.tasks import ATTEMPTS, enqueue_at, retry_delay
from comments.notifications import comment_notify_urgent, comments_notify_moderators

__all__ = ["ATTEMPTS", "notify_moderators", "notify_urgent_comment", "retry_delay"]

# Ahead of every other task: a reader in crisis must not wait behind renditions.
URGENT_PRIORITY = 100

logger = logging.getLogger(__name__)


@task()
def notify_moderators(attempt: int = 1) -> int:
    """Email the moderators about every pending comment they have not heard of yet.

    One run serves every comment waiting, so a run lost with a crashed
    worker is made up by the next (or by the periodic task, within a
    minute). Returns how many comments were told of. A failed run is tried
    again after 1, 2, 4, 8 and 16 minutes, and shows in the admin's task results.
    """
    try:
        return comments_notify_moderators()
    except Exception:
        retry_at = timezone.now() + retry_delay(attempt)
        if attempt < ATTEMPTS and enqueue_at(notify_moderators, retry_at, attempt + 1):
            logger.warning("Notifying moderators failed (run %s); again at %s.", attempt, retry_at)
        raise  # the run is recorded as failed, with the error, for staff to see


def first_in_line(queued_task):
    """``queued_task`` ahead of the others, where the backend orders by priority (RQ does not)."""
    if queued_task.get_backend().supports_priority:
        return queued_task.using(priority=URGENT_PRIORITY)
    return queued_task


@task()
def notify_urgent_comment(comment_id: int, attempt: int = 1) -> int:
    """Email the moderators at once about one comment held for crisis language.

    Its own task, not the queue's run, and first in the queue. If the queue's
    run told of it meanwhile (with the same urgent mail), this sends nothing.
    Retried like ``notify_moderators``.
    """
    try:
        return comment_notify_urgent(comment_id=comment_id)
    except Exception:
        retry_at = timezone.now() + retry_delay(attempt)
        if attempt < ATTEMPTS and enqueue_at(
            first_in_line(notify_urgent_comment), retry_at, comment_id, attempt + 1
        ):
            logger.warning("Urgent notice of comment %s failed (run %s).", comment_id, attempt)
        raise
