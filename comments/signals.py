"""Comment lists follow their articles: a change drops their cached pages."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.documents import forget_now_and_on_commit, listing_forget
from articles.signals import article_changed, housekeeping_sweeps, minute_passed, worker_starting
from comments.conf import comment_settings
from comments.matching import terms_changed
from comments.models import DisallowedTerm
from comments.moderation import TERMS
from comments.notifications import comments_notify_moderators
from comments.selectors import comment_list_scope
from comments.services import personal_data_sweep, spam_sweep
from comments.tasks import notify_moderators


@receiver(article_changed, dispatch_uid="comments.signals.forget_comment_lists")
def forget_comment_lists(sender, *, slugs: frozenset[str], **kwargs) -> None:
    """Drop the cached comment pages of the changed articles."""
    scopes = [comment_list_scope(slug) for slug in slugs]
    forget_now_and_on_commit(lambda: listing_forget(scopes))


@receiver(minute_passed, dispatch_uid="comments.notify_leftovers")
def notify_leftovers(sender, **kwargs) -> None:
    """Once a minute, tell the moderators of comments whose notification run was lost."""
    comments_notify_moderators()


@receiver(worker_starting, dispatch_uid="comments.notify_on_worker_start")
def notify_on_worker_start(sender, **kwargs) -> None:
    """A notification run lost with a dead worker is made up as soon as a worker starts."""
    notify_moderators.enqueue()


@receiver(post_save, sender=DisallowedTerm, dispatch_uid="comments.terms_saved")
@receiver(post_delete, sender=DisallowedTerm, dispatch_uid="comments.terms_deleted")
def disallowed_terms_changed(sender, **kwargs) -> None:
    """A term added, edited or deleted: every process builds its matcher again."""
    terms_changed(TERMS)


@receiver(housekeeping_sweeps, dispatch_uid="comments.housekeeping")
def comments_sweeps(sender, **kwargs) -> list:
    """Old spam goes (SPAM_DAYS); then old comments' addresses (PERSONAL_DATA_DAYS)."""
    return [
        spam_sweep(comment_settings.SPAM_DAYS),
        personal_data_sweep(
            comment_settings.PERSONAL_DATA_DAYS, spam_days=comment_settings.SPAM_DAYS
        ),
    ]
