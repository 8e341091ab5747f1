"""Building blocks of the API views.

Bad input gets a 4xx with a reason, never a 500; built documents and pages
go out as the stored bytes, with their validators and cache headers.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import json
import math
import time
from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter
from rest_framework import ISO_8601, parsers, renderers, serializers
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.metadata import SimpleMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import DEFAULTS, IMPORT_STRINGS, APISettings, api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from articles.api.renderers import JSONRenderer
from articles.conf import article_settings
from articles.documents import Served, render_json
from articles.http import conditional_response
from articles.models import Article, Tag

# Links in documents are paths unless BASE_URL is set: URI references, not URIs.
URI_REFERENCE = {"type": "string", "format": "uri-reference", "maxLength": 2000}
SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"
# An article's slug in an address, as the model's SlugField bounds it.
SLUG_SCHEMA = {
    "type": "string",
    "maxLength": Article._meta.get_field("slug").max_length,
    "pattern": SLUG_PATTERN,
}
# A tag's slug in ?tag=, as its model bounds it.
TAG_SLUG_SCHEMA = {
    "type": "string",
    "maxLength": Tag._meta.get_field("slug").max_length,
    "pattern": SLUG_PATTERN,
}
SLUG_DESCRIPTION = "The article's slug, as in its `slug` field."
SLUG_PARAMETER = OpenApiParameter(
    "slug", SLUG_SCHEMA, OpenApiParameter.PATH, description=SLUG_DESCRIPTION
)


def public_url(path: str) -> str:
    """``path`` as documents link to it: under ``RLS_ARTICLES["BASE_URL"]``, or as it is.

    Documents are stored and cached once for every host, so their links do
    not come from the request.
    """
    base = article_settings.BASE_URL
    # "//host/…" (a MEDIA_URL on a CDN) names its own host.
    on_this_host = path.startswith("/") and not path.startswith("//")
    return base.rstrip("/") + path if base and on_this_host else path


def cache_control(expires_at: float) -> str:
    """Cache-Control for a public answer that stays true until ``expires_at``."""
    max_age = article_settings.MAX_AGE
    if expires_at != math.inf:
        # A scheduled change ends what any cache may keep.
        max_age = max(0, min(max_age, math.floor(expires_at - time.time())))
    if max_age == 0:
        return "public, no-cache"
    stale = article_settings.STALE_WHILE_REVALIDATE
    return f"public, max-age={max_age}" + (f", stale-while-revalidate={stale}" if stale else "")


def served_response(
    request: HttpRequest,
    served: Served,
    headers: dict[str, str],
    content_type: str = "application/json",
) -> HttpResponse:
    """Send built bytes: 200, 304 when the client holds them already, 412 when a
    precondition (If-Match, If-Unmodified-Since) fails."""
    response = conditional_response(
        request, etag=served.etag, last_modified=int(served.last_modified)
    ) or HttpResponse(served.body, content_type=content_type)
    if response.status_code == 412 and content_type == "application/json":
        body = {
            "detail": _("It changed since the version you hold: the precondition failed."),
            "code": "precondition_failed",
        }
        response = HttpResponse(render_json(body), content_type=content_type, status=412)
    response["ETag"] = served.etag
    response["Last-Modified"] = http_date(served.last_modified)
    # A refusal is kept by nobody; its validators say what is current.
    response["Cache-Control"] = (
        "no-store" if response.status_code == 412 else cache_control(served.expires_at)
    )
    for name, value in headers.items():
        if name == "Vary":
            patch_vary_headers(response, [value])
        else:
            response[name] = value
    return response


class ServedBytesMixin:
    """Answer plain JSON reads from built bytes before DRF's request handling runs.

    ``served(request, **kwargs)`` returns the bytes or None (then DRF handles
    the request as usual: errors, the browsable API, building on a miss).
    """

    def served(self, request: HttpRequest, **kwargs) -> Served | None:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if (
            request.method in ("GET", "HEAD")
            and "format" not in request.GET
            # Anything else (Accept: text/csv) gets DRF's 406.
            and request.accepts("application/json")
            and not self.prefers_html(request)
        ):
            served = self.served(request, **kwargs)
            if served is not None:
                return served_response(request, served, self.default_response_headers)
        return super().dispatch(request, *args, **kwargs)

    def prefers_html(self, request: HttpRequest) -> bool:
        # Only the browsable API (DEBUG) answers anything but JSON.
        return (
            len(self.renderer_classes) > 1
            and request.get_preferred_type(["application/json", "text/html"]) == "text/html"
        )

    def served_or_data(self, request, served: Served):
        """``served`` as bytes for JSON, or as data for another renderer (the browsable API)."""
        if request.accepted_renderer.format == "json":
            return served_response(request, served, self.default_response_headers)
        return Response(json.loads(served.body))


class CheckedCursorPagination(CursorPagination):
    """DRF's cursor paging, strict about ``page_size`` and forged cursors.

    A page costs the same at item 20 and at item 100,000. Subclasses set
    ``ordering``, ``page_size`` and ``max_page_size``.
    """

    page_size_query_param = "page_size"

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Enter a whole number from 1 to %d.") % self.max_page_size
                    ]
                },
                code="invalid_page_size",
            )
        return int(raw)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            paginated["properties"][link] = {**URI_REFERENCE, "nullable": True}
        paginated["properties"]["next"]["description"] = "The next page; null on the last."
        paginated["properties"]["previous"]["description"] = "The page before; null on the first."
        paginated["properties"]["results"]["maxItems"] = self.schema_max_page_size()
        # Both links are always sent (null at either end).
        paginated["required"] = ["next", "previous", "results"]
        return paginated

    def schema_max_page_size(self) -> int:
        return self.max_page_size

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.schema_max_page_size()}
                parameter["description"] = "How many items a page holds."
            elif parameter["name"] == self.cursor_query_param:
                parameter["schema"] |= {"maxLength": 1000}
                parameter["description"] = (
                    "Where a page starts: leave it out for the first page, then follow "
                    "`next` and `previous` rather than building one."
                )
        return parameters

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        ordering = self.ordering_of(queryset)
        name = ordering[0].lstrip("-")
        annotation = queryset.query.annotations.get(name)
        self._position_field = (
            annotation.output_field
            if annotation is not None
            else queryset.model._meta.get_field(name)
        )
        return ordering

    def ordering_of(self, queryset) -> tuple[str, ...]:
        """The order of this queryset's pages; override to depend on what it is."""
        return self.ordering

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        # Links to other pages are paths (or under BASE_URL), like every link
        # in a stored page: the same bytes serve every host name.
        self.base_url = public_url(request.get_full_path())
        return page

    def page_bytes(self, results: bytes) -> bytes:
        """The page as DRF would render it, around ``results``, a JSON array already."""
        links = render_json({"next": self.get_next_link(), "previous": self.get_previous_link()})
        return links[:-1] + b',"results":' + results + b"}"

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None:
            try:
                # DRF's decoder drops what is not base64; a cursor we made has none.
                base64.b64decode(encoded.encode("ascii"), validate=True)
            except (ValueError, binascii.Error):
                raise NotFound(self.invalid_cursor_message) from None
        cursor = super().decode_cursor(request)
        # DRF caps a larger offset silently; a cursor we made never comes near it.
        if cursor is not None and cursor.offset >= self.offset_cutoff:
            raise NotFound(self.invalid_cursor_message)
        if cursor is None or cursor.position is None:
            return cursor
        # A well-formed cursor can still carry a position that is no value of
        # the ordering field (hand-made, or from another endpoint): check it
        # here, in Python, before a database sees it.
        try:
            value = self._position_field.to_python(cursor.position)
            if isinstance(value, dt.datetime):
                value = value.astimezone(dt.UTC)  # offsets the database refuses
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise NotFound(self.invalid_cursor_message) from None
        position = value.isoformat() if isinstance(value, dt.datetime) else str(value)
        return cursor._replace(position=position)


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
        repeated = sorted(
            n for n in request.query_params if len(request.query_params.getlist(n)) > 1
        )
        if repeated:
            # Which of two values was meant? Neither is guessed.
            raise ValidationError(
                {name: [_("Give this parameter once.")] for name in repeated},
                code="repeated_query_parameter",
            )


# The largest request body the endpoints read. A comment is at most about
# 25 kB of JSON (5,000 characters, four bytes each at worst, and its other
# fields); a bulk moderation request 500 ids.
MAX_BODY_BYTES = 64 * 1024


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = _("The request body is larger than %(size)d kB.") % {
        "size": MAX_BODY_BYTES // 1024
    }
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing oversized or absurdly nested bodies with a 4xx, not a 500.

    ``AppDefaultsMixin`` refuses a body whose Content-Length is over the
    limit before anything reads it; this is the second line.
    """

    strict = True  # NaN and Infinity are not JSON, whatever STRICT_JSON said at import

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply.")) from None


class KnownFieldsMixin:
    """An input serializer that answers 400 to fields it does not know.

    A misspelt optional field ("websit") would otherwise vanish unnoticed.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                known = ", ".join(sorted(self.fields))
                raise ValidationError(
                    {name: [_("Unknown field. Known: %s.") % known] for name in unknown},
                    code="unknown_field",
                )
        return super().to_internal_value(data)


class _DRFDefaults(APISettings):
    """DRF's own defaults, whatever the host's REST_FRAMEWORK says."""

    user_settings = {}


DRF_DEFAULTS = _DRFDefaults(defaults=DEFAULTS, import_strings=IMPORT_STRINGS)


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation, with DRF's default ``?format=`` parameter."""

    settings = DRF_DEFAULTS


def exception_handler(exc, context):
    """DRF's own handler, with errors that belong to no field under ``non_field_errors``.

    DRF names that key from the host's REST_FRAMEWORK["NON_FIELD_ERRORS_KEY"]
    when it builds the error; the contract names it ``non_field_errors``.
    """
    response = drf_exception_handler(exc, context)
    host_key = api_settings.NON_FIELD_ERRORS_KEY
    data = getattr(response, "data", None)
    if host_key != "non_field_errors" and isinstance(data, dict) and host_key in data:
        response.data = {
            ("non_field_errors" if key == host_key else key): value for key, value in data.items()
        }
    return response


class IsoDateTimeField(serializers.DateTimeField):
    """A date and time written as ISO 8601, whatever REST_FRAMEWORK["DATETIME_FORMAT"] says."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("format", ISO_8601)
        super().__init__(**kwargs)


class IsoDateField(serializers.DateField):
    """A date written as ISO 8601, whatever REST_FRAMEWORK["DATE_FORMAT"] says."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("format", ISO_8601)
        super().__init__(**kwargs)


class ReadModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer for answers: dates as the contract writes them, every field read-only.

    The apps' model serializers shape answers only. Every field is always
    sent, so each is read-only, which the OpenAPI document marks required
    (and nullable where the model allows null): a typed client need not
    test for a field that is always there.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: IsoDateTimeField,
        models.DateField: IsoDateField,
        # Ids are numbers, whatever REST_FRAMEWORK["COERCE_BIGINT_TO_STRING"] says.
        models.BigAutoField: serializers.IntegerField,
        models.BigIntegerField: serializers.IntegerField,
    }

    def get_extra_kwargs(self) -> dict:
        extra = super().get_extra_kwargs()
        for name in getattr(self.Meta, "fields", ()):
            extra.setdefault(name, {})["read_only"] = True
        return extra


class AppDefaultsMixin:
    """Everything the apps' endpoints rely on, set on the views.

    A host's REST_FRAMEWORK shapes the host's own API; it never reaches
    ours, whose contract (JSON, its error shape, who may call) is fixed. A
    host changes what the apps allow through RLS_ARTICLES and RLS_COMMENTS.
    What DRF reads per view (``self.settings``: the view name, the error
    handler, ``?format=``) comes from DRF's defaults.
    """

    settings = DRF_DEFAULTS

    parser_classes = [JSONParser]
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    filter_backends = []
    pagination_class = None
    content_negotiation_class = ContentNegotiation
    metadata_class = SimpleMetadata
    versioning_class = None

    @property
    def renderer_classes(self) -> list[type[renderers.BaseRenderer]]:
        if article_settings.BROWSABLE_API:
            return [JSONRenderer, renderers.BrowsableAPIRenderer]
        return [JSONRenderer]

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs) -> None:
        # Refused from its Content-Length, before DRF reads the body into memory.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        super().initial(request, *args, **kwargs)


def not_found(detail: str):
    """A view answering 404 in the API's JSON shape, for addresses no slug or id could fill.

    Mounted after the real patterns, at their shape (``articles/<anything>/``):
    an address with a character a slug cannot hold gets the same answer as an
    unknown slug, not the host's HTML page.
    """

    @csrf_exempt  # it changes nothing; a POST gets the same 404, not a CSRF page
    def view(request, *args, **kwargs) -> JsonResponse:
        return JsonResponse({"detail": detail}, status=404)

    return view
