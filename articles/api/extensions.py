"""Extension point: other apps add fields to the article API.

``articles`` never imports the apps built on it (``comments``, for one).
They subclass ``ArticleAPIExtension`` and name it by dotted path in their
``AppConfig.article_api_extensions``; building an article's documents
(``articles.documents``) applies every one. ``RLS_ARTICLES["API_EXTENSIONS"]``,
a list of dotted paths, replaces what the installed apps name.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.apps import apps
from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils.module_loading import import_string
from rest_framework import serializers

from articles.conf import article_settings
from articles.models import Article


class ArticleAPIExtension:
    """Override what you need; each default leaves the API as it is.

    The queryset hooks must add what the fields read (annotations, prefetches)
    so that the endpoints keep a fixed number of queries.
    """

    def list_queryset(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        return queryset

    def detail_queryset(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        return queryset

    def list_fields(self) -> dict[str, serializers.Field]:
        return {}

    def detail_fields(self) -> dict[str, serializers.Field]:
        return {}

    def settings_fingerprint(self) -> str:
        """The settings the added fields depend on, as text: built documents follow them."""
        return ""

    def expires_at(self, article: Article) -> dt.datetime | None:
        """When the fields added to ``article``'s document change with no write (None: never).

        Built documents are rebuilt at that time: override this when a field
        depends on the clock.
        """
        return None


def extension_paths() -> list[str]:
    """Dotted paths of the extensions: the setting, or what the installed apps name."""
    configured = article_settings.API_EXTENSIONS
    if configured is not None:
        return list(configured)
    return [
        path
        for config in apps.get_app_configs()
        for path in getattr(config, "article_api_extensions", ())
    ]


@functools.cache
def registered() -> tuple[ArticleAPIExtension, ...]:
    """The extensions, imported and made once (again when settings change)."""
    return tuple(import_string(path)() for path in extension_paths())


@receiver(setting_changed, dispatch_uid="articles.api.extensions.reset")
def _settings_changed(**kwargs) -> None:
    registered.cache_clear()
