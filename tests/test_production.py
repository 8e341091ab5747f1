"""Production: settings that refuse to start half-configured, /healthz, and request logs."""

from __future__ import annotations

import io
import json
import logging
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings as django_settings
from pythonjsonlogger.json import JsonFormatter

from tests import processes
from tests.factories import ArticleFactory

ROOT = processes.ROOT

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "cms.example.org",
    "SITE_URL": "https://cms.example.org",
}


def clean_environment(**env: str) -> dict[str, str]:
    """The test run's environment without its own settings, nor any production value."""
    inherited = processes.clean_environment()
    return {k: v for k, v in inherited.items() if k not in PRODUCTION} | env


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = clean_environment(**env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


# Settings


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    done = manage("check", **env)
    assert done.returncode != 0
    assert f"Set {missing} when DEBUG is off." in done.stderr


def test_production_settings_pass_the_deploy_checks_at_warning_level():
    # With a cache every server shares, as production has (REDIS_URL).
    done = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        **PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/0",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_hsts_reaches_subdomains_and_preload_lists_only_when_asked():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    done = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert done.stdout.split("\n")[0] == "31536000 False False"


def test_a_number_that_is_not_one_is_an_error_naming_the_variable():
    done = manage("check", **PRODUCTION, SECURE_HSTS_SECONDS="a year")
    assert done.returncode != 0
    assert "SECURE_HSTS_SECONDS must be a whole number, not 'a year'." in done.stderr


def test_without_a_shared_cache_the_deploy_checks_say_so():
    done = manage("check", "--deploy", **PRODUCTION)
    assert "articles.W002" in done.stderr
    assert "comments.W001" in done.stderr


def test_a_site_address_left_at_the_development_default_is_a_deploy_warning():
    unset = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    done = manage("check", "--deploy", **unset, REDIS_URL="redis://127.0.0.1:6379/0")
    assert "articles.W006" in done.stderr
    assert "'http://127.0.0.1:8000'" in done.stderr
    # Plain `check` (development) stays quiet about it.
    assert "articles.W006" not in manage("check", **unset).stderr


def test_behind_a_tls_proxy_the_forwarded_scheme_is_trusted():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.SECURE_SSL_REDIRECT)"
    )
    done = manage(
        "shell", "--no-imports", "-c", code, **PRODUCTION,
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        CSRF_TRUSTED_ORIGINS="https://cms.example.org",
    )  # fmt: skip
    assert done.stdout.split("\n")[0] == (
        "('HTTP_X_FORWARDED_PROTO', 'https') ['https://cms.example.org'] True"
    )


# /healthz


@pytest.mark.django_db
def test_health_is_ok_when_database_cache_and_queue_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "tasks": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_answers_the_task_queue_of_the_database_backend(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.get("/healthz").json()["checks"]["tasks"] == "ok"


@pytest.mark.django_db
def test_health_is_503_naming_the_cache_when_the_cache_is_down(client, settings):
    # A real Redis client, pointed at a port where nothing listens.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "unavailable",
        "tasks": "ok",
    }


@pytest.mark.django_db
def test_health_answers_a_balancer_probing_by_address_over_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["cms.example.org"]
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    # Anything else still goes through the host check and the redirect.
    assert client.get("/api/v1/articles/", HTTP_HOST="10.0.0.7:8000").status_code == 400


# Request logs


@pytest.fixture
def json_log():
    """The root logger writing through the production JSON formatter into a buffer."""
    options = dict(django_settings.LOGGING["formatters"]["json"])
    options.pop("()")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter(**options))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_request_logs_are_json_lines_without_the_commenter(api_client, json_log, settings):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    article = ArticleFactory()
    url = f"/api/v1/articles/{article.slug}/comments/"
    email, ip, agent = "private.person@example.org", "198.51.100.77", "PrivateAgent/1.0"
    comment = {"name": "Private Person", "email": email, "body": "Hello."}
    api_client.post(url, comment, format="json", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    api_client.post(url, {**comment, "email": "x"}, format="json", REMOTE_ADDR=ip)  # 400
    api_client.get("/api/v1/articles/nothing-here/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)

    lines = json_log.getvalue().splitlines()
    records = [json.loads(line) for line in lines]

    requests = [r for r in records if r["logger"] == "rls_cms.requests"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("POST", url, 201),
        ("POST", url, 400),
        ("GET", "/api/v1/articles/nothing-here/", 404),
    ]
    assert all(r["level"] == "INFO" and r["duration_ms"] >= 0 for r in requests)
    for secret in (email, ip, agent):
        assert secret not in json_log.getvalue()


# make serve's gunicorn


def test_gunicorn_with_the_production_settings_serves_and_logs_json(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = PRODUCTION | {
        "DATABASE_URL": database,
        "CACHE_DIR": str(tmp_path / "cache"),
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }
    assert manage("migrate", "--no-input", **env).returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = clean_environment(**env, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "rls_cms/gunicorn.conf.py", "rls_cms.wsgi"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/api/v1/articles/"
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz", server)
        via_proxy = status_of(url, {"Host": "cms.example.org", "X-Forwarded-Proto": "https"})
        plain_http = status_of(url, {"Host": "cms.example.org"})
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    assert health == {"status": 200, "checks": {"database": "ok", "cache": "ok", "tasks": "ok"}}
    # What the TLS proxy forwards is served; plain HTTP is sent to HTTPS.
    assert (via_proxy, plain_http) == (200, 301)
    requests = [json.loads(line) for line in log.splitlines() if '"rls_cms.requests"' in line]
    assert [(r["path"], r["status"]) for r in requests] == [
        ("/api/v1/articles/", 200),
        ("/api/v1/articles/", 301),
    ]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status_of(url: str, headers: dict[str, str]) -> int:
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_for(url: str, server: subprocess.Popen) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return {"status": response.status, "checks": json.loads(response.read())["checks"]}
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer")
