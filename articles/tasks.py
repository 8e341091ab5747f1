"""Background work of the articles app, on Django's task framework (django-tasks).

Webhook deliveries, and the periodic task that announces scheduled articles
when their time comes. Workers: ``manage.py db_worker`` (database queue) or
RQ's; ``manage.py tasks_worker`` starts either, and the once-a-minute beat.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# A failed delivery is tried again after 1, 2, 4, 8 and 16 minutes.
ATTEMPTS = 6
FIRST_RETRY = dt.timedelta(minutes=1)


def retry_delay(attempt: int) -> dt.timedelta:
    """How long after failed attempt number ``attempt`` the next one starts."""
    return FIRST_RETRY * 2 ** (attempt - 1)


def enqueue_with_commit(task, *args) -> None:
    """Enqueue ``task`` so that it exists if and only if the open transaction commits.

    The database backend stores tasks in this database: enqueued now, the
    task row commits or rolls back with the write (nothing is lost between
    the commit and the enqueue, even if the process dies there). Any other
    backend is told after the commit.
    """
    backend = task.get_backend()
    if type(backend).__name__ == "DatabaseBackend" and connection.in_atomic_block:
        task.enqueue(*args)
    else:
        # Robust: the write is committed whatever the queue does.
        transaction.on_commit(lambda: task.enqueue(*args), robust=True)


def enqueue_at(task, when: dt.datetime, *args) -> bool:
    """Enqueue ``task`` to run at ``when``, if the backend can wait; whether it could."""
    if not task.get_backend().supports_defer:
        return False  # a backend that runs tasks at once, in the request
    task.using(run_after=when).enqueue(*args)
    return True


@task()
def deliver_webhook(delivery_id: int, attempt: int = 1) -> int | None:
    """POST one delivery; retried with backoff. Returns the endpoint's status code."""
    from articles.webhooks import WebhookFailed, webhook_deliver

    try:
        return webhook_deliver(delivery_id=delivery_id)
    except WebhookFailed:
        retry_at = timezone.now() + retry_delay(attempt)
        if attempt < ATTEMPTS and enqueue_at(deliver_webhook, retry_at, delivery_id, attempt + 1):
            logger.warning("Webhook delivery %s failed (attempt %s).", delivery_id, attempt)
        raise  # recorded as failed, with the error, for staff to see


# The periodic task's beat.
EVERY = dt.timedelta(minutes=1)


@task()
def every_minute() -> None:
    """Announce scheduled articles whose time has come, then run again a minute later.

    Several workers may each have started a chain of these: the first run
    to claim a minute does the work and schedules the next; the others end.
    """
    from articles.models import PeriodicRun
    from articles.signals import minute_passed

    minute = timezone.now().replace(second=0, microsecond=0)
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(minute=minute)
    except IntegrityError:
        return  # another chain has this minute
    # Scheduled first, so that a crash in the work below does not end the chain.
    enqueue_at(every_minute, minute + EVERY)
    for receiver, error in minute_passed.send_robust(sender=PeriodicRun):
        if isinstance(error, Exception):
            logger.error("%s failed in the periodic task: %r", receiver, error)


@task()
def image_renditions(image_id: int) -> int:
    """Make the smaller copies of one image (articles.renditions). Returns how many."""
    from articles.renditions import image_renditions_make

    return image_renditions_make(image_id=image_id)


@task()
def review_reminders() -> int:
    """Email the reviewers the articles due for medical review (weekly). Returns how many mails."""
    from articles.review import review_reminders_send

    return review_reminders_send()


@task()
def housekeeping(day: str) -> dict[str, int]:
    """The day's housekeeping (articles.housekeeping), ``day`` an ISO date. Returns the counts."""
    from articles.housekeeping import housekeeping_daily

    return housekeeping_daily(day=dt.date.fromisoformat(day))
