"""gunicorn's settings for ``make serve``: production defaults, each from the environment.

gunicorn -c rls_cms/gunicorn.conf.py rls_cms.wsgi
"""

import multiprocessing
import os

# Behind a proxy on the same machine by default; BIND=0.0.0.0:8000 to take
# connections from a proxy elsewhere.
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers, as many as the usual rule of thumb for the cores there are.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
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
