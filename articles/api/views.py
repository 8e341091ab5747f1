"""The public read API: thin views over the selectors."""

from __future__ import annotations

from rest_framework import generics
from rest_framework.exceptions import ValidationError
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


class KnownQueryParamsMixin:
    """Answer 400 to query parameters the endpoint does not know.

    A misspelt filter (``?tags=``) would otherwise be ignored and return
    everything, which looks like a working filter.
    """

    known_query_params: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        unknown = set(request.query_params) - self.known_query_params - {"format"}
        if unknown:
            known = ", ".join(sorted(self.known_query_params)) or "none"
            raise ValidationError(
                {name: [f"Unknown query parameter. Known: {known}."] for name in sorted(unknown)},
                code="unknown_query_parameter",
            )


class ArticleListView(KnownQueryParamsMixin, generics.ListAPIView):
    """Public articles, newest first."""

    known_query_params = frozenset({"cursor", "page_size", "tag", "search"})
    permission_classes = [AllowAny]
    serializer_class = ArticleListSerializer
    pagination_class = NewestFirstPagination
    filterset_class = ArticleFilter

    def get_queryset(self):
        return article_list_public()


class ArticleDetailView(KnownQueryParamsMixin, generics.RetrieveAPIView):
    """One public article with every part."""

    permission_classes = [AllowAny]
    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return article_detail_public()
