"""The ``article_changed`` signal, and stored image files kept in step with their rows."""

from __future__ import annotations

import enum

from django.db import transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import Signal, receiver

from articles.models import Image, ImageRendition

# Sent by ``articles.services.articles_mark_changed``, inside the writer's
# transaction, whenever what the public API shows of some articles changes,
# with ``article_ids`` (frozenset), ``slugs`` (every slug those articles are or
# were served under) and ``reason`` (a ``Reason``, below).
# Built documents, caches and the search index hang here; a receiver with
# work that must wait for the commit uses ``transaction.on_commit``.
article_changed = Signal()

# Sent once a minute by the periodic task (articles.tasks.every_minute), by
# one worker however many run: for work that comes due with time itself.
minute_passed = Signal()

# Sent by the housekeeping (articles.housekeeping) to collect what it sweeps:
# each receiver returns a list of ``Sweep``; apps and hosts add their own.
housekeeping_sweeps = Signal()

# Sent by ``manage.py tasks_worker`` as a worker starts, before it takes tasks:
# to make up at once for what a worker that died left undone.
worker_starting = Signal()


class Reason(enum.StrEnum):
    """Why ``article_changed`` was sent: receivers may skip what does not concern them."""

    SAVED = "saved"  # the editor's form, with its inlines
    IMPORTED = "imported"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    DELETED = "deleted"
    TAGS = "tags"  # a tag renamed or deleted
    COMMENTS = "comments"  # counts and lists of approved comments
    RENDITIONS = "renditions"  # smaller copies of images made (srcset)
    # Rows written outside the funnel (bulk_create, SQL, loaddata) brought up to
    # date by ``manage.py update_index``: index and documents rebuilt, caches
    # dropped; no revision, no webhook (nothing an editor did).
    REINDEX = "reindex"


@receiver(pre_delete, sender=Image, dispatch_uid="articles.image_copies_delete")
def delete_image_copies(sender, instance: Image, **kwargs) -> None:
    """An image row goes: its copies go too, unless the live version still shows its file.

    Those stay, without their row, until the live version stops showing the
    file (``articles.live``): a draft's deleted image is still on the page.
    """
    from articles.live import live_image_files

    shown = live_image_files(instance.article_id).get(instance.pk, [])
    ImageRendition.objects.filter(image=instance).exclude(source__in=shown).delete()


# An image's own file outlives its row: the article's revisions refer to it,
# and restoring one brings the image back. Its copies are made again then.
@receiver(post_delete, sender=ImageRendition, dispatch_uid="articles.rendition_file_delete")
def delete_rendition_file(sender, instance: ImageRendition, **kwargs) -> None:
    """Remove the copy's file once the deletion is committed; a rollback keeps it."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
