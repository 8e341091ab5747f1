from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")
    default_auto_field = "django.db.models.BigAutoField"
    # What comments add to the article API (comment_count, comments): named,
    # not imported, so the API layer loads only when the API is used.
    article_api_extensions = ["comments.api.article_fields.CommentsExtension"]

    def import_models(self) -> None:
        # Our models point at articles': without the app, Django's own error
        # would name a model of articles, not the missing app.
        if not apps.is_installed("articles"):
            raise ImproperlyConfigured(
                "The comments app needs 'articles' in INSTALLED_APPS: add it before 'comments'."
            )
        super().import_models()

    def ready(self) -> None:
        from comments import checks, signals  # noqa: F401  (registers checks and receivers)
