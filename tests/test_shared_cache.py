"""The demo host's cache without Redis (rls_cms.cache.SharedCache, DiskCache's DjangoCache).

It keeps Django's cache contract, which the apps rely on (``add``, ``get_many``,
``set_many``, ``delete_many``; timeouts of None and 0); and a write that finds
a shard locked by another process waits and is done, never dropped: a
dropped ``delete`` would leave a changed article served stale.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

# Holds the write lock of every shard of the cache in argv[1] for argv[3] seconds.
HOLD = textwrap.dedent("""
    import sys, time
    from diskcache import FanoutCache

    shards = FanoutCache(sys.argv[1], shards=int(sys.argv[2]))
    with shards.transact():
        print("held", flush=True)
        time.sleep(float(sys.argv[3]))
""")
HELD_SECONDS = 0.4

pytestmark = pytest.mark.skipif(
    settings.CACHES["default"]["BACKEND"] != "rls_cms.cache.SharedCache",
    reason="REDIS_URL is set: the default cache is Redis",
)


def test_tests_keep_the_cache_in_a_folder_of_their_own(cache_folder):
    # Processes the tests start find it too (CACHE_DIR), not the project's .cache/.
    assert cache.directory == str(cache_folder) == os.environ["CACHE_DIR"]
    assert cache.directory != str(settings.BASE_DIR / ".cache")


# Django's contract


def test_none_keeps_an_entry_without_expiry():
    cache.set("kept", "value", None)
    assert cache._cache.get(cache.make_key("kept"), expire_time=True) == ("value", None)


def test_zero_expires_an_entry_at_once():
    cache.set("gone", "value", 0)
    assert cache.get("gone", "missing") == "missing"
    assert cache.add("gone", "again", 0) is True  # an expired entry is no entry
    assert not cache.has_key("gone")


def test_the_default_timeout_is_django_s():
    cache.set("default", "value")
    _, expires = cache._cache.get(cache.make_key("default"), expire_time=True)
    assert 290 < expires - time.time() <= 300


def test_add_stores_only_a_missing_key():
    assert cache.add("floor", 1.0, 60) is True
    assert cache.add("floor", 2.0, 60) is False
    assert cache.get("floor") == 1.0


def test_incr_of_a_missing_key_is_a_value_error():
    with pytest.raises(ValueError):
        cache.incr("nothing")
    cache.set("count", 1)
    assert (cache.incr("count"), cache.decr("count", 5)) == (2, -3)


def test_get_many_answers_only_the_keys_it_has():
    assert cache.set_many({"a": b"bytes", "b": ("a", 1.5), "c": ()}, 60) == []
    assert cache.get_many(["a", "b", "c", "missing"]) == {"a": b"bytes", "b": ("a", 1.5), "c": ()}


def test_delete_and_delete_many_remove_entries():
    cache.set_many({"a": 1, "b": 2, "c": 3})
    assert (cache.delete("a"), cache.delete("a")) == (True, False)
    cache.delete_many(["b", "c", "missing"])
    assert cache.get_many(["a", "b", "c"]) == {}


def test_touch_renews_only_a_live_entry():
    cache.set("page", "value", 60)
    assert cache.touch("page", None) is True
    assert cache._cache.get(cache.make_key("page"), expire_time=True) == ("value", None)
    assert cache.touch("missing", 60) is False
    assert cache.touch("page", 0) is True
    assert cache.get("page") is None


def test_versions_keep_entries_apart():
    cache.set("key", "one", version=1)
    cache.set("key", "two", version=2)
    assert (cache.get("key", version=1), cache.get("key", version=2)) == ("one", "two")


def test_a_long_document_is_stored_in_the_database_not_a_file():
    document = b"x" * 200_000  # a long article's detail
    cache.set("detail", document)
    assert cache.get("detail") == document
    assert not list(Path(cache.directory).rglob("*.val"))


def test_connections_are_kept_from_one_request_to_the_next():
    cache.get("anything")
    fanout = cache._cache
    shard = fanout._shards[fanout._hash(cache.make_key("anything")) % len(fanout._shards)]
    connection = shard._local.con
    cache.close()  # what Django does when each request finishes
    cache.get("anything")
    assert shard._local.con is connection


# Another process holding the lock


def hold_every_shard(directory: str):
    """A second process that holds every shard's write lock for HELD_SECONDS."""
    shards = settings.CACHES["default"]["SHARDS"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, directory, str(shards), str(HELD_SECONDS)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


WRITES = {
    "delete": lambda: cache.delete("a"),
    "delete_many": lambda: cache.delete_many(["a", "b"]),
    "set": lambda: cache.set("a", "new", 60),
    "set_many": lambda: cache.set_many({"a": "new", "b": "new"}, 60),
    "add": lambda: cache.add("new", "new", 60),
    "incr": lambda: cache.incr("count"),
    "touch": lambda: cache.touch("a", None),
    "clear": lambda: cache.clear(),
}
AFTER = {
    "delete": lambda: cache.get("a") is None,
    "delete_many": lambda: cache.get_many(["a", "b"]) == {},
    "set": lambda: cache.get("a") == "new",
    "set_many": lambda: cache.get_many(["a", "b"]) == {"a": "new", "b": "new"},
    "add": lambda: cache.get("new") == "new",
    "incr": lambda: cache.get("count") == 2,
    "touch": lambda: cache._cache.get(cache.make_key("a"), expire_time=True)[1] is None,
    "clear": lambda: cache.get_many(["a", "b", "count"]) == {},
}


@pytest.mark.parametrize("write", WRITES)
def test_a_write_waits_for_another_process_s_lock_and_is_done(write):
    cache.set_many({"a": "old", "b": "old", "count": 1}, 60)
    holder = hold_every_shard(cache.directory)
    try:
        started = time.monotonic()
        WRITES[write]()
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)

    assert waited > HELD_SECONDS / 2  # it waited for the lock (DATABASE_TIMEOUT is 10 ms)...
    assert AFTER[write]()  # ...and then did what it was asked


def test_reads_do_not_wait_for_another_process_s_write():
    cache.set("a", "kept", 60)
    holder = hold_every_shard(cache.directory)
    try:
        started = time.monotonic()
        value = cache.get("a")
        took = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert (value, took < HELD_SECONDS / 2) == ("kept", True)


def test_without_retrying_diskcache_would_drop_the_write():
    # What SharedCache must never do: DiskCache's own FanoutCache gives up
    # after DATABASE_TIMEOUT and the entry stays.
    cache.set("a", "old", 60)
    holder = hold_every_shard(cache.directory)
    try:
        dropped = cache._cache.delete(cache.make_key("a"), retry=False)
    finally:
        holder.wait(timeout=30)
    assert (dropped, cache.get("a")) == (False, "old")
