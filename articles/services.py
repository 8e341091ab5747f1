"""Writes: publishing and importing articles. Admin, API and commands call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from reversion.models import Revision

from articles import review
from articles.article_file import ArticleData, ArticleFileError
from articles.conf import article_settings
from articles.live import (
    live_differs,
    live_fields_set,
    live_forget,
    live_forget_unpublished,
    live_objects,
    live_snapshot,
)
from articles.models import (
    FUNNEL_FIELDS,
    Article,
    Image,
    LiveArticle,
    Reference,
    ScheduledChanges,
    Section,
    Tag,
)
from articles.revisions import revision_record
from articles.signals import Reason, article_changed
from articles.uploads import image_upload_clean


def articles_mark_changed(*, article_ids: Iterable[int], reason: str) -> None:
    """Mark the articles changed: every write the public API can see ends here.

    Call it inside the write's transaction, after the write (before it, for a
    delete). It counts the change in ``Article.version``, which makes built
    documents stale, and sends ``article_changed``, on which caches, the search
    index and whatever comes next hang. A writer that skips it serves stale
    content: that is a bug.
    """
    ids = frozenset(article_ids)
    if not ids:
        return
    # Every address the articles are or were served under.
    slugs: set[str] = set()
    rows = Article.objects.filter(pk__in=ids).values_list("slug", "document__slug", "live__slug")
    for row in rows:
        slugs.update(s for s in row if s)
    # Only the publishing services take a live version; an unpublished
    # article's goes here, whoever unpublished it. (Comments and image copies
    # never unpublish; public reads ask for the status anyway.)
    if reason not in {Reason.COMMENTS, Reason.RENDITIONS}:
        live_forget_unpublished(article_ids=ids)
    # changed_at: when what the public sees moved, for Last-Modified.
    Article.objects.filter(pk__in=ids).update(version=F("version") + 1, changed_at=timezone.now())
    article_changed.send(sender=Article, article_ids=ids, slugs=frozenset(slugs), reason=reason)


def article_mark_changed(*, article: Article, reason: str) -> None:
    """``articles_mark_changed`` for one article."""
    articles_mark_changed(article_ids=[article.pk], reason=reason)


class PublishRefused(Exception):
    """The content cannot go live as it stands; the message says why, for the editor."""


@dataclass(frozen=True)
class Saved:
    """What a save of an article's rows did to what the public sees."""

    went_live: bool  # the rows are the article's live version now
    # The article stays live as it was, and its draft differs from that.
    has_unpublished_changes: bool
    # Why the rows did not go live though the writer asked (they are kept as a draft).
    refused: str | None = None


def article_content_saved(
    *,
    article: Article,
    was_live: bool,
    publish: bool,
    publication_changed: bool,
    user=None,
    text_changed: bool = True,
) -> Saved:
    """After a writer saved ``article``'s rows (its form, a file, a revision): what goes public.

    A published article that was live keeps its live version unless ``publish``:
    the rows are its draft, and only a change of publication (time, comments)
    reaches the public at once. A published article that was not live goes
    live with these rows; a draft has none. Rows that may not go live
    (``publish_refusal``) are kept as a draft, and ``Saved.refused`` says why.
    ``text_changed``: the save changed what the article says (by ``user``):
    sign-offs of the text before it are void. Call it inside the write's
    transaction, after the parts were saved.
    """
    if text_changed:
        review.draft_edit_record(article_id=article.pk, user=user)
        review.text_moved(article_id=article.pk, reason=_("the text changed"))
    review.next_review_update(article_ids=[article.pk])
    published = article.status == Article.Status.PUBLISHED
    refused = None
    if published and (publish or not was_live):
        refused = publish_refusal(article_ids=[article.pk])
        if refused is None:
            articles_go_live(article_ids=[article.pk], user=user)
            article.has_unpublished_changes = False
            article_mark_changed(article=article, reason=Reason.PUBLISHED)
            return Saved(went_live=True, has_unpublished_changes=False)
        if not was_live:
            article.status = Article.Status.DRAFT
            Article.objects.filter(pk=article.pk).update(status=article.status)
            published = False
    if published:
        differs = article.has_unpublished_changes = live_differs(article.pk)
        Article.objects.filter(pk=article.pk).update(has_unpublished_changes=differs)
        if publication_changed:
            article_mark_changed(article=article, reason=Reason.SAVED)
        else:
            # Nothing public moved: no change to mark, but the draft is a revision.
            revision_record(article_ids=[article.pk], comment=_("Saved draft"))
        return Saved(went_live=False, has_unpublished_changes=differs, refused=refused)
    article.has_unpublished_changes = False
    Article.objects.filter(pk=article.pk).update(has_unpublished_changes=False)
    article_mark_changed(article=article, reason=Reason.UNPUBLISHED if was_live else Reason.SAVED)
    return Saved(went_live=False, has_unpublished_changes=False, refused=refused)


def publish_refusal(*, article_ids: Iterable[int]) -> str | None:
    """Why these articles' rows may not go live now, for the editor; None: they may."""
    ids = set(article_ids)
    taken = (
        LiveArticle.objects.filter(slug__in=Article.objects.filter(pk__in=ids).values("slug"))
        .exclude(pk__in=ids)
        .values_list("slug", "article__title")
        .first()
    )
    if taken:
        return _("its address “%(slug)s” is still the live address of “%(title)s”.") % {
            "slug": taken[0],
            "title": taken[1],
        }
    return review.signoff_refusal(article_ids=ids)


def articles_go_live(*, article_ids: Iterable[int], user=None) -> set[int]:
    """Make the published ones of these articles' rows their live version, or refuse
    (``PublishRefused``). Returns those whose live content changed."""
    ids = set(article_ids)
    if refused := publish_refusal(article_ids=ids):
        raise PublishRefused(refused)
    moved = live_snapshot(article_ids=ids, user=user)
    Article.objects.filter(pk__in=ids).update(has_unpublished_changes=False)
    review.draft_edits_clear(article_ids=ids)
    review.next_review_update(article_ids=ids)
    # Live now: nothing is left to publish at a time.
    ScheduledChanges.objects.filter(article_id__in=ids).delete()
    return moved


def live_state(article_id: int) -> bool:
    """Whether the article has a live version now."""
    return LiveArticle.objects.filter(pk=article_id).exists()


def article_publish_changes(*, article_id: int, user) -> Article:
    """Make a live article's draft its live version: one revision, one ``updated`` webhook."""
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(_("Published changes"))
        article = Article.objects.select_for_update().get(pk=article_id)
        if article.status != Article.Status.PUBLISHED or not live_state(article_id):
            raise PublishRefused(_("the article is not published: publish it instead."))
        if not live_differs(article_id):
            raise PublishRefused(_("its draft has no unpublished changes."))
        articles_go_live(article_ids=[article_id], user=user)
        article_mark_changed(article=article, reason=Reason.PUBLISHED)
    return article


def article_discard_changes(*, article_id: int, user) -> Article:
    """Bring a live article's draft back to its live version; a revision of its own."""
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(_("Discarded changes"))
        article = Article.objects.select_for_update().get(pk=article_id)
        live = LiveArticle.objects.filter(pk=article_id).first()
        if live is None:
            raise PublishRefused(_("the article is not published: it has no live version."))
        content = live.content
        if Article.objects.filter(slug=live.slug).exclude(pk=article_id).exists():
            raise PublishRefused(
                _("its published address “%(slug)s” is another article's address now.")
                % {"slug": live.slug}
            )
        images = live_objects(content["images"])
        _parts_replace(article, kept_images=[image.pk for image in images])
        live_fields_set(article, content)
        article.save()
        article.tags.set(Tag.objects.filter(pk__in=content["tags"]))
        for part in (*live_objects(content["sections"]), *live_objects(content["references"])):
            part.save()
        for image in images:  # after the sections they follow
            image.save()
        Article.objects.filter(pk=article_id).update(has_unpublished_changes=False)
        review.draft_edits_clear(article_ids=[article_id])
        # A sign-off of the live text stands; one of the discarded draft is void.
        review.text_moved(article_id=article_id, reason=_("the changes were discarded"))
        ScheduledChanges.objects.filter(article_id=article_id).delete()
        review.next_review_update(article_ids=[article_id])
        revision_record(article_ids=[article_id], comment=_("Discarded changes"))
    return article


def _parts_replace(article: Article, *, kept_images: Iterable[int]) -> None:
    """Delete the article's sections and references, and its images but ``kept_images``.

    Sections and references go and come back whole (anchors may have been
    swapped since); images stay where they are kept, with their copies.
    """
    article.sections.all().delete()
    article.references.all().delete()
    article.images.exclude(pk__in=list(kept_images)).delete()


class RestoreFailed(Exception):
    """A revision cannot be restored as it stands; the message says why, for the editor."""


# What decides whether and how the article is live: a restore keeps these as
# they are unless the editor asks for the revision's too.
PUBLICATION_FIELDS = ("status", "published_at", "comments_enabled", "review_interval_months")


@dataclass(frozen=True)
class Restored:
    """What ``article_restore`` did."""

    article: Article
    # The alt texts of the revision's images left out because their files are
    # gone (deleted before files were kept for revisions).
    images_left_out: list[str]
    # The article's status before the restore (None: it did not exist).
    status_before: str | None
    # False: the restore is the live article's draft, its live version as it was.
    went_live: bool = False


def article_restore(
    *, article_id: int, revision: Revision, user, comment: str, publication: bool = False
) -> Restored:
    """Bring article ``article_id`` back to ``revision``: its content and its parts,
    those deleted since included and those added since removed. The restore is a
    revision too, and the article is marked changed.

    The article's status, publication time and comments setting stay as they are
    (what is live stays live) unless ``publication`` asks for the revision's. An
    article deleted since is created again, as a draft unless ``publication``.

    Only this article's rows are touched, though a revision may hold several
    articles (a bulk publish, a tag rename). Rows are saved through their
    models, so the HTML is rendered by today's renderer, ``updated_at`` is
    now, and the change counters go on. All or nothing: a revision that does
    not hold this article, or no longer fits, raises ``RestoreFailed`` and
    changes nothing.
    """
    versions = list(revision.version_set.select_related("content_type"))
    fields = next(
        (
            v.field_dict
            for v in versions
            if v.content_type.model_class() is Article and v.object_id == str(article_id)
        ),
        None,
    )
    if fields is None:
        raise RestoreFailed(_("the revision holds no copy of this article."))
    if Article.objects.filter(slug=fields["slug"]).exclude(pk=article_id).exists():
        raise RestoreFailed(
            _("its address “%(slug)s” belongs to another article now.") % {"slug": fields["slug"]}
        )
    parts = {
        model: [
            v.field_dict
            for v in versions
            if v.content_type.model_class() is model and v.field_dict["article_id"] == article_id
        ]
        for model in (Section, Image, Reference)
    }
    storage = Image._meta.get_field("file").storage
    missing = [row for row in parts[Image] if not storage.exists(str(row["file"]))]
    parts[Image] = [row for row in parts[Image] if row not in missing]
    try:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(comment)
            current = Article.objects.select_for_update().filter(pk=article_id).first()
            status_before = current.status if current else None
            was_live = live_state(article_id)
            if current is None:
                current = Article(pk=article_id, status=Article.Status.DRAFT)
            _parts_replace(current, kept_images=[row["id"] for row in parts[Image]])
            kept = {name: getattr(current, name) for name in PUBLICATION_FIELDS}
            for name, value in fields.items():
                if name not in FUNNEL_FIELDS and name not in {"id", "tags"}:
                    setattr(current, name, value)
            if not publication:
                for name, value in kept.items():
                    setattr(current, name, value)
            current.save(force_insert=status_before is None)
            # A tag deleted since stays deleted.
            current.tags.set(Tag.objects.filter(pk__in=fields.get("tags", [])))
            for model in (Section, Reference, Image):  # images point at sections
                for row in parts[model]:
                    model(**row).save()
            # Whatever text it brings back was signed off then, if at all:
            # a reviewer signs it off again.
            review.signoffs_void(article_id=current.pk, reason=_("a revision was restored"))
            # A live article's restore lands in its draft, unless the editor
            # asked for the revision's publication too.
            saved = article_content_saved(
                article=current,
                was_live=was_live,
                publish=publication,
                publication_changed=publication,
                user=user,
            )
            if saved.refused:
                raise RestoreFailed(saved.refused)  # and nothing changes
    except IntegrityError as error:
        raise RestoreFailed(
            _("it conflicts with the article as it is now (%(error)s).") % {"error": error}
        ) from error
    return Restored(
        article=current,
        images_left_out=[row["alt_text"] for row in missing],
        status_before=status_before,
        went_live=saved.went_live,
    )


def articles_publish(*, queryset: models.QuerySet[Article], user=None) -> int:
    """Publish the articles as their rows stand (a live one's draft included); each keeps
    its publication time if it had one. Returns the count."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(queryset.values_list("pk", flat=True))
        drafts = set(
            Article.objects.filter(pk__in=ids)
            .exclude(status=Article.Status.PUBLISHED)
            .values_list("pk", flat=True)
        )
        count = Article.objects.filter(pk__in=ids).update(
            status=Article.Status.PUBLISHED,
            published_at=Coalesce("published_at", models.Value(now)),
            updated_at=now,
        )
        moved = articles_go_live(article_ids=ids, user=user)
        # A live article published again as it stands: nothing to tell anyone.
        articles_mark_changed(article_ids=drafts | moved, reason=Reason.PUBLISHED)
    return count


def articles_unpublish(*, queryset: models.QuerySet[Article]) -> int:
    """Return the articles to draft. Returns the count."""
    with transaction.atomic():
        ids = list(queryset.values_list("pk", flat=True))
        count = Article.objects.filter(pk__in=ids).update(
            status=Article.Status.DRAFT, updated_at=timezone.now(), has_unpublished_changes=False
        )
        articles_mark_changed(article_ids=ids, reason=Reason.UNPUBLISHED)
    return count


def articles_delete(*, queryset: models.QuerySet[Article]) -> int:
    """Delete the articles with their parts (and, in other apps, what hangs on them)."""
    with transaction.atomic():
        ids = list(queryset.values_list("pk", flat=True))
        articles_mark_changed(article_ids=ids, reason=Reason.DELETED)
        live_forget(article_ids=ids)
        Article.objects.filter(pk__in=ids).delete()
    return len(ids)


def tag_save(*, tag: Tag) -> None:
    """Save a tag (a rename shows in every article that has it)."""
    with transaction.atomic():
        tag.save()
        articles_mark_changed(
            article_ids=tag.articles.values_list("pk", flat=True), reason=Reason.TAGS
        )


def tags_delete(*, queryset: models.QuerySet[Tag]) -> int:
    """Delete the tags; the articles that had them lose them."""
    with transaction.atomic():
        ids = Article.objects.filter(tags__in=queryset).values_list("pk", flat=True)
        articles_mark_changed(article_ids=list(ids), reason=Reason.TAGS)
        deleted, _ = queryset.delete()
    return deleted


def tags_get_or_create(*, names: list[str]) -> list[Tag]:
    """The tags with these names (matched by slug or name), created when missing."""
    tags = []
    for name in names:
        slug = slugify(name)
        tag = Tag.objects.filter(Q(slug=slug) | Q(name__iexact=name)).first()
        tags.append(tag or Tag.objects.create(name=name, slug=slug))
    return tags


def _validated(instance: models.Model, line: int, exclude: list[str] | None = None) -> None:
    """Run model validation, reporting any error at the file's ``line``."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            messages = [
                f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
            ]
        else:
            messages = exc.messages
        raise ArticleFileError(line, "; ".join(messages)) from None


def article_import(*, data: ArticleData, publish: bool) -> tuple[Article, bool]:
    """Create or update (by slug) the article described by ``data``; all or nothing.

    Returns the article and whether it was created. Without ``publish`` the
    article is saved as a draft: a published article's draft, its live version
    as it was.
    """
    stored_files: list[str] = []
    try:
        with transaction.atomic():
            article, created = _article_import(data, publish, stored_files)
    except BaseException:
        # The rows are rolled back; the image files written meanwhile go too.
        for name in stored_files:
            Image._meta.get_field("file").storage.delete(name)
        raise
    return article, created


def _article_import(
    data: ArticleData, publish: bool, stored_files: list[str]
) -> tuple[Article, bool]:
    article = Article.objects.select_for_update().filter(slug=data.slug).first()
    created = article is None
    if created:
        article = Article(slug=data.slug)
    was_live = not created and live_state(article.pk)

    article.title = data.title
    if article.byline != data.byline:
        # A file names its author only: details of an earlier one would
        # describe someone else.
        article.byline_kind = Article.BylineKind.ORGANIZATION
        article.byline_url = article.byline_credentials = ""
    article.byline = data.byline
    article.intro = data.intro
    if not article_settings.REQUIRE_SIGNOFF:
        # Otherwise the review fields are the sign-offs' alone.
        article.last_reviewed_on = data.last_reviewed_on
        article.reviewer_name = data.reviewer
        article.reviewer_credentials = data.reviewer_credentials
    if publish:
        article.status = Article.Status.PUBLISHED
    elif not was_live:
        article.status = Article.Status.DRAFT
    lines = data.front_matter_lines
    _validated(article, lines.get("slug", lines.get("title", 1)))
    article.save()
    article.tags.set(tags_get_or_create(names=data.tags))

    if not created:
        # The file is the whole truth about the article: replace its parts.
        # (The image files stay: the article's earlier revisions show them.)
        article.images.all().delete()
        article.sections.all().delete()
        article.references.all().delete()

    sections = []
    for position, item in enumerate(data.sections, start=1):
        section = Section(
            article=article,
            position=position,
            heading=item.heading,
            level=item.level,
            anchor=item.anchor,
            body=item.body,
        )
        _validated(section, item.line)
        section.save()
        sections.append(section)

    for position, item in enumerate(data.images, start=1):
        image = Image(
            article=article,
            position=position,
            alt_text=item.alt_text,
            caption=item.caption,
            credit=item.credit,
            after_section=None if item.section_index is None else sections[item.section_index],
        )
        with Path(item.path).open("rb") as handle:
            try:
                picture = image_upload_clean(File(handle), name=item.path.stem)
            except ValidationError as error:
                raise ArticleFileError(
                    item.line, f"{item.path.name}: {error.messages[0]}"
                ) from None
        image.file.save(picture.name, picture, save=False)
        stored_files.append(image.file.name)
        _validated(image, item.line)
        image.save()

    for position, item in enumerate(data.references, start=1):
        parts = {name: value for name, value in asdict(item).items() if name != "line"}
        reference = Reference(article=article, position=position, **parts)
        _validated(reference, item.line)
        reference.save()
    review.text_moved(article_id=article.pk, reason=_("the text changed (import)"))
    review.next_review_update(article_ids=[article.pk])
    if publish or not was_live:
        if publish:
            articles_go_live(article_ids=[article.pk])
        article.has_unpublished_changes = False
        Article.objects.filter(pk=article.pk).update(has_unpublished_changes=False)
        article_mark_changed(article=article, reason=Reason.IMPORTED)
    else:
        article_content_saved(
            article=article,
            was_live=True,
            publish=False,
            publication_changed=False,
            text_changed=False,  # done above
        )
    return article, created
