"""Read querysets for the public list, the staff queue and article counts."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import Article
from comments.conf import comment_settings
from comments.models import Comment, CommentReport, client_key, shown_q


def comment_list_scope(slug: str) -> str:
    return f"comments:{slug}"


def comment_list_public(*, article: Article) -> QuerySet[Comment]:
    """Approved comments of a (public) article, oldest first."""
    return Comment.objects.filter(shown_q(), article=article).order_by("submitted_at", "id")


def comment_queue(
    *, status: str | None = None, priority: str | None = None, reported: bool | None = None
) -> QuerySet[Comment]:
    """Comments for moderators, oldest first, with their article.

    ``reported``: only (or none of) the comments whose open reports reach
    REPORTS_TO_REVIEW, as the workspace's Reported tab.
    """
    queryset = Comment.objects.select_related("article", "moderated_by")
    if status:
        queryset = queryset.filter(status=status)
    if priority:
        queryset = queryset.filter(priority=priority)
    if reported is not None:
        at_review = Q(report_count__gte=comment_settings.REPORTS_TO_REVIEW)
        queryset = queryset.filter(at_review if reported else ~at_review)
    return queryset.order_by("submitted_at", "id")


def comment_author_history(*, emails: Iterable[str]) -> dict[str, dict[str, int]]:
    """For each email, how many of its comments are in each status: one query for a page."""
    history: dict[str, dict[str, int]] = {}
    wanted = {email for email in emails if email}
    if not wanted:
        return history
    rows = (
        Comment.objects.filter(email__in=wanted)
        .order_by()
        .values_list("email", "status")
        # COUNT(*), not of a column: the (email, status) index alone answers it.
        .annotate(count=Count("*"))
    )
    for email, status, count in rows:
        history.setdefault(email, dict.fromkeys(Comment.Status.values, 0))[status] = count
    return history


def comment_open_reports(*, comment_ids: Iterable[int]) -> dict[int, dict]:
    """For each comment, its open reports: ``{count, reasons: {reason: n}, notes: [...]}``."""
    reports: dict[int, dict] = {}
    rows = (
        CommentReport.objects.filter(comment__in=list(comment_ids), dismissed_at=None)
        .order_by("created_at", "id")
        .values_list("comment_id", "reason", "note", "created_at")
    )
    for comment_id, reason, note, created_at in rows:
        entry = reports.setdefault(comment_id, {"count": 0, "reasons": {}, "notes": []})
        entry["count"] += 1
        entry["reasons"][reason] = entry["reasons"].get(reason, 0) + 1
        if note:
            entry["notes"].append({"reason": reason, "note": note, "created_at": created_at})
    return reports


def approved_comment_count() -> Coalesce:
    """An expression for ``Article.annotate()``: its approved comments, counted in SQL."""
    counts = (
        Comment.objects.filter(shown_q(), article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def by_whole_address(word: str) -> Q:
    """Comments from the IP address ``word``, their address erased or not (by its keyed hash).

    Anything but a whole address matches nothing: a prefix has no hash.
    """
    try:
        address = str(ipaddress.ip_address(word))
    except ValueError:
        return Q(pk__in=[])
    return Q(client_key=client_key(address))
