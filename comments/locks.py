"""Turns across processes: comment submissions and notification runs, one at a time.

PostgreSQL gives row locks and advisory locks; SQLite has one writer and no
row locks, so processes queue on a file lock beside the database instead.
"""

from __future__ import annotations

import contextlib
import fcntl

from django.db import connection

# Any fixed 64-bit number, the same in every process: the submission lock's name.
SUBMISSION_LOCK_ID = 0x726C735F636D7331  # "rls_cms1"


@contextlib.contextmanager
def take_turns(name: str):
    """On SQLite, one at a time across processes: a file lock beside the database.

    Waiting in the kernel, the next starts the moment the one before ends;
    waiting in SQLite's busy handler, it would sleep 1, 2, 5, 10 ms...
    between tries. Inside an open transaction it is too late to queue first:
    the caller's transaction decides.
    """
    database = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or ":memory:" in database or connection.in_atomic_block:
        yield
        return
    with open(f"{database}.{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_submissions() -> None:
    """Hold the comment submission lock until the transaction ends (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUBMISSION_LOCK_ID])
