"""Comments stored before every vote was kept get the one reason they had, or the default hold."""

from django.db import migrations

DEFAULT_HOLD = "no rule approved it: held by default"


def verdict_of(status: str, reason: str) -> str:
    """The verdict behind a reason the rules wrote before this migration."""
    if reason.startswith("The author has an approved comment"):
        return "approve"
    if reason.startswith("The hidden honeypot") or status == "spam":
        return "spam"
    return "hold"  # links, a held term, or a comment decided since from the queue


def give_reasons(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    # One UPDATE per reason (reasons repeat), not per comment.
    earlier = (
        Comment.objects.exclude(moderation_reason="")
        .values_list("status", "moderation_reason")
        .distinct()
        .order_by()
    )
    for status, reason in list(earlier):
        Comment.objects.filter(status=status, moderation_reason=reason).update(
            reasons=[{"rule": "", "verdict": verdict_of(status, reason), "detail": reason}]
        )
    Comment.objects.filter(moderation_reason="", status="pending", moderated_at=None).update(
        reasons=[{"rule": "default", "verdict": "hold", "detail": DEFAULT_HOLD}],
        moderation_reason=DEFAULT_HOLD,
    )


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_triage_reasons_reports")]

    operations = [migrations.RunPython(give_reasons, migrations.RunPython.noop)]
