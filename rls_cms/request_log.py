"""One structured log line per request: what was asked, the answer, how long it took.

Never who asked: no IP address, user agent, cookie or query string (a
search or a cursor is not personal, but a query string can carry anything).
"""

from __future__ import annotations

import logging
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


class RequestLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return response
