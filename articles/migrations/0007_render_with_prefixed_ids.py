"""Render stored HTML again: ids written in Markdown are now prefixed (articles.markdown)."""

from django.db import migrations
from django.db.models import F

BATCH = 500


def render_again(apps, schema_editor):
    # Today's renderer, not a frozen copy: the point is HTML as it renders now.
    from articles.markdown import render_markdown

    Article = apps.get_model("articles", "Article")
    Section = apps.get_model("articles", "Section")
    for model, source, target in ((Article, "intro", "intro_html"), (Section, "body", "body_html")):
        rows = model.objects.exclude(**{source: ""}).only("pk", source, target).order_by("pk")
        changed = []
        for row in rows.iterator(chunk_size=BATCH):
            html = render_markdown(getattr(row, source))
            if html != getattr(row, target):
                setattr(row, target, html)
                changed.append(row)
        model.objects.bulk_update(changed, [target], batch_size=BATCH)
    # Built documents hold the old HTML: count a change, as the funnel would.
    Article.objects.update(version=F("version") + 1)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_image_renditions")]

    operations = [migrations.RunPython(render_again, migrations.RunPython.noop)]
