"""The flood rule reads the client key now (comment_client_idx): the address's index goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("comments", "0006_keys_of_stored_addresses")]

    operations = [migrations.RemoveIndex(model_name="comment", name="comment_flood_idx")]
