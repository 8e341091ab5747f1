"""The public read API: thin views over built documents.

A plain JSON read is answered from the built bytes before DRF runs
(``ServedBytesMixin``); anything else (a cache miss, bad query parameters,
the browsable API) takes DRF's usual path, which builds what is missing.
"""

from __future__ import annotations

import time

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.response import Response

from articles import documents
from articles.api.base import (
    SLUG_PARAMETER,
    TAG_SLUG_SCHEMA,
    AppDefaultsMixin,
    CheckedCursorPagination,
    IsoDateTimeField,
    KnownQueryParamsMixin,
    ServedBytesMixin,
)
from articles.api.extensions import registered
from articles.api.filters import SEARCH_MAX_LENGTH, ArticleFilter
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


@extend_schema_view(
    get=extend_schema(
        tags=["articles"],
        operation_id="articles_list",
        summary="List published articles",
        description=(
            "Published articles, newest first; with `search`, best match first. A page holds "
            "`page_size` articles (20 unless asked, at most 100); follow `next` until it is null. "
            "Scheduled and draft articles never appear. Answers carry an ETag: send it back in "
            "If-None-Match and a 304 says your copy is current."
        ),
        parameters=[
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
                description=ArticleFilter.base_filters["search"].label,
            ),
            OpenApiParameter(
                "tag",
                TAG_SLUG_SCHEMA,
                description=ArticleFilter.base_filters["tag"].label,
            ),
        ],
    )
)
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


@extend_schema_view(
    get=extend_schema(
        tags=["articles"],
        operation_id="article_retrieve",
        summary="Read an article",
        description=(
            "A published article with every part, by its slug: 404 for an unknown slug and for "
            "drafts and scheduled articles alike. Revalidate with If-None-Match (304)."
        ),
        parameters=[SLUG_PARAMETER],
    )
)
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
    """An article as its editor sees it, draft or not: the detail's shape, and where it stands."""

    published_at = IsoDateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the article becomes or became public; null: a draft with no date yet.",
    )
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


class PreviewBearerAuthentication(BaseAuthentication):
    """Hands on the token of ``Authorization: Bearer <token>`` as ``request.auth``.

    It names no user and checks nothing: the view checks the token, so that
    both forms answer alike. Without it, DRF's 401 says ``WWW-Authenticate: Bearer``.
    """

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            return None
        return AnonymousUser(), parts[1].decode("latin-1")

    def authenticate_header(self, request) -> str:
        return "Bearer"


class PreviewBearerScheme(OpenApiAuthenticationExtension):
    """The header form's security scheme in the OpenAPI document."""

    target_class = PreviewBearerAuthentication
    name = "previewToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The preview token of the admin's Preview link (its `{token}`).",
        }


PREVIEW_ANSWERS = (
    "The article in the detail's shape, with `status`: draft, scheduled or published. A token "
    "works for an hour (RLS_ARTICLES['PREVIEW_MAX_AGE']): 403 once expired or if altered "
    "(`code` preview_expired or invalid_preview), 404 if the article was deleted. Never cached "
    "(Cache-Control: private, no-store), never indexed (X-Robots-Tag: noindex)."
)


class PreviewView(AppDefaultsMixin, KnownQueryParamsMixin, generics.GenericAPIView):
    """An article as it stands, draft or not, in the detail's shape, for a signed preview link.

    Never cached, never indexed: a preview is for the editor holding the link.
    This class reads the token from the address (``preview/<token>/``, kept
    for the frontends that use it); ``PreviewHeaderView`` from a header.
    """

    serializer_class = PreviewSerializer

    @extend_schema(
        tags=["preview"],
        operation_id="preview_retrieve_by_path",
        deprecated=True,
        responses={200: PreviewSerializer},
        parameters=[
            OpenApiParameter(
                "token",
                {"type": "string", "maxLength": 200},
                OpenApiParameter.PATH,
                description="The token of the admin's Preview link.",
            )
        ],
        description="Deprecated: send the token as `Authorization: Bearer <token>` to "
        "GET /api/v1/preview/ instead. A token in the address ends up in access logs, "
        "browser history and Referer headers. " + PREVIEW_ANSWERS,
    )
    def get(self, request, token: str):
        return self.preview(token)

    def preview(self, token: str) -> Response:
        """The article ``token`` names: 403 with a code if expired or altered, 404 once deleted."""
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
        return Response(self.get_serializer(article).data)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # A frontend tells an expired link from an altered one by its code.
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        if getattr(detail, "code", None):
            response.data["code"] = detail.code
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Every answer, a refusal too, is for the holder of the token alone.
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


class PreviewHeaderView(PreviewView):
    """The preview with its token in ``Authorization: Bearer``: out of every address, so
    out of access logs, browser history and Referer headers."""

    authentication_classes = [PreviewBearerAuthentication]
    # The token is the only permission (``preview`` checks it); none given
    # is a 401, and the document marks the scheme required.
    permission_classes = []

    @extend_schema(
        tags=["preview"],
        operation_id="preview_retrieve",
        responses={200: PreviewSerializer},
        description="Send the token of the admin's Preview link as `Authorization: Bearer "
        "<token>`; 401 (WWW-Authenticate: Bearer) without one. " + PREVIEW_ANSWERS,
    )
    def get(self, request):
        if request.auth is None:
            raise NotAuthenticated(
                _("Send the preview token in the Authorization header: Bearer <token>.")
            )
        return self.preview(request.auth)
