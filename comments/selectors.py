"""Read querysets for the public list, the staff queue and article counts."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import Article
from comments.models import Comment


def comment_list_scope(slug: str) -> str:
    return f"comments:{slug}"


def comment_list_public(*, article: Article) -> QuerySet[Comment]:
    """Approved comments of a (public) article, oldest first."""
    return Comment.objects.filter(article=article, status=Comment.Status.APPROVED).order_by(
        "submitted_at", "id"
    )


def comment_queue(*, status: str | None = None) -> QuerySet[Comment]:
    """Comments for moderators, oldest first, with their article."""
    queryset = Comment.objects.select_related("article", "moderated_by")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("submitted_at", "id")


def approved_comment_count() -> Coalesce:
    """An expression for ``Article.annotate()``: its approved comments, counted in SQL."""
    counts = (
        Comment.objects.filter(article=OuterRef("pk"), status=Comment.Status.APPROVED)
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))
