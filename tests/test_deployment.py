"""The project deployed as production runs it: gunicorn app servers and a task worker.

Two app servers on one PostgreSQL and one Redis stay coherent; and nothing
is lost when, under load, an app server's worker and then the task worker
are killed (on SQLite and on PostgreSQL). Slow (processes, real databases),
so marked ``deployment``; CI runs them once, and fails them rather than
skipping when PostgreSQL or Redis is missing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.admin_forms import form_data
from tests.processes import (
    Client,
    Deployment,
    free_port,
    gunicorn_workers,
    postgres_database,
    redis_database,
)

pytestmark = pytest.mark.deployment

DEMO = "what-causes-restless-legs-syndrome"
DETAIL = f"/api/v1/articles/{DEMO}/"
COMMENTS = f"/api/v1/articles/{DEMO}/comments/"
PASSWORD = "deployment-admin-password-7"


def set_up(site: Deployment) -> None:
    site.manage("migrate", "--no-input")
    site.manage("collectstatic", "--no-input", "--verbosity", "0")
    site.manage("load_demo")
    site.env["DJANGO_SUPERUSER_PASSWORD"] = PASSWORD
    site.manage(
        "createsuperuser", "--no-input", "--username", "admin", "--email", "desk@example.org"
    )


@contextlib.contextmanager
def deployment(tmp_path, database_url: str, redis_url: str = "", **env):
    site = Deployment(tmp_path, database_url=database_url, redis_url=redis_url, **env)
    try:
        set_up(site)
        yield site
    finally:
        site.stop()


def wait_for(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return result


def publish_changes(client: Client, article_id: str) -> None:
    """An editor's click on "Publish changes", on the article's changes page."""
    changes = f"/admin/articles/article/{article_id}/changes/"
    status, page = client.request(changes)
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert status == 200 and found, (status, page[:500])
    status, page = client.post_form(
        f"{changes}publish/", {"csrfmiddlewaretoken": found.group(1).decode()}
    )
    assert status == 200 and b"Published the changes" in page, (status, page[:500])


# What another process (a command, a task worker) does to publish an edit of
# the demo article: it saves the rows, which are the live article's draft, as
# an admin save is, then publishes the changes. Format with ``title``.
EDIT_AND_PUBLISH = f"""
from django.contrib.auth import get_user_model
from django.db import transaction
from articles.models import Article
from articles.services import article_content_saved, article_publish_changes

admin = get_user_model().objects.get(username="admin")
with transaction.atomic():
    article = Article.objects.get(slug={DEMO!r})
    article.title = "{{title}}"
    article.save()
    saved = article_content_saved(
        article=article, was_live=True, publish=False, publication_changed=False, user=admin
    )
    assert saved.has_unpublished_changes, saved
article_publish_changes(article_id=article.pk, user=admin)
"""


# Two app servers, one PostgreSQL, one Redis, one worker.


def test_two_app_servers_stay_coherent(tmp_path):
    with (
        postgres_database() as database,
        redis_database() as redis_url,
        deployment(tmp_path, database, redis_url) as site,
    ):
        _, one = site.app_server()
        _, other = site.app_server()
        site.worker()

        # Both have built and cached the document (in the Redis they share).
        title = one.get_json(DETAIL)["title"]
        assert other.get_json(DETAIL)["title"] == title
        assert other.get_json("/api/v1/articles/")["results"][0]["slug"] == DEMO

        # An editor changes the title through the first server's admin: a draft,
        # which readers of either server do not see...
        one.log_in("admin", PASSWORD)
        article_id = site.shell(
            f"from articles.models import Article; print(Article.objects.get(slug={DEMO!r}).pk)"
        ).strip()
        change = f"/admin/articles/article/{article_id}/change/"
        _, page = one.request(change)
        status, _ = one.post_form(change, form_data(page.decode(), title="Edited through one"))
        assert status == 200
        assert other.get_json(DETAIL)["title"] == title
        # ...until the editor publishes the changes, through the first server too...
        publish_changes(one, article_id)

        # ...and the other serves the new title at once: detail and list.
        assert other.get_json(DETAIL)["title"] == "Edited through one"
        assert other.get_json("/api/v1/articles/")["results"][0]["title"] == "Edited through one"

        # One client (127.0.0.1 to both) posts to one server, then to the other.
        comment = {"name": "Reader", "email": "reader@example.org", "body": "First."}
        assert one.post_json(COMMENTS, comment)[0] == 201
        status, body = other.post_json(COMMENTS, {**comment, "body": "Second."})
        assert (status, body["code"]) == (429, "flood")  # the flood rule reads the database

        # The throttle (10 a minute) counts in Redis: both servers' posts add up.
        answers = [
            server.post_json(COMMENTS, {**comment, "body": f"Again {n}."})
            for n, server in zip(range(9), itertools.cycle([one, other]), strict=False)
        ]
        assert [body.get("code") for _, body in answers[:8]] == ["flood"] * 8
        status, body = answers[8]
        assert status == 429 and "code" not in body  # refused by the throttle, not the rule

        # The worker (RQ, on Redis) told the moderator of the pending comment.
        assert wait_for(lambda: any("First." in mail for mail in site.mails()))


def test_a_term_listed_by_another_process_applies_in_every_server_at_once(tmp_path):
    # No Redis: nothing shared but the database, where the term list's version lives.
    with (
        postgres_database() as database,
        deployment(tmp_path, database, NUM_PROXIES="1") as site,
    ):
        _, one = site.app_server()
        _, other = site.app_server()

        def post_round(first: int, body: str) -> list[int]:
            """Eight posts from eight addresses, to the two servers in turn."""
            servers = itertools.cycle([one, other])
            return [
                next(servers).post_json(
                    COMMENTS,
                    {"name": "Reader", "email": f"r{n}@example.org", "body": f"{body} {n}."},
                    **{"X-Forwarded-For": f"10.0.0.{n}"},
                )[0]
                for n in range(first, first + 8)
            ]

        # Every worker of both servers builds its matcher, with nothing listed yet.
        assert post_round(1, "Cheap pills,") == [201] * 8
        site.shell(
            "from comments.models import DisallowedTerm; "
            "DisallowedTerm.objects.create(term='pills')"
        )
        assert post_round(9, "More pills,") == [201] * 8
        statuses = site.shell(
            "from comments.models import Comment; "
            "print(' '.join(Comment.objects.order_by('pk').values_list('status', flat=True)))"
        ).split()
        assert statuses == ["pending"] * 8 + ["spam"] * 8


READER = f"/articles/{DEMO}/"


def get_page(client: Client, path: str, **headers: str) -> tuple[int, str, bytes]:
    """GET a reader page: its status, its ETag and its body (a 304 too)."""
    request = urllib.request.Request(client.base + path, headers=headers)
    try:
        with client.opener.open(request, timeout=30) as response:
            return response.status, response.headers["ETag"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["ETag"], error.read()


@pytest.mark.parametrize("cache", ["files", "redis"])
def test_a_change_by_another_process_drops_the_kept_reader_pages_in_every_server(tmp_path, cache):
    # The pages are kept in the cache both servers share: DiskCache in CACHE_DIR, or Redis.
    with contextlib.ExitStack() as stack:
        database = stack.enter_context(postgres_database())
        redis_url = stack.enter_context(redis_database()) if cache == "redis" else ""
        site = stack.enter_context(deployment(tmp_path, database, redis_url))
        _, one = site.app_server()
        _, other = site.app_server()
        servers = [one, other]

        # A reader's comment waits for a moderator.
        comment = {"name": "Reader", "email": "reader@example.org", "body": "Held for the desk."}
        assert one.post_json(COMMENTS, comment)[0] == 201

        # Both servers serve the pages, and keep them: one copy, in the shared cache.
        answers = [get_page(server, READER) for server in servers]
        assert [status for status, _, _ in answers] == [200, 200]
        (_, etag, page), (_, other_etag, _) = answers
        assert etag and other_etag == etag
        assert b"Held for the desk." not in page
        old_title = site.shell(
            f"from articles.models import Article; print(Article.objects.get(slug={DEMO!r}).title)"
        ).strip()
        for server in servers:
            assert get_page(server, READER, **{"If-None-Match": etag})[0] == 304
            status, _, listing = get_page(server, "/")
            assert status == 200 and old_title.encode() in listing

        # Another process (a command, a task worker) changes the article and
        # publishes the change, and approves the comment, all through the funnel.
        site.shell(
            EDIT_AND_PUBLISH.format(title="Changed by another process")
            + textwrap.dedent("""
                from comments.models import Comment
                from comments.services import comments_moderate

                pending = Comment.objects.filter(article=article, status=Comment.Status.PENDING)
                approved = comments_moderate(
                    queryset=pending, status=Comment.Status.APPROVED, actor=admin
                )
                assert approved == 1, approved
            """)
        )

        # At once, on the very next request, every server shows the change.
        new_etags = set()
        for server in servers:
            status, new_etag, page = get_page(server, READER, **{"If-None-Match": etag})
            assert status == 200, status  # the old ETag no longer matches
            assert b"Changed by another process" in page
            assert b"Held for the desk." in page
            assert new_etag and new_etag != etag
            new_etags.add(new_etag)
            status, _, listing = get_page(server, "/")
            assert status == 200 and b"Changed by another process" in listing
        assert len(new_etags) == 1


# `make run`: DEBUG on, SQLite, no Redis.


def development_server(site: Deployment) -> Client:
    """runserver as `make run` starts it (without the reloader), once it answers."""
    port = free_port()
    process = site._start(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    )
    client = Client(f"http://127.0.0.1:{port}")
    client.wait_until_up(process)
    return client


def test_a_change_by_another_process_is_read_fresh_at_once_in_development(tmp_path):
    # The development default: the server, the task worker and every command
    # share one cache, DiskCache's files in CACHE_DIR (a folder of the test's).
    site = Deployment(tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    site.env["DEBUG"] = "true"  # as `make run` (a Deployment starts as production)
    try:
        set_up(site)
        server = development_server(site)
        site.worker()

        # The server builds the detail and the list's first page and keeps them...
        title = server.get_json(DETAIL)["title"]
        assert server.get_json("/api/v1/articles/")["results"][0]["title"] == title
        # ...where another process finds them.
        kept = site.shell(
            "from articles.documents import cache, detail_key; "
            f"print(cache().get(detail_key({DEMO!r})) is not None)"
        )
        assert kept.strip() == "True"

        # A command (here the shell) changes the title and publishes the change,
        # through the funnel.
        site.shell(EDIT_AND_PUBLISH.format(title="Changed by a command"))

        # The very next reads serve the change: detail and list.
        assert server.get_json(DETAIL)["title"] == "Changed by a command"
        assert server.get_json("/api/v1/articles/")["results"][0]["title"] == "Changed by a command"
    finally:
        site.stop()


# Crashes under load.


def post_while(stop: threading.Event, client, number: int, created: list, failed: list) -> None:
    for n in itertools.count():
        if stop.is_set():
            return
        body = f"Comment {n} of client {number}."
        # NUM_PROXIES=1: each post comes from its own address, as from many readers.
        address = f"10.{number}.{n // 250}.{n % 250 + 1}"
        try:
            status, answer = client.post_json(
                COMMENTS,
                {"name": f"Reader {number}", "email": f"r{number}-{n}@example.org", "body": body},
                **{"X-Forwarded-For": address},
            )
        except Exception:  # the connection died with the worker that held it
            failed.append(body)
            continue
        (created if status == 201 else failed).append((answer.get("id"), body, status))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_nothing_is_lost_when_workers_are_killed(tmp_path, database):
    with contextlib.ExitStack() as stack:
        if database == "sqlite":
            url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        else:
            url = stack.enter_context(postgres_database())
        site = stack.enter_context(deployment(tmp_path, url, NUM_PROXIES="1"))
        master, client = site.app_server()
        task_worker = site.worker()

        stop, created, failed = threading.Event(), [], []
        clients = [
            threading.Thread(target=post_while, args=(stop, client, n, created, failed))
            for n in range(8)
        ]
        for thread in clients:
            thread.start()
        time.sleep(1.5)
        os.kill(gunicorn_workers(master)[0], signal.SIGKILL)
        time.sleep(1.5)
        os.killpg(task_worker.pid, signal.SIGKILL)
        time.sleep(1)
        stop.set()
        for thread in clients:
            thread.join()
        # No comment comes after this: what the dead worker left, the new one finds.
        site.worker()

        assert len(created) > 50
        stored = site.shell(
            "from comments.models import Comment; "
            "print(' '.join(str(pk) for pk in Comment.objects.values_list('pk', flat=True)))"
        ).split()
        assert {str(pk) for pk, *_ in created} <= set(stored)
        # Every pending comment that got its 201 reaches the moderators.
        wanted = {body for _, body, _ in created}
        told = wait_for(lambda: wanted <= set(mail_bodies(site)) and mail_bodies(site))
        assert wanted <= set(told)
        # At most the mail the killed worker was sending goes out twice.
        assert len(told) - len(set(told)) <= 1


def mail_bodies(site: Deployment) -> list[str]:
    return [
        line for mail in site.mails() for line in mail.splitlines() if line.startswith("Comment ")
    ]
