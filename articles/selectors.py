"""Read querysets: every public endpoint starts from one of these."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from articles.models import Article, Image, Reference, Section, SignOff


def article_list_public() -> QuerySet[Article]:
    """Public articles, newest first, each with its stored document (its list item).

    Only what paging and ``articles.documents.list_items`` read is loaded.
    """
    return (
        Article.objects.public()
        .select_related("document")
        .only(
            "pk",
            "version",
            "published_at",
            "document__version",
            "document__fingerprint",
            "document__list_item",
        )
        .order_by("-published_at", "-id")
    )


def article_list_queryset() -> QuerySet[Article]:
    """Published articles (scheduled ones too) with what a list item shows: to build it."""
    return Article.objects.filter(status=Article.Status.PUBLISHED).prefetch_related(
        "tags",
        # The thumbnail: the first image and its copies.
        Prefetch(
            "images",
            queryset=Image.objects.prefetch_related("renditions").order_by("position", "id"),
        ),
    )


def article_detail_queryset() -> QuerySet[Article]:
    """Published articles (scheduled ones too) with every part: to build their documents."""
    return article_whole_queryset().filter(status=Article.Status.PUBLISHED)


def article_whole_queryset() -> QuerySet[Article]:
    """Articles, drafts too, with every part: one query per kind of part, whatever their number."""
    return Article.objects.prefetch_related(
        "tags",
        Prefetch("sections", queryset=Section.objects.order_by("position", "id")),
        Prefetch(
            "images",
            # Only the anchor of the section an image follows, not its text.
            queryset=Image.objects.select_related("after_section")
            .defer("after_section__body", "after_section__body_html")
            .prefetch_related("renditions")
            .order_by("position", "id"),
        ),
        Prefetch(
            "references",
            # The number is the place in the article's order, counted by the database.
            queryset=Reference.objects.annotate(
                number=Window(
                    RowNumber(), partition_by=F("article_id"), order_by=["position", "id"]
                )
            ).order_by("position", "id"),
        ),
    )


def staff_with_permission(app_label: str, codename: str) -> QuerySet:
    """Active staff who hold the permission (superusers too), with an email address."""
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    holders = Q(is_superuser=True)
    if permission is not None:
        holders |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    users = get_user_model().objects.filter(holders, is_active=True, is_staff=True)
    return users.exclude(email="").distinct().order_by("pk")


# Words past this many are ignored: each costs the index a look-up.
SEARCH_MAX_WORDS = 10


def articles_by_review(*, review: str, until, today) -> QuerySet[Article]:
    """Articles by their place on the review schedule, each with who signed off last.

    ``review``: "due" (never reviewed, or next review by ``until``), "overdue"
    (never reviewed, or by ``today``), "current" (not due by ``until``) or "all".
    """
    last_sign_off = SignOff.objects.filter(article=OuterRef("pk")).order_by("-signed_at", "-pk")
    queryset = Article.objects.annotate(
        last_signed_off_by=Subquery(last_sign_off.values("reviewer_name")[:1])
    )
    never = Q(next_review_on__isnull=True)
    if review == "due":
        return queryset.filter(never | Q(next_review_on__lte=until))
    if review == "overdue":
        return queryset.filter(never | Q(next_review_on__lte=today))
    if review == "current":
        return queryset.filter(next_review_on__gt=until)
    return queryset
