"""One structured log line per request: what was asked, the answer, how long it took.

Never who asked: no IP address, user agent, cookie or query string (a
search or a cursor is not personal, but a query string can carry anything).
Never a preview token either: whoever reads the logs could open the draft.
The path of the API's older preview form carries one
(``/api/v1/preview/<token>/``), and Django's own lines name paths
("Forbidden: ...") and, under runserver, whole request lines with the query
string (``?preview=<token>``): ``RedactPreviewTokens`` takes them out.
"""

from __future__ import annotations

import logging
import re
import time

from pythonjsonlogger.core import RESERVED_ATTRS

logger = logging.getLogger("rls_cms.requests")

# The JSON lines formatter of Django's logs and gunicorn's (logging.config's form).
JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    # Django's request logger attaches the request object: never logged.
    "reserved_attrs": [*RESERVED_ATTRS, "request"],
}


def console_handler(log_format: str, **options) -> dict:
    """The one console handler of Django's logs and gunicorn's (logging.config's form):
    JSON lines or text, and preview tokens out of every line."""
    return {
        "formatters": {
            "json": JSON_FORMATTER,
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "filters": {"preview_tokens": {"()": "rls_cms.request_log.RedactPreviewTokens"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["preview_tokens"],
                **options,
            }
        },
    }


# A path segment after /preview/, or a preview= query parameter's value.
PREVIEW_TOKEN = re.compile(r"(?<=/preview/)[^/?#\s]+|(?<=[?&]preview=)[^&#\s]+")
# What every log record has; anything else on a record came as ``extra``.
RECORD_ATTRS = frozenset(vars(logging.makeLogRecord({})))


def redact_preview_tokens(text: str) -> str:
    """``text`` with each preview token in a path or a query string replaced by ``<token>``."""
    return PREVIEW_TOKEN.sub("<token>", text)


class RedactPreviewTokens(logging.Filter):
    """Takes preview tokens out of a record's message and its ``extra`` strings.

    Set on the loggers whose lines name paths (``django.request``,
    ``django.server``): a logger's filter changes the record before any
    handler, a test's included, sees it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a faulty call: the handler reports it, as without this filter
            return True
        redacted = redact_preview_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        for name, value in list(vars(record).items()):
            if name not in RECORD_ATTRS and isinstance(value, str):
                setattr(record, name, redact_preview_tokens(value))
        return True


class RequestLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        path = redact_preview_tokens(request.path)
        logger.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return response
