"""``/healthz``: whether this app server can serve, for a load balancer to ask every second.

Answered by the first middleware, before host validation, sessions or the
URLconf: a balancer probes by address, and the answer is the same for any
host. Three probes, each a round trip or two: the database, the cache and
the task queue. 200 when all answer, 503 otherwise, with which failed; the
reason goes to the log, never into the answer.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

logger = logging.getLogger(__name__)

PATH = "/healthz"


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def shared_cache() -> None:
    token = uuid.uuid4().hex
    cache.set("rls_cms:healthz", token, timeout=10)
    if cache.get("rls_cms:healthz") != token:
        raise RuntimeError("the cache did not return what was just stored")


def task_queue() -> None:
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    name = type(backend).__name__
    if name == "DatabaseBackend":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
    elif name == "RQBackend":
        import django_rq
        from redis import Redis

        url = django_rq.settings.QUEUES.get("default", {}).get("URL")
        if url is None:
            django_rq.get_connection().ping()
            return
        # Its own connection, which gives up after two seconds: the queue's
        # may be set to wait long (a worker's blocking pop).
        with Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as redis:
            redis.ping()
    # The immediate and dummy backends run nothing in the background: nothing to ask.


PROBES = {"database": database, "cache": shared_cache, "tasks": task_queue}


def health():
    """Each probe's verdict, "ok" or "unavailable", and whether all are ok."""
    results = {}
    for name, probe in PROBES.items():
        try:
            probe()
            results[name] = "ok"
        except Exception:
            logger.exception("Health probe %r failed.", name)
            results[name] = "unavailable"
    return results, all(v == "ok" for v in results.values())


class HealthCheckMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH:
            return self.get_response(request)
        started = time.perf_counter()
        results, healthy = health()
        body = {
            "status": "ok" if healthy else "unavailable",
            "checks": results,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        response = JsonResponse(body, status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        return response
