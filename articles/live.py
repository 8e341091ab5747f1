"""The live version of each published article, kept as data.

Every public thing (built documents, the search index, and what reads them)
is built from an article's ``LiveArticle``: a snapshot of its content fields
and parts, taken when that content went live, never from the rows editors
work on. Today every save of a published article goes live at once, so the
funnel (``articles.services.articles_mark_changed``) takes the snapshot on
each change of content; a working draft of a live article grows from here.

``live_apply`` lays a snapshot over ``Article`` instances read from the
database: their content fields and their parts' prefetch caches become the
live version's, while what other apps annotate (a comment count) stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core import serializers
from django.db import models

from articles.models import Article, Image, ImageRendition, LiveArticle, Reference, Section, Tag
from articles.selectors import article_whole_queryset

# What an editor writes: the live version's. Status, publication time and
# the comments setting decide whether and how it is live, and stay on the article.
CONTENT_FIELDS = (
    "title",
    "slug",
    "byline",
    "byline_kind",
    "byline_url",
    "byline_credentials",
    "intro",
    "intro_html",
    "last_reviewed_on",
    "reviewer_name",
    "reviewer_credentials",
    "updated_at",
)


def live_snapshot(*, article_ids: Iterable[int], only_missing: bool = False) -> None:
    """Take the live version of these articles from their rows: published ones, as they
    are now; the others have none.

    ``only_missing``: give one to those that have none, and leave the others
    alone (a reader's fallback must never write over a writer's snapshot).
    """
    ids = set(article_ids)
    published = list(article_whole_queryset().filter(pk__in=ids, status=Article.Status.PUBLISHED))
    rows = [LiveArticle(article_id=a.pk, content=_content(a)) for a in published]
    if only_missing:
        LiveArticle.objects.bulk_create(rows, ignore_conflicts=True)
        return
    LiveArticle.objects.filter(pk__in=ids - {a.pk for a in published}).delete()
    LiveArticle.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["article"], update_fields=["content"]
    )


def _content(article: Article) -> dict:
    def rows(objects, fields=None) -> list[dict]:
        return serializers.serialize("python", objects, fields=fields)

    return {
        "article": rows([article], CONTENT_FIELDS)[0]["fields"],
        "tags": [tag.pk for tag in article.tags.all()],
        "sections": rows(article.sections.all()),
        "images": rows(article.images.all()),
        "references": rows(article.references.all()),
    }


def _prefetched(instance: models.Model, name: str, model, objects: Sequence) -> None:
    """``instance.<name>.all()`` answers ``objects`` without a query, as a prefetch would."""
    queryset = model._default_manager.all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset


def _objects(rows: list[dict]) -> list:
    return [found.object for found in serializers.deserialize("python", rows)]


def _snapshots(article_ids: list[int]) -> dict[int, dict]:
    return dict(LiveArticle.objects.filter(pk__in=article_ids).values_list("pk", "content"))


def live_apply(articles: Sequence[Article]) -> list[Article]:
    """``articles`` with their live version laid over them; those with none are left out.

    Three queries whatever their number: the snapshots, the tags, the images' copies
    (and, the first time, the snapshot of an article that has none yet).
    """
    snapshots = _snapshots([a.pk for a in articles])
    if missing := [a.pk for a in articles if a.pk not in snapshots]:
        # Published by rows written around the funnel (bulk_create, SQL,
        # loaddata): what they hold is all there is, and goes live as it is.
        live_snapshot(article_ids=missing, only_missing=True)
        snapshots |= _snapshots(missing)
    tag_ids = {pk for content in snapshots.values() for pk in content["tags"]}
    # In the tags' own order (by name), as a prefetch gives them: a renamed tag
    # takes its place.
    tag_order = list(Tag.objects.filter(pk__in=tag_ids))
    image_ids = {row["pk"] for content in snapshots.values() for row in content["images"]}
    copies: dict[int, list[ImageRendition]] = {}
    for copy in ImageRendition.objects.filter(image_id__in=image_ids).order_by("width", "pk"):
        copies.setdefault(copy.image_id, []).append(copy)
    live = []
    for article in articles:
        content = snapshots.get(article.pk)
        if content is None:
            continue
        for name, value in content["article"].items():
            setattr(article, name, Article._meta.get_field(name).to_python(value))
        sections = _objects(content["sections"])
        by_id = {section.pk: section for section in sections}
        images = _objects(content["images"])
        for image in images:
            Image.after_section.field.set_cached_value(image, by_id.get(image.after_section_id))
            _prefetched(image, "renditions", ImageRendition, copies.get(image.pk, []))
        references = _objects(content["references"])
        for number, reference in enumerate(references, start=1):
            reference.number = number
        _prefetched(article, "sections", Section, sections)
        _prefetched(article, "images", Image, images)
        _prefetched(article, "references", Reference, references)
        own = set(content["tags"])
        _prefetched(article, "tags", Tag, [tag for tag in tag_order if tag.pk in own])
        live.append(article)
    return live
