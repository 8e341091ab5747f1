"""Writes: submitting and moderating comments, and the personal-data tools.

The public API, the staff API, the admin and the management commands all
call these; each moderation records who acted and when.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.services import article_mark_changed, articles_mark_changed
from articles.signals import Reason
from articles.tasks import enqueue_with_commit
from comments.conf import comment_settings
from comments.models import Comment, CommentReport, PendingComment, normalize_email
from comments.moderation import Submission, Verdict, Vote, moderate
from comments.tasks import notify_moderators, notify_urgent_comment

logger = logging.getLogger(__name__)

STATUS_OF_VERDICT = {
    Verdict.APPROVE: Comment.Status.APPROVED,
    Verdict.HOLD: Comment.Status.PENDING,
    Verdict.SPAM: Comment.Status.SPAM,
}
# The moderation actions of the admin and the staff API, and where they lead.
STATUS_OF_ACTION = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "remove": Comment.Status.REMOVED,
}
ERASED_NAME = "Anonymous"


class CommentRejected(Exception):
    """The rules refused the comment; ``vote`` says why and with which status code."""

    def __init__(self, vote: Vote) -> None:
        super().__init__(vote.reason)
        self.vote = vote


class CommentNotAllowed(Exception):
    """A moderator's write the rules do not allow (a reply too deep, say); says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def comment_submit(*, submission: Submission) -> Comment:
    """Run the moderation rules and store the comment, or raise ``CommentRejected``."""
    # The duplicate and flood rules read, then we insert: submissions must
    # take turns, or racing twins both pass the checks. SQLite's IMMEDIATE
    # transactions already serialise writers; PostgreSQL takes a lock.
    with _take_turns("submissions"), transaction.atomic():
        _lock_submissions()
        decision = moderate(submission)
        if decision.verdict is Verdict.REJECT:
            raise CommentRejected(decision.vote)
        urgent = decision.urgent
        comment = Comment.objects.create(
            article=submission.article,
            parent=submission.parent,
            name=submission.name,
            email=submission.email,
            website=submission.website,
            body=submission.body,
            ip_address=submission.ip_address,
            user_agent=submission.user_agent,
            status=STATUS_OF_VERDICT[decision.verdict],
            moderation_reason=decision.vote.reason[:200],
            reasons=decision.reasons(),
            priority=Comment.Priority.URGENT if urgent else Comment.Priority.NORMAL,
        )
        if comment.status == Comment.Status.PENDING:
            # A worker sends the mail, so a slow mail server never slows the
            # reader's POST; the task goes with the comment or not at all.
            # Crisis language has its own task, ahead of the queue's.
            if urgent:
                enqueue_with_commit(notify_urgent_comment, comment.pk)
            else:
                enqueue_with_commit(notify_moderators)
        elif comment.status == Comment.Status.APPROVED:
            article_mark_changed(article=comment.article, reason=Reason.COMMENTS)
    return comment


# Any fixed 64-bit number, the same in every process: the submission lock's name.
SUBMISSION_LOCK_ID = 0x726C735F636D7331  # "rls_cms1"


@contextlib.contextmanager
def _take_turns(name: str):
    """On SQLite, one at a time across processes: a file lock beside the database.

    Waiting in the kernel, the next starts the moment the one before ends;
    waiting in SQLite's busy handler, it would sleep 1, 2, 5, 10 ms...
    between tries. Inside an open transaction it is too late to queue first:
    the caller's transaction decides.
    """
    database = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or ":memory:" in database or connection.in_atomic_block:
        yield
        return
    with open(f"{database}.{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_submissions() -> None:
    """Hold the comment submission lock until the transaction ends (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUBMISSION_LOCK_ID])


def comments_moderate(*, queryset: QuerySet[Comment], status: str, actor: AbstractBaseUser) -> int:
    """Move the comments to ``status``, recording who and when; returns how many.

    Approving a reported comment keeps it: its open reports are dismissed.
    """
    if status not in Comment.Status.values:
        raise ValueError(f"Unknown comment status {status!r}.")
    with transaction.atomic():
        ids = list(queryset.values_list("pk", flat=True))
        now = timezone.now()
        count = Comment.objects.filter(pk__in=ids).update(
            status=status, moderated_by=actor, moderated_at=now
        )
        if status == Comment.Status.APPROVED:
            _dismiss_reports(ids, actor=actor, now=now)
        comments_changed(comment_ids=ids)
    return count


def comment_reports_dismiss(*, comment: Comment, actor: AbstractBaseUser) -> list[int]:
    """Dismiss the comment's open reports (a moderator kept it); returns the reports' ids."""
    with transaction.atomic():
        dismissed = _dismiss_reports([comment.pk], actor=actor, now=timezone.now())
        comments_changed(comment_ids=[comment.pk])
    return dismissed


def _dismiss_reports(comment_ids: list[int], *, actor, now) -> list[int]:
    open_reports = CommentReport.objects.filter(comment__in=comment_ids, dismissed_at=None)
    ids = list(open_reports.values_list("pk", flat=True))
    if ids:
        CommentReport.objects.filter(pk__in=ids).update(dismissed_at=now, dismissed_by=actor)
        Comment.objects.filter(pk__in=comment_ids).update(report_count=0)
    return ids


class AlreadyReported(Exception):
    """This client has reported this comment already."""


def client_key(address: str | None) -> str:
    """A client's address as reports keep it: a keyed hash, never the address itself."""
    return salted_hmac("rls_cms.comments.client", address or "", algorithm="sha256").hexdigest()


def comment_report(*, comment: Comment, reason: str, note: str, client: str) -> CommentReport:
    """Record a reader's report of a public comment; ``client`` is from ``client_key``.

    Raises ``AlreadyReported`` for a second report by the same client. When
    the reports reach REPORTS_TO_REVIEW and HIDE_REPORTED is on, the comment
    leaves the public pages (its article is marked changed).
    """
    threshold = comment_settings.REPORTS_TO_REVIEW
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(
                comment=comment, reason=reason, note=note, client_key=client
            )
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            count = Comment.objects.values_list("report_count", flat=True).get(pk=comment.pk)
            if count == threshold and comment_settings.HIDE_REPORTED:
                comments_changed(comment_ids=[comment.pk])
    except IntegrityError as error:
        raise AlreadyReported from error
    return report


def comment_reply(*, parent: Comment, body: str, author: AbstractBaseUser) -> Comment:
    """Publish a moderator's reply to ``parent``, marked as staff; ``parent`` is approved first.

    A reply is public, so the comment it answers must be too (as WordPress's
    "Approve and Reply"). Raises ``CommentNotAllowed`` past MAX_DEPTH.
    """
    if parent.depth >= comment_settings.MAX_DEPTH:
        raise CommentNotAllowed(
            f"Replies cannot nest deeper than {comment_settings.MAX_DEPTH} levels.", "too_deep"
        )
    if not body.strip():
        raise CommentNotAllowed("Write the reply first.", "blank")
    with transaction.atomic():
        if parent.status != Comment.Status.APPROVED:
            comments_moderate(
                queryset=Comment.objects.filter(pk=parent.pk),
                status=Comment.Status.APPROVED,
                actor=author,
            )
        now = timezone.now()
        reply = Comment.objects.create(
            article=parent.article,
            parent=parent,
            name=author.get_full_name() or author.get_username(),
            email=author.email or "",
            body=body.strip(),
            status=Comment.Status.APPROVED,
            staff_reply=True,
            reasons=[{"rule": "staff", "verdict": "approve", "detail": "a moderator's reply"}],
            moderation_reason="a moderator's reply",
            moderated_by=author,
            moderated_at=now,
            submitted_at=now,
        )
        comments_changed(comment_ids=[reply.pk])
    return reply


def comment_decision_undo(*, comment_id: int, before: dict, actor: AbstractBaseUser) -> Comment:
    """Put a comment back as it was before a moderator's decision (the workspace's Undo).

    ``before`` is what ``decision_state`` recorded: the status, who had
    moderated it and when, and the reports the decision dismissed.
    """
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment_id)
        comment.status = before["status"]
        comment.moderated_by_id = before["moderated_by"]
        comment.moderated_at = (
            dt.datetime.fromisoformat(before["moderated_at"]) if before["moderated_at"] else None
        )
        reopened = CommentReport.objects.filter(pk__in=before.get("reports", []))
        reopened.update(dismissed_at=None, dismissed_by=None)
        comment.report_count = CommentReport.objects.filter(
            comment=comment, dismissed_at=None
        ).count()
        comment.save(update_fields=["status", "moderated_by", "moderated_at", "report_count"])
        comments_changed(comment_ids=[comment.pk])
    return comment


def decision_state(comment: Comment) -> dict:
    """What ``comment_decision_undo`` needs to put ``comment`` back as it is now."""
    return {
        "status": comment.status,
        "moderated_by": comment.moderated_by_id,
        "moderated_at": comment.moderated_at.isoformat() if comment.moderated_at else None,
        "reports": list(comment.reports.filter(dismissed_at=None).values_list("pk", flat=True)),
    }


def comments_changed(*, comment_ids: list[int]) -> None:
    """Mark the articles of these comments changed (their counts and lists show comments)."""
    article_ids = Comment.objects.filter(pk__in=comment_ids).values_list("article_id", flat=True)
    articles_mark_changed(article_ids=set(article_ids), reason=Reason.COMMENTS)


def comment_save(*, comment: Comment) -> None:
    """Save a comment edited by staff."""
    with transaction.atomic():
        comment.save()
        comments_changed(comment_ids=[comment.pk])


def comments_delete(*, queryset: QuerySet[Comment]) -> int:
    """Delete the comments (their replies go with them). Returns how many rows went."""
    with transaction.atomic():
        ids = list(queryset.values_list("pk", flat=True))
        comments_changed(comment_ids=ids)
        deleted, _ = Comment.objects.filter(pk__in=ids).delete()
    return deleted


def moderator_emails() -> list[str]:
    """Addresses told of new pending comments (see MODERATOR_EMAILS)."""
    configured = comment_settings.MODERATOR_EMAILS
    if configured is not None:
        return list(configured)
    permission = Permission.objects.filter(
        content_type__app_label="comments", codename="moderate_comment"
    ).first()
    holders = Q(is_superuser=True)
    if permission is not None:
        holders |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    users = get_user_model().objects.filter(holders, is_active=True, is_staff=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


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
    with _take_turns("notifications"):
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


def commenter_data_export(*, email: str) -> list[dict]:
    """Every comment stored under ``email``, as plain data."""
    comments = Comment.objects.filter(email=normalize_email(email)).select_related("article")
    return [
        {
            "id": c.pk,
            "article": c.article.slug,
            "parent": c.parent_id,
            "name": c.name,
            "email": c.email,
            "website": c.website,
            "body": c.body,
            "status": c.status,
            "submitted_at": c.submitted_at.isoformat(),
            "ip_address": c.ip_address,
            "user_agent": c.user_agent,
        }
        for c in comments.order_by("submitted_at", "id")
    ]


def commenter_data_erase(*, emails: list[str]) -> int:
    """Anonymise every comment by these emails; the bodies stay. Returns how many."""
    normalized = {normalize_email(e) for e in emails if e.strip()}
    if not normalized:
        return 0
    with transaction.atomic():
        ids = list(Comment.objects.filter(email__in=normalized).values_list("pk", flat=True))
        # The reasons can quote a disallowed name, email or IP: they go too.
        count = Comment.objects.filter(pk__in=ids).update(
            name=ERASED_NAME,
            email="",
            website="",
            ip_address=None,
            user_agent="",
            moderation_reason="",
            reasons=[],
        )
        _rename_log_entries(ids)
        comments_changed(comment_ids=ids)
    return count


def _rename_log_entries(comment_ids: list[int]) -> None:
    """The admin's log names each comment by its author: those names go with the erasure."""
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry  # a model only where the admin is installed

    content_types = ContentType.objects.get_for_models(Comment, PendingComment).values()
    comments = Comment.objects.filter(pk__in=comment_ids).select_related("article")
    for comment in comments.iterator(chunk_size=500):
        LogEntry.objects.filter(content_type__in=content_types, object_id=str(comment.pk)).update(
            object_repr=str(comment)[:200]
        )


def spam_purge(*, older_than_days: int) -> int:
    """Delete spam submitted more than ``older_than_days`` days ago. Returns how many.

    Only comments without replies go, round after round: deleting a comment
    deletes its replies, and a real reply under old spam must stay. Spam is
    never public, so no article changes.
    """
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    old_spam = Comment.objects.filter(status=Comment.Status.SPAM, submitted_at__lt=cutoff)
    total = 0
    while True:
        deleted, _ = old_spam.filter(replies__isnull=True).delete()
        if not deleted:
            return total
        total += deleted
