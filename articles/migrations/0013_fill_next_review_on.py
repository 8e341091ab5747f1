from django.db import migrations


def fill_next_review_on(apps, schema_editor):
    """Each reviewed article's next review, from its last review and the site's interval."""
    from articles.conf import article_settings
    from articles.models import add_months

    Article = apps.get_model("articles", "Article")
    months = article_settings.REVIEW_INTERVAL_MONTHS
    for article in Article.objects.filter(last_reviewed_on__isnull=False).only(
        "pk", "last_reviewed_on"
    ):
        Article.objects.filter(pk=article.pk).update(
            next_review_on=add_months(article.last_reviewed_on, months)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_signoffs_and_review_schedule")]

    operations = [migrations.RunPython(fill_next_review_on, migrations.RunPython.noop)]
