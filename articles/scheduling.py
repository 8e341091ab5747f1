"""A live article's changes published at a time: ``ScheduledChanges``, one per article.

Scheduling counts as publishing: it is refused as publishing is
(``services.publish_refusal``: an address still live elsewhere, a missing
sign-off). What is scheduled is the draft's text as it stood: a change to
it drops the schedule (``review.text_moved``), so nothing unseen goes out at
the time. The periodic beat publishes what has come due, as the editor who
scheduled it; a publication refused by then (a sign-off voided since) is
dropped and logged.
"""

from __future__ import annotations

import datetime as dt
import logging

import reversion
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from articles import review, services
from articles.live import live_differs
from articles.models import Article, ScheduledChanges
from articles.revisions import revision_record
from articles.selectors import article_whole_queryset
from articles.signals import minute_passed

logger = logging.getLogger(__name__)

# Scheduled publications published per beat; the rest wait a minute.
DUE_BATCH = 100


def article_schedule_changes(*, article_id: int, user, publish_at: dt.datetime) -> ScheduledChanges:
    """Schedule a live article's changes to go live at ``publish_at``; a revision."""
    if publish_at <= timezone.now():
        raise services.PublishRefused(_("choose a time in the future."))
    when = date_format(timezone.localtime(publish_at), "DATETIME_FORMAT")
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(_("Scheduled the changes for %(when)s") % {"when": when})
        Article.objects.select_for_update().filter(pk=article_id).first()
        if not services.live_state(article_id):
            raise services.PublishRefused(_("the article is not published: schedule it instead."))
        if not live_differs(article_id):
            raise services.PublishRefused(_("its draft has no unpublished changes."))
        if refused := services.publish_refusal(article_ids=[article_id]):
            raise services.PublishRefused(refused)
        article = article_whole_queryset().get(pk=article_id)
        scheduled, _created = ScheduledChanges.objects.update_or_create(
            article=article,
            defaults={
                "publish_at": publish_at,
                "content_digest": review.content_digest(article),
                "scheduled_by": user,
                "scheduled_at": timezone.now(),
            },
        )
        revision_record(article_ids=[article_id], comment="")
    return scheduled


def article_unschedule_changes(*, article_id: int, user) -> bool:
    """Cancel the scheduled publication of the article's changes; whether there was one."""
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(_("Cancelled the scheduled publication of the changes"))
        deleted, _rows = ScheduledChanges.objects.filter(article_id=article_id).delete()
        if deleted:
            revision_record(article_ids=[article_id], comment="")
    return bool(deleted)


def scheduled_changes_publish(*, article_id: int, now: dt.datetime | None = None) -> bool:
    """Publish the article's scheduled changes if their time has come; whether it did."""
    now = now or timezone.now()
    with transaction.atomic():
        scheduled = (
            # The row alone: PostgreSQL locks no nullable side of a join.
            ScheduledChanges.objects.select_for_update(of=("self",))
            .select_related("scheduled_by")
            .filter(article_id=article_id, publish_at__lte=now)
            .first()
        )
        if scheduled is None:
            return False  # published or cancelled meanwhile
        scheduled.delete()
        article = article_whole_queryset().get(pk=article_id)
        if review.content_digest(article) != scheduled.content_digest:
            logger.warning("Scheduled changes of article %s dropped: the text changed.", article_id)
            return False
        try:
            services.article_publish_changes(article_id=article_id, user=scheduled.scheduled_by)
        except services.PublishRefused as error:
            logger.warning("Scheduled changes of article %s not published: %s", article_id, error)
            return False
    return True


@receiver(minute_passed, dispatch_uid="articles.scheduling.publish_due")
def publish_due_changes(sender, **kwargs) -> None:
    """Publish the scheduled changes whose time has come (the periodic beat, once a minute)."""
    now = timezone.now()
    due = ScheduledChanges.objects.filter(publish_at__lte=now).order_by("publish_at")
    for article_id in list(due.values_list("article_id", flat=True)[:DUE_BATCH]):
        scheduled_changes_publish(article_id=article_id, now=now)
