"""The demo host's production settings, plus what the benchmark needs.

``bench/run.py`` starts gunicorn with these (DEBUG off, SECRET_KEY and the
database given in the environment).
"""

import os

from rls_cms.settings import *  # noqa: F403

# The project's URLs, plus the trivial JSON view every figure is measured against.
ROOT_URLCONF = "bench.urls"

# Plain HTTP on the loopback.
SECURE_SSL_REDIRECT = False

# The cache as deployed: DiskCache in CACHE_DIR, shared by the workers (Redis
# with REDIS_URL). Each script gives its run a folder of its own.
if not REDIS_URL and not os.environ.get("CACHE_DIR"):  # noqa: F405
    raise ImproperlyConfigured("The benchmark keeps its cache in CACHE_DIR: set it.")  # noqa: F405

# "cold": no cache at all, so every read comes from the documents stored in
# the database (the state after a restart, before the cache fills again).
if os.environ.get("BENCH_CACHE") == "dummy":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Eight clients post from one address: the flood rule and the throttle would
# refuse them, and the benchmark measures storing comments, not refusing them.
RLS_COMMENTS = {"FLOOD_SECONDS": 0, "THROTTLE_RATE": None}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# bench/admin_pages.py renders admin pages without running collectstatic:
# asset URLs without the manifest's hashes (a lookup in a dict either way).
if os.environ.get("BENCH_PLAIN_STATIC"):
    STORAGES = {
        **STORAGES,  # noqa: F405
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
