"""gunicorn's settings for ``make serve``: production defaults, each from the environment.

gunicorn -c rls_cms/gunicorn.conf.py rls_cms.wsgi
"""

import os

from rls_cms.request_log import console_handler

# Behind a proxy on the same machine by default; BIND=0.0.0.0:8000 to take
# connections from a proxy elsewhere.
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers, as many as the usual rule of thumb for the cores there are.
# (The cores this process may use: a container's CPU set, not the host's.)
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0)) * 2 + 1))
# A request that takes longer than this is stuck: its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Workers are renewed now and then, so that no slow leak grows without end.
max_requests = 2000
max_requests_jitter = 200
# No access log: Django writes one JSON line per request (rls_cms.request_log)
# with no client address or user agent; gunicorn's format would carry both.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines (start, worker restarts) as Django's are: JSON, or
# text; and without preview tokens, which "Error handling request <uri>" names.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    **console_handler(os.environ.get("LOG_FORMAT", "json"), stream="ext://sys.stderr"),
    "loggers": {
        "gunicorn.error": {
            "level": loglevel.upper(),
            "handlers": ["console"],
            "propagate": False,
        }
    },
}
