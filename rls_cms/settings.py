"""Settings for the rls_cms host project.

Everything that differs between a laptop and production comes from environment
variables; the defaults are safe for local development (SQLite, a cache every
local process shares, console email, localhost only).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from rls_cms.request_log import console_handler

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; anything unrecognised is an error."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    """Read a whole-number environment variable; anything else is an error naming it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)


def required(name: str) -> str:
    """An environment variable production cannot do without."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set {name} when DEBUG is off.")
    return value


if DEBUG:
    # The fallback key only ever serves a developer's machine.
    SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-rls-cms-development-key"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = required("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", []) or [required("ALLOWED_HOSTS")]

# Behind a proxy that terminates TLS: the header it sets and the origins the
# browser's forms come from (e.g. https://cms.example.org).
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    # e.g. "X-Forwarded-Proto": the proxy sets it to "https" for TLS requests.
    header = os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{header}", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# HTTPS only when DEBUG is off, each part switchable for an unusual proxy.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
# Off unless asked: every subdomain must serve HTTPS first, and "preload"
# lets anyone put the domain on the browsers' built-in lists.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "markdownx",
    "reversion",
    "adminsortable2",
    "rest_framework.authtoken",
    # Staff sign-in: lockouts after repeated wrong passwords (see AXES_* below).
    "axes",
    "django_tasks",
    "django_tasks_db",
    "articles",
    "comments",
    "rls_cms",
]

MIDDLEWARE = [
    # First: /healthz answers before host checks, redirects and sessions.
    "rls_cms.health.HealthCheckMiddleware",
    "rls_cms.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused for a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rls_cms.urls"
WSGI_APPLICATION = "rls_cms.wsgi.application"
ASGI_APPLICATION = "rls_cms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default: WAL lets readers run beside the one writer, IMMEDIATE
# transactions take the write lock up front (no "database is locked" on
# upgrade from read to write), and the timeout makes writers queue, not fail.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A database host that stops answering fails a request in seconds.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests use a file, not memory: live-server tests then get a connection
    # per thread and exercise WAL and the busy timeout as production does.
    # One file per test process, so parallel runs never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": Path(tempfile.gettempdir()) / f"rls_cms-test-{os.getpid()}.sqlite3"
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering fails a request (and /healthz) in
            # seconds instead of holding a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # One cache for every process on this machine, DEBUG or not: the server's
    # workers, the task worker and management commands all change articles,
    # and each change must drop the copies every other process serves (a cache
    # per process would serve them until they expire). DiskCache keeps it in
    # SQLite files: a write costs the same at 1,000 entries as at 100,000
    # (Django's FileBasedCache lists its whole folder on every set). Several
    # machines need REDIS_URL. rls_cms/cache.py says how contention is met.
    CACHES = {
        "default": {
            "BACKEND": "rls_cms.cache.SharedCache",
            "LOCATION": os.environ.get("CACHE_DIR") or BASE_DIR / ".cache",
            # Writers queue per shard, each for well under a millisecond; four
            # are plenty for one machine's workers, and each process opens a
            # connection per shard it touches.
            "SHARDS": 4,
            # How long one attempt waits for a shard's lock. Writes try again
            # until they are done; a read that waits this long is a miss.
            "DATABASE_TIMEOUT": 0.010,
            "OPTIONS": {
                # Room for 100,000 entries of the apps' mix (a 30 kB detail and
                # a 25 kB reader page per article, and small generations and
                # floors beside them: about 1 GB); past it the oldest stored go
                # first, and come back from the stored documents in one query.
                "size_limit": 2 * 2**30,
                # Not least-recently-used: that would make every read a write.
                "eviction_policy": "least-recently-stored",
                # Values up to 1 MB in SQLite rather than a file each (DiskCache
                # files them from 32 kB, a long article's detail): writing one
                # costs a sixth, reading it half.
                "disk_min_file_size": 2**20,
            },
        }
    }

# Background work (moderator emails) on Django's task framework, run by
# `manage.py tasks_worker` (`make run` starts one): queued in the database by
# default, in Redis (RQ) when REDIS_URL is set.
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff sign-in (django-axes): the people who publish health content and read
# commenters' emails are one guessed password away. After LOGIN_FAILURE_LIMIT
# wrong passwords for one account from one address, that account is refused
# from that address, the right password too, for LOGIN_LOCKOUT_MINUTES. Per
# account and address: a guesser locks out only themselves, never a colleague
# signing in from elsewhere. `manage.py axes_reset_username NAME` lifts it.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
lockout_minutes = env_int("LOGIN_LOCKOUT_MINUTES", 60)
if AXES_FAILURE_LIMIT < 1 or lockout_minutes < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be 1 or more.")
AXES_COOLOFF_TIME = dt.timedelta(minutes=lockout_minutes)
# A sign-in clears the count: typos spread over months never add up to a lockout.
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not prolong it: it ends a fixed time after the
# failure that began it, and the lockout page can say when.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address as the comments' flood rule and throttle read it:
# X-Forwarded-For trusted only as far as NUM_PROXIES says. (Axes' own
# AXES_IPWARE_* settings need django-ipware, and would be a second rule.)
AXES_CLIENT_IP_CALLABLE = "comments.api.views.client_ip"
# A 429 page in the admin's look, saying for how long and who can lift it.
AXES_LOCKOUT_CALLABLE = "rls_cms.lockout.lockout_response"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# With DEBUG off, whitenoise serves collectstatic's output under hashed names
# (module imports included), compressed, cached by browsers for a year.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "rls_cms.storage.StaticStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Django serves uploaded media itself only in development; production puts
# MEDIA_ROOT behind the proxy or swaps the storage backend.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The console backend prints mail (moderation notices name commenters) to the
# server's output: a development convenience only.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# With the file backend: the folder each sent mail is written to.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
EMAIL_TIMEOUT = 10  # seconds; a hung mail server must not hold a comment POST
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "rls_cms <noreply@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
# What a frontend on another origin must read: validators to revalidate with,
# and where it stands with the throttle.
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
]

# The apps' endpoints set what they rely on themselves; this is the host's
# own API default, here only the schema generator for /api/schema/.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "rls_cms API",
    "DESCRIPTION": (
        "Health articles and their parts, readers' comments, and the staff's moderation "
        "queue: the public contract of rls_cms. Every field an answer always carries is "
        "required; reads carry an ETag (send it back in If-None-Match for a 304); every "
        "error has the one `Error` shape. Generate a typed client from this document "
        "(openapi-typescript, for one): the README's 'A typed client' shows how."
    ),
    "VERSION": "1.0.0",
    # OpenAPI 3.1: JSON Schema itself, so a nullable part is `oneOf: [its schema,
    # {"type": "null"}]`, which validators and generators read alike.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc assets come from drf-spectacular-sidecar: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Each operation's error answers (400, 404, 413...), so that every answer
    # the API gives is in the document.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "articles.api.schema.contract",
    ],
}

# The articles app: see articles/conf.py for every key and its default.
# One frontend to tell of changes (the README's "Webhooks"), signed with the secret.
WEBHOOKS = []
if os.environ.get("WEBHOOK_URL"):
    if not os.environ.get("WEBHOOK_SECRET"):
        raise ImproperlyConfigured("Set WEBHOOK_SECRET with WEBHOOK_URL: deliveries are signed.")
    WEBHOOKS = [{"url": os.environ["WEBHOOK_URL"], "secret": os.environ["WEBHOOK_SECRET"]}]

RLS_ARTICLES = {
    "BROWSABLE_API": DEBUG,
    "WEBHOOKS": WEBHOOKS,
    "BASE_URL": os.environ.get("API_BASE_URL", ""),
    "MAX_AGE": env_int("API_MAX_AGE", 0),
    "STALE_WHILE_REVALIDATE": env_int("API_STALE_WHILE_REVALIDATE", 0),
    # Structured data's publisher: the demo site's name and mark.
    "PUBLISHER_NAME": os.environ.get("PUBLISHER_NAME", "rls_cms"),
    "PUBLISHER_LOGO": os.environ.get("PUBLISHER_LOGO", "/static/reader/logo.png"),
    # A health publisher's rule: nothing goes live without a medical reviewer's
    # sign-off of that very text (load_demo signs the demo off as its reviewer).
    "REQUIRE_SIGNOFF": env_bool("REQUIRE_SIGNOFF", True),
}
if os.environ.get("SITE_URL"):
    # The reader site's address: feeds, the sitemap, canonical links and
    # structured data link there (`check --deploy` warns while it is unset).
    RLS_ARTICLES["SITE_URL"] = os.environ["SITE_URL"]

# The comments app: see comments/conf.py for every key and its default.
RLS_COMMENTS = {
    # Comment posting, per client IP: a second line behind the flood rule.
    "THROTTLE_RATE": os.environ.get("COMMENT_THROTTLE_RATE", "10/minute") or None,
    # How many proxies in front add X-Forwarded-For; 0 means the header is ignored.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "CLOSE_AFTER_DAYS": env_int("COMMENTS_CLOSE_AFTER_DAYS", 0) or None,
}

# JSON lines (one object per record) for log collectors; plain text to read
# in a terminal. Request lines come from rls_cms.request_log, without who asked.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Preview tokens out of every line: Django's name paths ("Forbidden: /api/v1/
    # preview/<token>/"), runserver's the query string too. On the loggers, so
    # that the record is changed before any handler sees it; on the handler
    # for any other line that names a path.
    **console_handler(LOG_FORMAT),
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["preview_tokens"]},
        # runserver's own access line carries nothing the request line lacks.
        "django.server": {"level": "WARNING", "filters": ["preview_tokens"]},
        # Failed sign-ins and lockouts (warnings), without axes' banner at
        # every command's start and its chatter on each sign-in.
        "axes": {"level": "WARNING"},
    },
}
