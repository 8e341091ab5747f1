from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from articles.api.extensions import register
        from comments import checks, signals  # noqa: F401  (registers checks and receivers)
        from comments.api.article_fields import CommentsExtension

        register(CommentsExtension())
