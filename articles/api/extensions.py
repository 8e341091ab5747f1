"""Extension point: other apps add fields to the article API.

``articles`` never imports the apps built on it (``comments``, for one).
They subclass ``ArticleAPIExtension`` and ``register()`` an instance from
their ``AppConfig.ready()``; the article views and serializers apply every
registered extension.
"""

from __future__ import annotations

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


_registry: list[ArticleAPIExtension] = []


def register(extension: ArticleAPIExtension) -> None:
    """Add ``extension`` once (registering its class again replaces it)."""
    _registry[:] = [e for e in _registry if type(e) is not type(extension)]
    _registry.append(extension)


def registered() -> tuple[ArticleAPIExtension, ...]:
    return tuple(_registry)
