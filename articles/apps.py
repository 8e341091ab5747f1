from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the system checks and connects the receivers.
        from articles import (  # noqa: F401
            checks,
            documents,
            housekeeping,
            renditions,
            review,
            revisions,
            scheduling,
            search,
            signals,
            webhooks,
        )
