"""Absolute addresses on the reader's site, from settings alone (never a request's host)."""

from __future__ import annotations

from articles.conf import article_settings


def site_url(path: str) -> str:
    """``path`` on the reader site: ``RLS_ARTICLES["SITE_URL"]`` + path."""
    return article_settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def reader_path(slug: str) -> str:
    """The article's reader page as ``READER_URL`` gives it (a path or an address); "" for none."""
    template = article_settings.READER_URL
    return template.format(slug=slug) if template else ""


def reader_url(slug: str) -> str:
    """The article's reader page, absolute; "" when there is none (``READER_URL`` empty)."""
    path = reader_path(slug)
    if not path or path.startswith(("http://", "https://")):
        return path
    return site_url(path)
