from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")
    default_auto_field = "django.db.models.BigAutoField"
    # What comments add to the article API (comment_count, comments): named,
    # not imported, so the API layer loads only when the API is used.
    article_api_extensions = ["comments.api.article_fields.CommentsExtension"]

    def ready(self) -> None:
        from comments import checks, signals  # noqa: F401  (registers checks and receivers)
