"""Read querysets: every public endpoint starts from one of these."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from articles.models import Article, Image, Reference, Section


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


# Words past this many are ignored: each costs the index a look-up.
SEARCH_MAX_WORDS = 10
