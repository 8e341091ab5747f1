"""Conditional answers (304, 412) that every client reads right."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response


class NotModified(HttpResponseNotModified):
    """A 304 with no Content-Length.

    RFC 9110 allows a 304 only the 200's length, and Node's fetch (undici)
    then waits on a kept-alive connection for that many bytes that never
    come; Django's CommonMiddleware gives any response without the header
    the empty body's "0". Saying the header is there keeps it off.
    """

    def has_header(self, header: str) -> bool:
        return header.lower() == "content-length" or super().has_header(header)


def conditional_response(
    request: HttpRequest,
    *,
    etag: str,
    last_modified: int | None,
    response: HttpResponse | None = None,
) -> HttpResponse | None:
    """Django's ``get_conditional_response``, its 304 without a Content-Length."""
    answer = get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )
    if answer is None or answer.status_code != 304:
        return answer
    not_modified = NotModified()
    for name, value in answer.items():
        not_modified[name] = value
    return not_modified
