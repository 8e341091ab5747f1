"""Building blocks of the API views: bad input gets a 4xx with a reason, never a 500."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import CursorPagination


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

    def paginate_queryset(self, queryset, request, view=None):
        self._position_field = queryset.model._meta.get_field(self.ordering[0].lstrip("-"))
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
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


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering absurdly nested JSON with 400, not 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply.")) from None
