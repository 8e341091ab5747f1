import datetime as dt

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def fill_live_columns(apps, schema_editor):
    """The slug, tags and time each live version holds, as columns; its time leaves the content."""
    LiveArticle = apps.get_model("articles", "LiveArticle")
    for live in LiveArticle.objects.iterator(chunk_size=500):
        fields = live.content["article"]
        live.slug = fields["slug"]
        updated_at = fields.pop("updated_at", None)
        if updated_at:
            live.changed_at = dt.datetime.fromisoformat(updated_at)
        live.save(update_fields=["slug", "changed_at", "content"])
        live.tags.set(live.content["tags"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_live_article"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [
                    ("publish_article", "Can publish articles and their changes"),
                    ("sign_off_article", "Can sign off articles medically"),
                ],
                "verbose_name": "article",
                "verbose_name_plural": "articles",
            },
        ),
        migrations.AddField(
            model_name="article",
            name="has_unpublished_changes",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="unpublished changes"
            ),
        ),
        migrations.AddField(
            model_name="livearticle",
            name="format",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="format"),
        ),
        migrations.AddField(
            model_name="livearticle",
            name="changed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When this content went live: the content's Last-Modified and dateModified.",
                verbose_name="went live at",
            ),
        ),
        migrations.AddField(
            model_name="livearticle",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="published by",
            ),
        ),
        migrations.AddField(
            model_name="livearticle",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="articles.tag", verbose_name="tags"
            ),
        ),
        migrations.AddField(
            model_name="livearticle",
            name="slug",
            # No index yet: the AlterField below makes the unique one (two
            # would clash on PostgreSQL, Django ticket #28646).
            field=models.SlugField(
                db_index=False, max_length=200, null=True, verbose_name="slug"
            ),
        ),
        migrations.RunPython(fill_live_columns, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="livearticle",
            name="slug",
            field=models.SlugField(max_length=200, unique=True, verbose_name="slug"),
        ),
    ]
