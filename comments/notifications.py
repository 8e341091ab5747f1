"""Telling the moderators of pending comments: by email, from a task, never in a request.

``comments.tasks`` runs these in a worker; the once-a-minute beat and a
starting worker make up for a run that was lost. Crisis language is told of
at once, with its own mail (``comment_notify_urgent``).
"""

from __future__ import annotations

import contextlib
import logging

from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.selectors import staff_with_permission
from comments.conf import comment_settings
from comments.locks import take_turns
from comments.models import Comment

logger = logging.getLogger(__name__)


def moderator_emails() -> list[str]:
    """Addresses told of new pending comments (see MODERATOR_EMAILS)."""
    configured = comment_settings.MODERATOR_EMAILS
    if configured is not None:
        return list(configured)
    users = staff_with_permission("comments", "moderate_comment")
    return sorted(set(users.order_by().values_list("email", flat=True)))


def comment_notify_moderators(*, comment: Comment, recipients: list[str]) -> None:
    """Email ``recipients`` about a pending comment; a mail server's error is raised."""
    urgent = comment.priority == Comment.Priority.URGENT
    queue_url = reverse("admin:comments_pendingcomment_changelist")
    if urgent:
        queue_url += "?tab=urgent"
    template = "urgent_comment_email" if urgent else "new_comment_email"
    body = render_to_string(
        f"comments/{template}.txt", {"comment": comment, "queue_url": queue_url}
    )
    subject = (
        f"Urgent: a comment may need a crisis response: {comment.article.title}"
        if urgent
        else f"Comment awaiting moderation: {comment.article.title}"
    )
    send_mail(subject[:150], body, None, recipients)


# Comments told of per run; a longer queue is the next run's.
NOTIFY_BATCH = 200


class NotificationsFailed(Exception):
    """Some moderators' mails could not be sent; the run is recorded as failed and retried."""


def comments_notify_moderators() -> int:
    """Tell the moderators of every pending comment not told of yet. Returns how many.

    Each comment is marked once its mail is sent, so a run that dies leaves
    the rest for the next run, and is told of twice only if the process dies
    between the two. A mail the server refuses does not hold up the others;
    the run then raises, to be retried. Two runs never send the same mail:
    on PostgreSQL each comment is claimed with a row lock, which the other
    run skips; on SQLite runs take turns.
    """
    with take_turns("notifications"):
        waiting = list(
            Comment.objects.pending()
            .filter(moderators_notified_at=None)
            .order_by("-priority", "pk")
            .values_list("pk", flat=True)[:NOTIFY_BATCH]
        )
        recipients = moderator_emails()
        told, failed = 0, {}
        for pk in waiting:
            try:
                told += _notify_one(pk, recipients)
            except Exception as error:
                logger.warning("Could not tell the moderators of comment %s: %r", pk, error)
                failed[pk] = error
    if failed:
        # What staff read in the failed run: which comments, and why.
        reasons = "; ".join(sorted({repr(error) for error in failed.values()}))
        raise NotificationsFailed(
            f"{len(failed)} of {len(waiting)} mails failed (comments {sorted(failed)}): {reasons}"
        )
    return told


def comment_notify_urgent(*, comment_id: int) -> int:
    """Tell the moderators of one urgent comment now, if no run told of it yet; 1 if sent."""
    with take_turns("notifications"):  # on SQLite, not beside a queue's run
        return _notify_one(comment_id, moderator_emails())


def _notify_one(pk: int, recipients: list[str]) -> int:
    """Send one comment's mail, if it still waits and no other run holds it; 1 if sent."""
    # PostgreSQL: the row stays locked, in a transaction, until it is marked.
    # SQLite takes no row locks, and a transaction would hold its one write
    # lock through the mail: runs take turns instead (_take_turns).
    claim = (
        transaction.atomic()
        if connection.features.has_select_for_update_skip_locked
        else contextlib.nullcontext()
    )
    with claim:
        comment = (
            Comment.objects.pending()
            .filter(pk=pk, moderators_notified_at=None)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("article")
            .first()
        )
        if comment is None:
            return 0  # told of meanwhile, moderated, or another run's
        if recipients:
            comment_notify_moderators(comment=comment, recipients=recipients)
        Comment.objects.filter(pk=pk).update(moderators_notified_at=timezone.now())
    return 1
