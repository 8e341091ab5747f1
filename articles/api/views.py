"""The public read API: thin views over built documents.

A plain JSON read is answered from the built bytes before DRF runs
(``ServedBytesMixin``); anything else (a cache miss, bad query parameters,
the browsable API) takes DRF's usual path, which builds what is missing.
"""

from __future__ import annotations

import time

from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from articles import documents
from articles.api.base import (
    AppDefaultsMixin,
    CheckedCursorPagination,
    KnownQueryParamsMixin,
    ServedBytesMixin,
)
from articles.api.extensions import registered
from articles.api.filters import ArticleFilter
from articles.api.serializers import ArticleDetailSerializer, ArticleListSerializer
from articles.preview import PreviewExpired, PreviewInvalid, preview_article_id
from articles.selectors import article_list_public, article_whole_queryset


class NewestFirstPagination(CheckedCursorPagination):
    """Newest first; search results best match first."""

    ordering = ("-published_at", "-id")
    page_size = 20
    max_page_size = 100

    def ordering_of(self, queryset) -> tuple[str, ...]:
        if "relevance" in queryset.query.annotations:
            return ("-relevance", "-published_at", "-id")
        return self.ordering


class ArticleListView(
    AppDefaultsMixin, ServedBytesMixin, KnownQueryParamsMixin, generics.ListAPIView
):
    """Public articles, newest first.

    Public reads (``AppDefaultsMixin``): nobody is identified, so no answer
    varies by cookie.
    """

    known_query_params = frozenset({"cursor", "page_size", "tag", "search"})
    # The shape of each item, for the schema; items are served from built documents.
    serializer_class = ArticleListSerializer
    pagination_class = NewestFirstPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter

    def served(self, request, **kwargs):
        query = request.META.get("QUERY_STRING", "")
        return documents.ARTICLE_LIST.cached_page(query, time.time())

    def get_queryset(self):
        return article_list_public()

    def list(self, request, *args, **kwargs):
        # The list's generation comes first: a change committed after this
        # replaces it, so a page read before the change is never served after.
        listing = documents.ARTICLE_LIST
        state = listing.generation(time.time(), documents.article_list_times)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        body = self.paginator.page_bytes(b"[" + b",".join(documents.list_items(page)) + b"]")
        served = listing.keep(state, request.META.get("QUERY_STRING", ""), body)
        return self.served_or_data(request, served)


class ArticleDetailView(
    AppDefaultsMixin, ServedBytesMixin, KnownQueryParamsMixin, generics.RetrieveAPIView
):
    """One public article with every part."""

    # The document's shape, for the schema; the document is built with it.
    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def served(self, request, *, slug: str):
        if request.META.get("QUERY_STRING"):
            return None  # DRF checks the parameters
        return documents.detail_served(slug=slug)

    def retrieve(self, request, *args, slug: str, **kwargs):
        served = documents.detail_served(slug=slug)
        if served is None:
            raise Http404
        return self.served_or_data(request, served)


class PreviewSerializer(ArticleDetailSerializer):
    """The detail's shape, and where the article stands: a preview may be of a draft."""

    status = serializers.SerializerMethodField(
        help_text="draft: not published; scheduled: public from published_at; published: public."
    )

    class Meta(ArticleDetailSerializer.Meta):
        fields = [*ArticleDetailSerializer.Meta.fields, "status"]

    @extend_schema_field({"type": "string", "enum": ["draft", "scheduled", "published"]})
    def get_status(self, article) -> str:
        if article.status != article.Status.PUBLISHED:
            return "draft"
        return "published" if article.is_public else "scheduled"


class PreviewView(AppDefaultsMixin, KnownQueryParamsMixin, generics.GenericAPIView):
    """An article as it stands, draft or not, in the detail's shape, for a signed preview link.

    Never cached, never indexed: a preview is for the editor holding the link.
    """

    serializer_class = PreviewSerializer

    @extend_schema(
        responses={200: PreviewSerializer},
        description="The token comes from the admin's Preview button and works for an hour "
        "(RLS_ARTICLES['PREVIEW_MAX_AGE']); 403 once expired or if altered, 404 if the "
        "article was deleted.",
    )
    def get(self, request, token: str):
        try:
            article_id = preview_article_id(token)
        except PreviewExpired:
            raise PermissionDenied(
                _("This preview link has expired: open a new one from the admin."),
                code="preview_expired",
            ) from None
        except PreviewInvalid:
            raise PermissionDenied(
                _("This is not a valid preview link."), code="invalid_preview"
            ) from None
        queryset = article_whole_queryset().filter(pk=article_id)
        for extension in registered():
            queryset = extension.detail_queryset(queryset)
        article = queryset.first()
        if article is None:
            raise NotFound(_("The article of this preview no longer exists."))
        response = Response(self.get_serializer(article).data)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response
