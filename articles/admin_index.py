"""Counts on the admin's index page, from any app: the moderation queue, reviews due...

The admin has one index template; instead of each app replacing it, apps
register a count here and ``admin/articles/index.html`` shows each one the
user may see, above the app list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class AdminIndexCount:
    label: str  # "3 comments awaiting moderation"
    url: str  # where the work is


@dataclass(frozen=True)
class _Registered:
    key: str  # the HTML id of its box
    caption: str
    count: Callable[[HttpRequest], AdminIndexCount | None]


_registered: list[_Registered] = []


def admin_index_count(*, key: str, caption: str):
    """Register ``function(request)``: an ``AdminIndexCount``, or None for users it is not for."""

    def register(function):
        _registered[:] = [r for r in _registered if r.key != key]
        _registered.append(_Registered(key, caption, function))
        return function

    return register


def admin_index_counts(request: HttpRequest | None) -> list[tuple[str, str, AdminIndexCount]]:
    """(key, caption, count) of each registered count this request's user may see."""
    if request is None or not getattr(request, "user", None):
        return []  # rendered without the request context processor (check articles.W003)
    found = []
    for entry in _registered:
        count = entry.count(request)
        if count is not None:
            found.append((entry.key, entry.caption, count))
    return found
