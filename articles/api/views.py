"""The public read API: thin views over the selectors."""

from __future__ import annotations

from rest_framework import generics
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny

from articles.api.filters import ArticleFilter
from articles.api.serializers import ArticleDetailSerializer, ArticleListSerializer
from articles.selectors import article_detail_public, article_list_public


class NewestFirstPagination(CursorPagination):
    # Keyset paging: a page costs the same at article 20 and at article 100,000.
    ordering = ("-published_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ArticleListView(generics.ListAPIView):
    """Public articles, newest first."""

    permission_classes = [AllowAny]
    serializer_class = ArticleListSerializer
    pagination_class = NewestFirstPagination
    filterset_class = ArticleFilter

    def get_queryset(self):
        return article_list_public()


class ArticleDetailView(generics.RetrieveAPIView):
    """One public article with every part."""

    permission_classes = [AllowAny]
    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return article_detail_public()
