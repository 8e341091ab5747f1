"""Revisions of articles (django-reversion): every change through the funnel is one.

An article is registered with its sections, images and references, so a
revision is the whole article as it stood and restoring one brings back
parts deleted since. The admin saves inside reversion's revision (with who
and when); every other writer (import, publish, tag rename) gets one here,
where the article is marked changed. ``revision_text`` renders a revision
as lines for the admin's readable diff.
"""

from __future__ import annotations

import datetime as dt
import difflib
import textwrap

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from reversion.models import Revision, Version

from articles.models import FUNNEL_FIELDS, Article, Image, LiveArticle, Reference, Section
from articles.signals import Reason, article_changed

PARTS = ("sections", "images", "references")
# Changes that are not the article's own: no revision.
NO_REVISION = {Reason.COMMENTS, Reason.DELETED, Reason.RENDITIONS, Reason.REINDEX}

reversion.register(Article, follow=PARTS, exclude=sorted(FUNNEL_FIELDS))
reversion.register(Section)
reversion.register(Image)
reversion.register(Reference)


@receiver(pre_save, sender=Article, dispatch_uid="articles.revisions.keep_funnel_fields")
def keep_funnel_fields(sender, instance: Article, raw: bool, using: str, **kwargs) -> None:
    """A raw save of an existing article keeps its change counters.

    django-reversion's own restore (open a revision, save its form) saves
    raw, and revisions leave the counters out: a restored article would come
    back with the defaults, ``version`` back to a number that built documents
    were cached under, an announced publication announced again. The counters
    belong to this database, not to the content: ``loaddata`` keeps them too.
    """
    if raw and instance.pk is not None:
        rows = Article.objects.using(using).filter(pk=instance.pk)
        current = rows.values(*FUNNEL_FIELDS).first()
        for name, value in (current or {}).items():
            setattr(instance, name, value)


@receiver(article_changed, dispatch_uid="articles.revisions")
def record_revision(sender, article_ids, reason, **kwargs) -> None:
    if reason not in NO_REVISION:
        revision_record(article_ids=article_ids, comment=str(reason).capitalize())


def revision_record(*, article_ids, comment: str) -> None:
    """Make the articles a revision, or join the one being made (the admin's), with
    ``comment`` unless it has one."""
    with reversion.create_revision():
        if not reversion.get_comment():
            reversion.set_comment(comment)
        for article in Article.objects.filter(pk__in=article_ids):
            reversion.add_to_revision(article)


def newest_revision(article_id: int) -> Revision | None:
    """The article's latest revision, with its user."""
    version = (
        Version.objects.get_for_object_reference(Article, article_id)
        .select_related("revision__user")
        .order_by("-revision_id")
        .first()
    )
    return version.revision if version else None


def diff_table(older: list[str], newer: list[str], older_label: str, newer_label: str) -> str:
    """Two texts side by side, changed lines marked, as HTML (difflib escapes every line)."""
    table = difflib.HtmlDiff().make_table(
        wrapped(older), wrapped(newer), older_label, newer_label, context=True, numlines=2
    )
    # Plain spaces, so the browser wraps the lines at words on a narrow screen.
    return mark_safe(table.replace("&nbsp;", " "))


def wrapped(lines: list[str], width: int = 72) -> list[str]:
    """Long lines (a Markdown paragraph is one) cut at words, so a change shows as a few lines."""
    return [part for line in lines for part in (textwrap.wrap(line, width) or [""])]


def revision_text(revision: Revision, article_id: int) -> list[str]:
    """Article ``article_id`` in ``revision`` as readable lines: fields, then each part in order.

    A revision may hold several articles (a bulk publish): only this one's rows count.
    """
    types = ContentType.objects.get_for_models(Article, Section, Image, Reference)
    by_model: dict[type, list[dict]] = {model: [] for model in types}
    for version in Version.objects.filter(revision=revision).select_related("content_type"):
        for model, content_type in types.items():
            if version.content_type_id != content_type.pk:
                continue
            fields = version.field_dict
            owner = int(version.object_id) if model is Article else fields.get("article_id")
            if owner == article_id:
                by_model[model].append(fields)
    return article_lines(by_model[Article], by_model[Section], by_model[Image], by_model[Reference])


def current_text(article_id: int) -> list[str]:
    """The article as it is now, as ``revision_text`` shows a revision (none if it is gone)."""
    rows = [
        model.objects.filter(**{lookup: article_id}).values()
        for model, lookup in ((Article, "pk"), (Section, "article"), (Image, "article"))
    ]
    references = Reference.objects.filter(article=article_id).values()
    return article_lines(*rows, references)


def live_text(article_id: int) -> list[str] | None:
    """The article's live version, as ``revision_text`` shows a revision (None: it has none)."""
    live = LiveArticle.objects.filter(pk=article_id).select_related("article").first()
    if live is None:
        return None
    content = live.content
    publication = {name: getattr(live.article, name) for name in PUBLICATION_LINES}

    def rows(name: str) -> list[dict]:
        return [{"id": row["pk"], **row["fields"]} for row in content[name]]

    return article_lines(
        [{**publication, **content["article"]}],
        rows("sections"),
        rows("images"),
        rows("references"),
    )


def revision_date(revision: Revision) -> str:
    """When ``revision`` was made, as the admin writes dates."""
    return date_format(localtime(revision.date_created), "DATETIME_FORMAT")


def moment(value: dt.datetime | None) -> str:
    """A time as the editor reads it: local, to the second (revisions keep milliseconds)."""
    return localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


# What the lines show besides the content: whether and how the article is live.
PUBLICATION_LINES = ("status", "published_at", "comments_enabled")


def article_lines(articles, sections, images, references) -> list[str]:
    """Lines for an article and its parts, given as field dicts (a revision's or the rows')."""
    lines: list[str] = []
    for article in articles:
        lines += [f"Title: {article['title']}", f"Slug: {article['slug']}"]
        lines += [f"Byline: {article['byline']}", f"Status: {article['status']}"]
        lines += [f"Published at: {moment(article['published_at'])}"]
        lines += [f"Comments enabled: {article['comments_enabled']}"]
        lines += [f"Reviewed: {article['last_reviewed_on']} {article['reviewer_name']}"]
        lines += ["Intro:", *article["intro"].splitlines()]
    for section in sorted(sections, key=lambda s: (s["position"], s["id"])):
        lines += [
            "",
            f"{'#' * section['level']} {section['heading']}",
            *section["body"].splitlines(),
        ]
    for image in sorted(images, key=lambda i: (i["position"], i["id"])):
        lines += ["", f"Image {image['file']}: {image['alt_text']} / {image['caption']}"]
    for number, reference in enumerate(
        sorted(references, key=lambda r: (r["position"], r["id"])), start=1
    ):
        lines += [f"[{number}] {reference['authors']} {reference['title']} {reference['year']}"]
    return lines
