"""The live version of each published article, kept as data.

Every public thing (built documents, the search index, feeds, the sitemap,
and what reads them) is built from an article's ``LiveArticle``: a snapshot
of its content fields and parts, taken when that content went live, never
from the rows editors work on. Those rows are the working draft: saving a
published article changes them and nothing public. Only the publishing
services (``articles.services``: publish, publish changes, import with
``--publish``, a restore that publishes) call ``live_snapshot``; the change
funnel only drops the live version of an article that is no longer published.
A published article without one (rows written around the services) is not
public until ``manage.py update_index`` gives it one.

``live_apply`` lays a snapshot over ``Article`` instances read from the
database: their content fields and their parts' prefetch caches become the
live version's, while what other apps annotate (a comment count) stays.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.core import serializers
from django.db import models
from django.utils import timezone

from articles.models import (
    Article,
    Image,
    ImageRendition,
    LiveArticle,
    Reference,
    Section,
    SnapshotEncoder,
    Tag,
)
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
)


def live_snapshot(*, article_ids: Iterable[int], user=None, only_missing: bool = False) -> set[int]:
    """Take the live version of these articles from their rows: published ones, as they
    are now, published by ``user``; the others have none. Returns the ids whose live
    content changed.

    ``only_missing``: give one to those that have none, and leave the others
    alone (``update_index`` must never publish a draft).
    """
    ids = set(article_ids)
    published = article_whole_queryset().filter(pk__in=ids, status=Article.Status.PUBLISHED)
    if only_missing:
        published = published.filter(live__isnull=True)
    published = list(published)
    if not only_missing:
        LiveArticle.objects.filter(pk__in=ids - {a.pk for a in published}).delete()
    before = dict(
        LiveArticle.objects.filter(pk__in=[a.pk for a in published]).values_list("pk", "content")
    )
    now = timezone.now()
    contents = {article.pk: _as_stored(live_content(article)) for article in published}
    rows = []
    for article in published:
        content = contents[article.pk]
        # The same content again keeps its time: nothing went live.
        if before.get(article.pk) != content:
            rows.append(
                LiveArticle(
                    article_id=article.pk,
                    content=content,
                    slug=article.slug,
                    changed_at=now,
                    published_by=user,
                )
            )
    LiveArticle.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["format", "content", "slug", "changed_at", "published_by"],
    )
    # Copies of files these articles showed and no longer show.
    _orphan_copies_delete(_files(before.values()) - _files(contents.values()))
    Through = LiveArticle.tags.through
    taken = {row.article_id for row in rows}
    Through.objects.filter(livearticle_id__in=taken).delete()
    Through.objects.bulk_create(
        Through(livearticle_id=a.pk, tag_id=tag.pk)
        for a in published
        if a.pk in taken
        for tag in a.tags.all()
    )
    return taken


def _as_stored(content: dict) -> dict:
    """``content`` as it reads back from the database (times and dates as strings)."""
    return json.loads(json.dumps(content, cls=SnapshotEncoder))


def live_forget_unpublished(*, article_ids: Iterable[int]) -> None:
    """Those of these articles no longer published have no live version any more."""
    rows = LiveArticle.objects.filter(pk__in=set(article_ids))
    going = rows.exclude(article__status=Article.Status.PUBLISHED)
    shown = _files(going.values_list("content", flat=True))
    going.delete()
    _orphan_copies_delete(shown)


def live_forget(*, article_ids: Iterable[int]) -> None:
    """These articles go (deleted): their live versions and every copy of their images."""
    rows = LiveArticle.objects.filter(pk__in=set(article_ids))
    _orphan_copies_delete(_files(rows.values_list("content", flat=True)))
    ImageRendition.objects.filter(image__article_id__in=set(article_ids)).delete()
    rows.delete()


def _files(contents: Iterable[dict]) -> set[str]:
    return {row["fields"]["file"] for content in contents for row in content["images"]}


def _orphan_copies_delete(files: set[str]) -> None:
    """Delete the copies of these files whose image row is gone: no live version shows them."""
    if files:
        ImageRendition.objects.filter(image__isnull=True, source__in=files).delete()


def live_content(article: Article) -> dict:
    """What ``article`` says, from its rows (read with ``article_whole_queryset``), as a
    live version holds it."""

    def rows(objects, fields=None) -> list[dict]:
        return serializers.serialize("python", objects, fields=fields)

    return {
        "article": rows([article], CONTENT_FIELDS)[0]["fields"],
        "tags": sorted(tag.pk for tag in article.tags.all()),
        "sections": rows(article.sections.all()),
        "images": rows(article.images.all()),
        "references": rows(article.references.all()),
    }


def _stored_content(article_id: int) -> dict | None:
    return LiveArticle.objects.filter(pk=article_id).values_list("content", flat=True).first()


def live_image_files(article_id: int) -> dict[int, list[str]]:
    """The files the article's live version shows, by image id."""
    content = _stored_content(article_id)
    images = content["images"] if content else []
    return {row["pk"]: [row["fields"]["file"]] for row in images}


def live_differs(article_id: int) -> bool:
    """Whether the article's working rows say something its live version does not."""
    content = _stored_content(article_id)
    if content is None:
        return False
    return _as_stored(live_content(article_whole_queryset().get(pk=article_id))) != content


def _prefetched(instance: models.Model, name: str, model, objects: Sequence) -> None:
    """``instance.<name>.all()`` answers ``objects`` without a query, as a prefetch would."""
    queryset = model._default_manager.all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset


def live_objects(rows: list[dict]) -> list:
    """A live version's rows of parts as unsaved model instances, keys and all."""
    return [found.object for found in serializers.deserialize("python", rows)]


def live_fields_set(article: Article, content: dict) -> None:
    """Give ``article`` the content fields of a live version's ``content``."""
    for name, value in content["article"].items():
        setattr(article, name, Article._meta.get_field(name).to_python(value))


def live_apply(articles: Sequence[Article]) -> list[Article]:
    """``articles`` with their live version laid over them; those with none are left out.

    Three queries whatever their number: the snapshots, the tags, the images' copies.
    """
    snapshots = {
        live.pk: live
        for live in LiveArticle.objects.filter(pk__in=[a.pk for a in articles]).only(
            "content", "changed_at"
        )
    }
    tag_ids = {pk for live in snapshots.values() for pk in live.content["tags"]}
    # In the tags' own order (by name), as a prefetch gives them: a renamed tag
    # takes its place.
    tag_order = list(Tag.objects.filter(pk__in=tag_ids))
    # Copies by the file they were made from: the live image's, whatever the
    # draft did to its row since (a new upload, a deletion).
    files = _files(snapshot.content for snapshot in snapshots.values())
    copies: dict[str, list[ImageRendition]] = {}
    for copy in ImageRendition.objects.filter(source__in=files).order_by("width", "pk"):
        copies.setdefault(copy.source, []).append(copy)
    applied = []
    for article in articles:
        snapshot = snapshots.get(article.pk)
        if snapshot is None:
            continue
        content = snapshot.content
        live_fields_set(article, content)
        article.updated_at = snapshot.changed_at
        sections = live_objects(content["sections"])
        by_id = {section.pk: section for section in sections}
        images = live_objects(content["images"])
        for image in images:
            Image.after_section.field.set_cached_value(image, by_id.get(image.after_section_id))
            _prefetched(image, "renditions", ImageRendition, copies.get(image.file.name, []))
        references = live_objects(content["references"])
        for number, reference in enumerate(references, start=1):
            reference.number = number
        _prefetched(article, "sections", Section, sections)
        _prefetched(article, "images", Image, images)
        _prefetched(article, "references", Reference, references)
        own = set(content["tags"])
        _prefetched(article, "tags", Tag, [tag for tag in tag_order if tag.pk in own])
        applied.append(article)
    return applied
