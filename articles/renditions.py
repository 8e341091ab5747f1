"""Responsive images: smaller copies of each image, in WebP and its own format, for ``srcset``.

Made by a task (``articles.tasks.image_renditions``) once an image's article
is marked changed with a new file, never in the editor's request; when they
are stored the article is marked changed again, so the API's ``srcset``
appears. Widths at or above the original's are never made: the original is
the largest there is, and it is never served scaled up.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from PIL import Image as PILImage

from articles.live import live_image_files
from articles.models import Image, ImageRendition
from articles.signals import Reason, article_changed

WIDTHS = (480, 960, 1600)
# What Pillow calls each format we write, and the options that keep files small.
SAVE_AS = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpeg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
    "png": ("PNG", {"optimize": True}),
}


def original_format(image: Image) -> str | None:
    """The original's format as a MIME subtype we can write; None for one we leave alone (GIF)."""
    kind = file_format(image.file.name)
    return kind if kind in SAVE_AS else None


def file_format(name: str) -> str:
    """An image file's format (a MIME subtype), from its name: stored names are ours."""
    extension = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "jpeg"}.get(extension, extension)


def images_missing_renditions(article_ids: Iterable[int]) -> list[int]:
    """Images of these articles whose current file has no renditions yet."""
    return [
        image.pk
        for image in Image.objects.filter(article_id__in=set(article_ids)).prefetch_related(
            "renditions"
        )
        if image.file
        and image.width > min(WIDTHS)
        and not any(r.source == image.file.name for r in image.renditions.all())
    ]


def image_renditions_make(*, image_id: int) -> int:
    """Make the renditions of one image's current file; mark its article changed. How many."""
    from articles.services import article_mark_changed

    image = Image.objects.select_related("article").filter(pk=image_id).first()
    if image is None or not image.file:
        return 0
    source = image.file.name
    own = original_format(image)
    made = []
    with PILImage.open(image.file) as picture:
        picture.load()
        for width in WIDTHS:
            if width >= picture.width:
                break  # never larger than the original
            height = round(picture.height * width / picture.width)
            smaller = picture.resize((width, height), PILImage.Resampling.LANCZOS)
            for kind in [k for k in dict.fromkeys(["webp", own]) if k]:
                made.append((width, height, kind, _encode(smaller, kind)))
        if own != "webp":
            # The WebP set ends with the original's size, as the other set
            # ends with the original itself.
            made.append((picture.width, picture.height, "webp", _encode(picture, "webp")))
    with transaction.atomic():
        # The file may have changed while we worked: then these are stale.
        if not Image.objects.filter(pk=image_id, file=source).exists():
            return 0
        # Made meanwhile by another run (a save and its publication both ask).
        if image.renditions.filter(source=source).exists():
            return 0
        # The live version may still show the file a draft replaced.
        kept = {source, *live_image_files(image.article_id).get(image_id, ())}
        image.renditions.exclude(source__in=kept).delete()
        for width, height, kind, data in made:
            rendition = ImageRendition(
                image=image, source=source, width=width, height=height, format=kind
            )
            stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            rendition.file.save(f"{stem}-{width}w.{kind}", ContentFile(data), save=False)
            rendition.save()
        article_mark_changed(article=image.article, reason=Reason.RENDITIONS)
    return len(made)


def _encode(picture: PILImage.Image, kind: str) -> bytes:
    name, options = SAVE_AS[kind]
    if name == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, name, **options)
    return buffer.getvalue()


@receiver(article_changed, dispatch_uid="articles.renditions")
def renditions_for_new_files(sender, article_ids, reason, **kwargs) -> None:
    if reason == Reason.PUBLISHED:
        # What went live is the rows' files: copies of a file a draft
        # replaced were kept for the live version until now.
        ImageRendition.objects.filter(image__article_id__in=article_ids).exclude(
            source=F("image__file")
        ).delete()
    if reason in {Reason.SAVED, Reason.IMPORTED, Reason.PUBLISHED}:
        from articles.tasks import enqueue_with_commit, image_renditions

        for image_id in images_missing_renditions(article_ids):
            enqueue_with_commit(image_renditions, image_id)
