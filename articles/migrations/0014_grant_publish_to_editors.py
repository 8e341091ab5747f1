from django.conf import settings
from django.db import migrations


def grant_publish_to_editors(apps, schema_editor):
    """Who could change articles published them: they keep that right (publish_article)."""
    from django.contrib.auth.management import create_permissions

    # The new permissions exist only after migrate ends (post_migrate): make them now.
    config = apps.get_app_config("articles")
    if not getattr(config, "models_module", None):
        config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    found = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="articles", codename__in=["change_article", "publish_article"]
        )
    }
    if len(found) < 2:
        return
    change, publish = found["change_article"], found["publish_article"]
    for group in Group.objects.filter(permissions=change):
        group.permissions.add(publish)
    if any(f.name == "user_permissions" for f in User._meta.get_fields()):
        for user in User.objects.filter(user_permissions=change):
            user.user_permissions.add(publish)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_fill_next_review_on"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(grant_publish_to_editors, migrations.RunPython.noop)]
