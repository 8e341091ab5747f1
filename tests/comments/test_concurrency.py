"""Nothing is lost when many readers post at once to a real, threaded server.

The live server answers each request in its own thread with its own database
connection: on SQLite (a file test database) that exercises WAL, IMMEDIATE
transactions and the busy timeout; on PostgreSQL, real concurrent sessions.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache

from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
POSTS_PER_THREAD = 50
REQUEST_TIMEOUT = 30  # seconds, per request
TEST_DEADLINE = 240  # seconds, for all threads together
HIGH_RATE = "100000/minute"


@pytest.fixture
def trusted_proxy(settings):
    """One trusted proxy in front: each thread's X-Forwarded-For is its client IP."""
    settings.RLS_COMMENTS = {**settings.RLS_COMMENTS, "NUM_PROXIES": 1}
    cache.clear()  # no throttle history left by earlier tests for these IPs
    return settings


@pytest.fixture
def crowd_settings(trusted_proxy):
    """Distinct client IPs, and neither the flood rule nor the throttle in the way.

    Each IP posts 50 times in a few seconds: the flood rule (and the DRF
    throttle behind it) would refuse all but the first, so both are lifted.
    """
    trusted_proxy.RLS_COMMENTS = {
        **trusted_proxy.RLS_COMMENTS,
        "FLOOD_SECONDS": 0,
        "THROTTLE_RATE": HIGH_RATE,
    }
    return trusted_proxy


def post_json(url: str, payload: dict, client_ip: str) -> int:
    """POST ``payload`` as JSON; return the status code (any HTTP error included)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Forwarded-For": client_ip,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_concurrent_posts_from_eight_clients_are_all_stored(live_server, crowd_settings):
    article = ArticleFactory()
    url = f"{live_server.url}/api/v1/articles/{article.slug}/comments/"
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def reader(n: int) -> None:
        try:
            start.wait(timeout=REQUEST_TIMEOUT)
            for i in range(POSTS_PER_THREAD):
                code = post_json(
                    url,
                    {
                        "name": f"Reader {n}",
                        "email": f"reader{n}.{i}@example.org",
                        "body": f"Comment {i} from reader {n}.",
                    },
                    client_ip=f"198.51.100.{n + 1}",
                )
                with lock:
                    statuses.append(code)
        except BaseException as error:  # a timeout or a dropped connection
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(THREADS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, TEST_DEADLINE - (time.monotonic() - began)))

    assert not any(thread.is_alive() for thread in threads), "the posts did not finish in time"
    assert errors == []
    assert [code for code in statuses if code >= 500] == []
    assert statuses == [201] * THREADS * POSTS_PER_THREAD
    assert Comment.objects.filter(article=article).count() == THREADS * POSTS_PER_THREAD


def post_all_at_once(url: str, posts: list[tuple[dict, str]]) -> list[int]:
    """Send every (payload, client IP) pair from its own thread, released together."""
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(posts))

    def send(payload: dict, client_ip: str) -> None:
        start.wait(timeout=REQUEST_TIMEOUT)
        code = post_json(url, payload, client_ip)
        with lock:
            statuses.append(code)

    threads = [threading.Thread(target=send, args=post, daemon=True) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "the posts did not finish in time"
    return sorted(statuses)


def test_racing_duplicates_store_one_comment(live_server, trusted_proxy):
    article = ArticleFactory()
    url = f"{live_server.url}/api/v1/articles/{article.slug}/comments/"
    same = {"name": "Echo", "email": "echo@example.org", "body": "Said it once, sent it 8 times."}

    statuses = post_all_at_once(url, [(same, f"198.51.100.{n + 101}") for n in range(THREADS)])

    stored = Comment.objects.filter(article=article).count()
    assert stored == 1
    assert statuses == [201] + [409] * (THREADS - 1)


def test_racing_posts_from_one_ip_store_one_comment(live_server, trusted_proxy):
    article = ArticleFactory()
    url = f"{live_server.url}/api/v1/articles/{article.slug}/comments/"
    posts = [
        ({"name": "Flood", "email": f"flood{n}@example.org", "body": f"Post {n}."}, "203.0.113.50")
        for n in range(THREADS)
    ]

    statuses = post_all_at_once(url, posts)

    stored = Comment.objects.filter(article=article).count()
    assert stored == 1
    assert statuses == [201] + [429] * (THREADS - 1)
