"""Extension point: other apps add fields to the article API.

``articles`` never imports the apps built on it (``comments``, for one).
They subclass ``ArticleAPIExtension`` and ``register()`` an instance from
their ``AppConfig.ready()``; building an article's documents applies every
registered extension (``articles.documents``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from rest_framework import serializers

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


_registry: list[ArticleAPIExtension] = []


def register(extension: ArticleAPIExtension) -> None:
    """Add ``extension`` once (registering its class again replaces it)."""
    _registry[:] = [e for e in _registry if type(e) is not type(extension)]
    _registry.append(extension)


def registered() -> tuple[ArticleAPIExtension, ...]:
    return tuple(_registry)
