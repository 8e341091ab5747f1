"""Writes: submitting and moderating comments, and the personal-data tools.

The public API, the staff API, the admin and the management commands all
call these; each moderation records who acted and when.
"""

from __future__ import annotations

import datetime as dt
import re

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from articles.housekeeping import Sweep, delete
from articles.services import article_mark_changed, articles_mark_changed
from articles.signals import Reason
from articles.tasks import enqueue_with_commit
from comments.conf import comment_settings
from comments.locks import lock_submissions, take_turns
from comments.models import (
    Comment,
    CommentReport,
    PendingComment,
    normalize_email,
)
from comments.moderation import Submission, Verdict, Vote, moderate
from comments.tasks import first_in_line, notify_moderators, notify_urgent_comment

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
# A staff reply's name when its author has no full name.
STAFF_NAME = "Staff"


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
    with take_turns("submissions"), transaction.atomic():
        lock_submissions()
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
                enqueue_with_commit(first_in_line(notify_urgent_comment), comment.pk)
            else:
                enqueue_with_commit(notify_moderators)
        elif comment.status == Comment.Status.APPROVED:
            article_mark_changed(article=comment.article, reason=Reason.COMMENTS)
    return comment


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
            # Never the login name, which would tell the public half of a
            # staff sign-in; no email, so no reader can pass as this author.
            name=(author.get_full_name() or STAFF_NAME)[:100],
            email="",
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


def commenter_data_export(*, email: str) -> list[dict]:
    """Every comment stored under ``email``, as plain data: all that is kept of its writer.

    The IP address and user agent are null and "" once the housekeeping has
    erased them (PERSONAL_DATA_DAYS); the keyed hash of the address stays,
    and so do the moderation rules' reasons, which can name what was found.
    """
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
            "client_key": c.client_key,
            "moderation_reasons": [vote.get("detail", "") for vote in c.reasons],
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
            client_key="",
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
    comments = Comment.objects.filter(pk__in=comment_ids).select_related("article")
    for comment in comments.iterator(chunk_size=500):
        _log_entries_of([comment.pk]).update(object_repr=str(comment)[:200])


def _log_entries_of(comment_ids: list[int]):
    """The admin's log entries about these comments; None where the admin is not installed."""
    if not apps.is_installed("django.contrib.admin"):
        return None
    from django.contrib.admin.models import LogEntry  # a model only where the admin is installed

    content_types = ContentType.objects.get_for_models(Comment, PendingComment).values()
    return LogEntry.objects.filter(
        content_type__in=content_types, object_id__in=[str(pk) for pk in comment_ids]
    )


DELETED_SPAM = "Spam comment (deleted)"


def spam_delete(rows: QuerySet[Comment]) -> int:
    """Delete ``rows`` of spam and their replies; the admin's log keeps no names of them."""
    # Still spam: a moderator may have approved one since the batch was picked
    # (locked now, on PostgreSQL, until the batch commits). Checked here, not
    # in SQL: a status filter beside the keys leads SQLite to scan all spam.
    picked = rows.select_for_update().values_list("pk", "status")
    ids = [pk for pk, status in picked if status == Comment.Status.SPAM]
    rows = Comment.objects.filter(pk__in=ids)
    below = ids
    while below:  # the replies that go with them, at most MAX_DEPTH rounds
        below = list(Comment.objects.filter(parent__in=below).values_list("pk", flat=True))
        ids += below
    entries = _log_entries_of(ids)
    if entries is not None:
        entries.update(object_repr=DELETED_SPAM)
    return delete(rows)


def spam_due(*, cutoff: dt.datetime) -> QuerySet[Comment]:
    """Spam older than ``cutoff`` that may go: none with a reply that stays below it.

    Older as spam: marked so by a moderator before ``cutoff``, or by the rules
    at a submission before it.

    Deleting a comment deletes its replies, and a real reply under old spam
    must stay: that reply keeps every spam comment above it.
    """
    # Old as spam: from the moderator's decision, or the submission the rules marked.
    old_spam = Comment.objects.filter(
        Q(moderated_at__lt=cutoff) | Q(moderated_at=None, submitted_at__lt=cutoff),
        status=Comment.Status.SPAM,
    )
    kept = set(
        Comment.objects.filter(parent__in=old_spam)
        .exclude(pk__in=old_spam)
        .values_list("parent_id", flat=True)
    )
    above = kept
    while above:  # up the thread, at most MAX_DEPTH rounds
        parents = Comment.objects.filter(pk__in=above).values("parent_id")
        above = set(old_spam.filter(pk__in=parents).values_list("pk", flat=True)) - kept
        kept |= above
    return old_spam.exclude(pk__in=kept)


def spam_purge(*, older_than_days: int) -> int:
    """Delete spam submitted over ``older_than_days`` days ago (``spam_due``). Returns how many.

    Spam is never public, so no article changes.
    """
    return spam_sweep(older_than_days).run(timezone.now())


def spam_sweep(days: int | None) -> Sweep:
    return Sweep("spam comments", days, lambda cutoff: spam_due(cutoff=cutoff), spam_delete)


def personal_data_due(*, cutoff: dt.datetime) -> QuerySet[Comment]:
    """Comments submitted before ``cutoff`` that still hold an IP address or a user agent."""
    return Comment.objects.filter(submitted_at__lt=cutoff).filter(
        Q(ip_address__isnull=False) | ~Q(user_agent="")
    )


ERASED_ADDRESS = "(address erased)"


def personal_data_expire(rows: QuerySet[Comment]) -> int:
    """Erase the IP address and user agent of ``rows``; the keyed hash stays. Returns how many.

    A reason may quote the address (a disallowed term listed for it): the
    address goes from the reasons too.
    """
    for pk, address, reasons, reason in rows.values_list(
        "pk", "ip_address", "reasons", "moderation_reason"
    ):
        if address is None:
            continue
        # The whole address, in any case ("2001:DB8::7" as listed): not a longer one it begins.
        quoted = re.compile(rf"(?<![\w.:]){re.escape(address)}(?![\w.:])", re.IGNORECASE)
        details = [vote.get("detail", "") for vote in reasons]
        if quoted.search(reason) or any(map(quoted.search, details)):
            for vote, detail in zip(reasons, details, strict=True):
                vote["detail"] = quoted.sub(ERASED_ADDRESS, detail)
            Comment.objects.filter(pk=pk).update(
                reasons=reasons, moderation_reason=quoted.sub(ERASED_ADDRESS, reason)[:200]
            )
    return rows.update(ip_address=None, user_agent="")


def personal_data_sweep(days: int | None, *, spam_days: int | None) -> Sweep:
    """Addresses due for erasure, except on spam that the spam sweep deletes in the same run."""

    def rows(cutoff: dt.datetime) -> QuerySet[Comment]:
        due = personal_data_due(cutoff=cutoff)
        if spam_days is None or days is None:
            return due
        # The run's "now" is the cutoff plus this sweep's days.
        spam_cutoff = cutoff + dt.timedelta(days=days - spam_days)
        return due.exclude(pk__in=spam_due(cutoff=spam_cutoff))

    return Sweep("commenters' IP addresses and user agents", days, rows, personal_data_expire)
