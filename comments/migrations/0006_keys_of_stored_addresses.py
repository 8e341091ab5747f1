"""Comments stored before the client key get it from their address (comments.models.client_key).

Its own migration, outside a transaction: on a large table each batch
commits as it goes, and no lock is held for the whole fill.
"""

from django.db import migrations
from django.utils.crypto import salted_hmac

BATCH = 1000


def keys_of_stored_addresses(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    keys = {}
    pending = Comment.objects.exclude(ip_address=None).filter(client_key="").order_by("pk")
    last = 0
    while batch := list(pending.filter(pk__gt=last)[:BATCH]):
        for comment in batch:
            address = comment.ip_address
            if address not in keys:
                keys[address] = salted_hmac(
                    "rls_cms.comments.client", address, algorithm="sha256"
                ).hexdigest()
            comment.client_key = keys[address]
        Comment.objects.bulk_update(batch, ["client_key"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("comments", "0005_client_key")]

    operations = [
        migrations.RunPython(keys_of_stored_addresses, migrations.RunPython.noop, elidable=True),
    ]
