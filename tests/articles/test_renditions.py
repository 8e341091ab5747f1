"""Responsive images: smaller copies at a few widths, in WebP and the original's format,
made by a task after the save, offered as srcset; never larger than the original."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from PIL import Image as PILImage

from articles.models import Image, ImageRendition
from articles.services import article_mark_changed, article_publish_changes
from articles.signals import Reason
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db


def photo(width: int, height: int, kind: str = "JPEG") -> SimpleUploadedFile:
    """A real picture: noise, so that smaller copies really are smaller files."""
    picture = PILImage.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    picture.save(buffer, kind)
    extension = {"JPEG": "jpg", "PNG": "png"}[kind]
    return SimpleUploadedFile(f"photo.{extension}", buffer.getvalue())


def saved(image: Image, capture) -> Image:
    """The editor's save of the image's article: what starts the renditions task."""
    with capture(execute=True):
        article_mark_changed(article=image.article, reason=Reason.SAVED)
    return image


def test_each_width_below_the_original_is_made_in_webp_and_its_own_format(
    django_capture_on_commit_callbacks,
):
    image = saved(ImageFactory(file=photo(2000, 1500)), django_capture_on_commit_callbacks)

    made = sorted((r.width, r.height, r.format) for r in image.renditions.all())
    assert made == [
        (480, 360, "jpeg"),
        (480, 360, "webp"),
        (960, 720, "jpeg"),
        (960, 720, "webp"),
        (1600, 1200, "jpeg"),
        (1600, 1200, "webp"),
        (2000, 1500, "webp"),  # the original's size, to end the WebP set
    ]
    original = image.file.size
    for rendition in image.renditions.all():
        with PILImage.open(rendition.file) as picture:
            assert picture.size == (rendition.width, rendition.height)
            assert picture.format.lower() == rendition.format
        if rendition.width < image.width:
            assert rendition.file.size < original


def test_the_api_offers_srcsets_largest_last(api_client, django_capture_on_commit_callbacks):
    image = saved(ImageFactory(file=photo(1200, 800, "PNG")), django_capture_on_commit_callbacks)

    [shown] = api_client.get(f"/api/v1/articles/{image.article.slug}/").json()["images"]

    widths = [entry.rsplit(" ", 1)[1] for entry in shown["srcset"].split(", ")]
    assert widths == ["480w", "960w", "1200w"]
    assert shown["srcset"].endswith(f"{shown['url']} 1200w")
    assert [e.rsplit(" ", 1)[1] for e in shown["srcset_webp"].split(", ")] == [
        "480w",
        "960w",
        "1200w",
    ]
    assert ".webp 480w" in shown["srcset_webp"]
    assert shown["sizes"]


def test_a_small_original_gets_no_copies_and_is_never_scaled_up(
    api_client, django_capture_on_commit_callbacks
):
    image = saved(ImageFactory(file=photo(400, 300)), django_capture_on_commit_callbacks)

    [shown] = api_client.get(f"/api/v1/articles/{image.article.slug}/").json()["images"]

    assert not ImageRendition.objects.exists()
    assert shown["srcset"] == f"{shown['url']} 400w"
    assert shown["srcset_webp"] == ""


def srcset(api_client, image: Image) -> str:
    [shown] = api_client.get(f"/api/v1/articles/{image.article.slug}/").json()["images"]
    return shown["srcset"]


def test_the_live_image_keeps_its_copies_while_the_draft_has_a_new_upload(
    api_client, django_capture_on_commit_callbacks
):
    image = saved(ImageFactory(file=photo(1000, 500)), django_capture_on_commit_callbacks)
    live = srcset(api_client, image)
    old = set(image.renditions.values_list("file", flat=True))
    image.file = photo(1000, 1000)
    image.save()
    saved(image, django_capture_on_commit_callbacks)  # the draft's file gets its copies

    assert old <= set(image.renditions.values_list("file", flat=True))
    assert {r.height for r in image.renditions.exclude(file__in=old)} == {480, 960, 1000}
    assert srcset(api_client, image) == live


@pytest.mark.parametrize(
    "copies_made_for_the_draft",
    [
        # The save marked the article changed: the task ran before publishing.
        pytest.param(True, id="copies-made-for-the-draft"),
        # The admin's draft save marks nothing: the task runs once it is published.
        pytest.param(False, id="copies-made-once-published"),
    ],
)
def test_a_new_upload_replaces_the_copies_once_published(
    api_client, django_capture_on_commit_callbacks, copies_made_for_the_draft
):
    image = saved(ImageFactory(file=photo(1000, 500)), django_capture_on_commit_callbacks)
    old = set(image.renditions.values_list("file", flat=True))
    image.file = photo(1000, 1000)
    image.save()
    if copies_made_for_the_draft:
        saved(image, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        article_publish_changes(article_id=image.article_id, user=None)

    assert {r.height for r in image.renditions.all()} == {480, 960, 1000}
    assert not old & set(image.renditions.values_list("file", flat=True))
    # Readers get the new file's copies.
    assert f"{Path(image.file.name).stem}-480w.jpeg 480w" in srcset(api_client, image)


def test_copies_are_made_by_the_task_queue_not_in_the_save(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    article = ArticleFactory()
    image = ImageFactory(article=article, file=photo(1000, 500))

    article_mark_changed(article=article, reason=Reason.SAVED)

    assert not image.renditions.exists()
    [queued] = DBTaskResult.objects.filter(task_path="articles.tasks.image_renditions")
    assert queued.args_kwargs["args"] == [image.pk]


def test_an_image_deleted_in_the_draft_keeps_its_copies_until_the_deletion_is_published(
    api_client, django_capture_on_commit_callbacks
):
    image = saved(ImageFactory(file=photo(1000, 500)), django_capture_on_commit_callbacks)
    article_id = image.article_id
    live = srcset(api_client, image)
    storage = ImageRendition._meta.get_field("file").storage
    files = list(image.renditions.values_list("file", flat=True))
    assert files

    with django_capture_on_commit_callbacks(execute=True):
        image.delete()  # the editor's draft: the live version still shows it

    assert all(storage.exists(name) for name in files)
    [shown] = api_client.get(f"/api/v1/articles/{image.article.slug}/").json()["images"]
    assert shown["srcset"] == live

    with django_capture_on_commit_callbacks(execute=True):
        article_publish_changes(article_id=article_id, user=None)

    assert not ImageRendition.objects.exists()
    assert not any(storage.exists(name) for name in files)


def test_an_image_of_a_draft_never_live_takes_its_copies_with_it(
    django_capture_on_commit_callbacks,
):
    image = saved(ImageFactory(file=photo(1000, 500)), django_capture_on_commit_callbacks)
    from articles.services import articles_unpublish

    articles_unpublish(queryset=type(image.article).objects.filter(pk=image.article_id))
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not ImageRendition.objects.exists()
