"""Comments stored before reasons were kept get one: the reason they had, or the default hold."""

from django.db import migrations


def give_reasons(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    verdicts = {"pending": "hold", "spam": "spam", "approved": "approve", "removed": "hold"}
    # Every row's reasons are still the new field's default, the empty list.
    earlier = Comment.objects.exclude(moderation_reason="")
    for comment in earlier.only("pk", "status", "moderation_reason").iterator(chunk_size=1000):
        reason = {
            "rule": "",
            "verdict": verdicts[comment.status],
            "detail": comment.moderation_reason,
        }
        Comment.objects.filter(pk=comment.pk).update(reasons=[reason])
    Comment.objects.filter(moderation_reason="", status="pending", moderated_at=None).update(
        reasons=[{"rule": "default", "verdict": "hold", "detail": "no rule approved it: held by default"}],
        moderation_reason="no rule approved it: held by default",
    )


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_triage_reasons_reports")]

    operations = [migrations.RunPython(give_reasons, migrations.RunPython.noop)]
