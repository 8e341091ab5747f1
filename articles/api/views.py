"""The public read API: thin views over the selectors."""

from __future__ import annotations

from rest_framework import generics
from rest_framework.permissions import AllowAny

from articles.api.base import CheckedCursorPagination, KnownQueryParamsMixin
from articles.api.extensions import registered
from articles.api.filters import ArticleFilter
from articles.api.serializers import ArticleDetailSerializer, ArticleListSerializer
from articles.selectors import article_detail_public, article_list_public


class NewestFirstPagination(CheckedCursorPagination):
    ordering = ("-published_at", "-id")
    page_size = 20
    max_page_size = 100


class ArticleListView(KnownQueryParamsMixin, generics.ListAPIView):
    """Public articles, newest first."""

    known_query_params = frozenset({"cursor", "page_size", "tag", "search"})
    permission_classes = [AllowAny]
    serializer_class = ArticleListSerializer
    pagination_class = NewestFirstPagination
    filterset_class = ArticleFilter

    def get_queryset(self):
        queryset = article_list_public()
        for extension in registered():
            queryset = extension.list_queryset(queryset)
        return queryset


class ArticleDetailView(KnownQueryParamsMixin, generics.RetrieveAPIView):
    """One public article with every part."""

    permission_classes = [AllowAny]
    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        queryset = article_detail_public()
        for extension in registered():
            queryset = extension.detail_queryset(queryset)
        return queryset
