"""Keep stored image files in step with the rows that point at them."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from articles.models import Image


@receiver(post_delete, sender=Image, dispatch_uid="articles.image_file_delete")
def delete_image_file(sender, instance: Image, **kwargs) -> None:
    """Remove the file once the deletion is committed; a rollback keeps it."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
