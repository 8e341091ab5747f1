"""The demo host's cache without Redis: DiskCache's DjangoCache, its connections kept.

Every process on the machine (the app servers' workers, the task worker,
management commands) reads and writes the same SQLite files under CACHE_DIR,
so a change made in one drops the copies all the others serve. A write costs
the same with 1,000 entries or 100,000 (an indexed row, not a listing of a
folder as Django's FileBasedCache does on every ``set``).

Writes (``set``, ``add``, ``delete``, ``incr``, ``touch`` and Django's
``*_many`` built on them) wait for a shard's lock as long as it takes
(DjangoCache's ``retry=True``): an invalidation is never dropped. A read that
finds a shard locked for longer than DATABASE_TIMEOUT is a miss, rebuilt from
the database: slower, never stale.
"""

from __future__ import annotations

from diskcache import DjangoCache


class SharedCache(DjangoCache):
    """DjangoCache that keeps its SQLite connections from one request to the next."""

    def close(self, **kwargs) -> None:
        # Django closes every cache when a request finishes. Opening a shard
        # again (a connection, its settings and pragmas) costs about 0.3 ms,
        # as much as serving a kept page. Connections belong to their thread
        # (and process: DiskCache reconnects after a fork); a thread that ends
        # takes its own with it.
        pass
