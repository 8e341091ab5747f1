"""The project run as production runs it: separate processes, spoken to over HTTP.

``Deployment`` starts gunicorn app servers and task workers on one database
(and one Redis), with production settings from the environment; ``Client``
is a browser-like HTTP client with cookies. Tests of several servers, of
crashes and of the installed wheel use them.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
# What the test run sets for itself and a deployment must not inherit.
TEST_RUN_ONLY = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PYTHONPATH",
    "DATABASE_URL",
    "REDIS_URL",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_environment(**env: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in TEST_RUN_ONLY} | env


class Client:
    """One browser: a cookie jar, and requests that answer (status, body) for any status."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, path: str, *, data=None, headers=None, method=None) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.base + path, data=data, headers=headers or {}, method=method
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get_json(self, path: str):
        status, body = self.request(path)
        assert status == 200, (path, status, body[:500])
        return json.loads(body)

    def post_json(self, path: str, payload, **headers) -> tuple[int, dict]:
        status, body = self.request(
            path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", **headers},
        )
        return status, json.loads(body) if body else {}

    def post_form(self, path: str, fields) -> tuple[int, bytes]:
        return self.request(
            path,
            data=urllib.parse.urlencode(fields, doseq=True).encode(),
            headers={"Referer": self.base + path},
        )

    def log_in(self, username: str, password: str) -> None:
        status, page = self.request("/admin/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, (status, page[:500])
        token = found.group(1)
        status, page = self.post_form(
            "/admin/login/",
            {
                "username": username,
                "password": password,
                "next": "/admin/",
                "csrfmiddlewaretoken": token.decode(),
            },
        )
        assert status == 200 and b"Log out" in page, page[:500]

    def wait_until_up(self, process: subprocess.Popen, path: str = "/healthz") -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "the server exited"
            try:
                if self.request(path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not start")


class Deployment:
    """App servers and workers on one database (and Redis), with production settings."""

    def __init__(self, tmp_path: Path, *, database_url: str, redis_url: str = "", **env) -> None:
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.log_dir = tmp_path / "logs"  # each process's output, for a failing test's reader
        self.log_dir.mkdir()
        self.env = clean_environment(
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            # Plain HTTP on the loopback: no redirect, cookies sent without TLS.
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            DATABASE_URL=database_url,
            CONN_MAX_AGE="0",
            CACHE_DIR=str(tmp_path / "cache"),
            MEDIA_ROOT=str(tmp_path / "media"),
            STATIC_ROOT=str(tmp_path / "static"),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            LOG_LEVEL="WARNING",
            # What these sites test is processes and caches: their editors
            # publish without a reviewer (test_signoff.py tests the rule).
            REQUIRE_SIGNOFF="false",
            **({"REDIS_URL": redis_url} if redis_url else {}),
            **env,
        )
        self.processes: list[subprocess.Popen] = []

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code)

    def _start(self, command: list[str], **env: str) -> subprocess.Popen:
        log = self.log_dir / f"{len(self.processes)}-{Path(command[-1]).stem}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env | env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped whole, children too
            )
        self.processes.append(process)
        return process

    def app_server(self, *, workers: int = 2) -> tuple[subprocess.Popen, Client]:
        port = free_port()
        process = self._start(
            [sys.executable, "-m", "gunicorn", "-c", "rls_cms/gunicorn.conf.py", "rls_cms.wsgi"],
            BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(workers),
        )
        client = Client(f"http://127.0.0.1:{port}")
        client.wait_until_up(process)
        return process, client

    def worker(self) -> subprocess.Popen:
        return self._start([sys.executable, "manage.py", "tasks_worker", "--interval", "0.2"])

    def mails(self) -> list[str]:
        """Every mail sent so far, as the file backend wrote it."""
        return [
            message
            for path in sorted(self.mail_dir.iterdir())
            for message in path.read_text().split("-" * 79)
            if message.strip()
        ]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def gunicorn_workers(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def service_or_fail(name: str, host: str, port: int) -> None:
    """Skip without the service on a developer's machine; fail in CI, which has it."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        message = f"{name} is not listening on {host}:{port}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def postgres_database():
    """A new, empty PostgreSQL database for one deployment; dropped afterwards."""
    import psycopg

    service_or_fail("PostgreSQL", "127.0.0.1", 5432)
    name = f"rls_cms_deploy_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_database():
    """An empty Redis database (one of 16) for one deployment; emptied afterwards."""
    import redis

    service_or_fail("Redis", "127.0.0.1", 6379)
    # One database per test process, so parallel test runs never share one.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    url = f"{REDIS}/{15 - int(worker.removeprefix('gw') or 0) % 8}"
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    try:
        yield url
    finally:
        connection.flushdb()
