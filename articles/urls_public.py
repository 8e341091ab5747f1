"""Absolute addresses on the reader's site, from settings alone (never a request's host)."""

from __future__ import annotations

from urllib.parse import urlsplit

from articles.conf import article_settings


def site_url(path: str) -> str:
    """``path`` on the reader site: ``RLS_ARTICLES["SITE_URL"]`` + path; an address stays."""
    return _under(article_settings.SITE_URL, path)


def _under(base: str, url: str) -> str:
    """``url`` under ``base``, unless it is an address of its own (then whole)."""
    if is_absolute(url):
        return with_scheme(url)
    return base.rstrip("/") + "/" + url.lstrip("/")


def is_absolute(url: str) -> bool:
    """An address with its host: http(s)://… or scheme-relative //… (a MEDIA_URL on a CDN)."""
    return url.startswith(("http://", "https://", "//"))


def with_scheme(url: str) -> str:
    """A scheme-relative address given the site's scheme: crawlers want whole addresses."""
    if url.startswith("//"):
        return urlsplit(article_settings.SITE_URL).scheme + ":" + url
    return url


def reader_path(slug: str) -> str:
    """The article's reader page as ``READER_URL`` gives it (a path or an address); "" for none."""
    template = article_settings.READER_URL
    return template.format(slug=slug) if template else ""


def reader_url(slug: str) -> str:
    """The article's reader page, absolute; "" when there is none (``READER_URL`` empty)."""
    path = reader_path(slug)
    return site_url(path) if path else ""


def absolute_url(url: str) -> str:
    """A file's or page's address made absolute: under ``BASE_URL`` (where the API and its
    media are served), else ``SITE_URL``; an absolute address stays as it is."""
    return _under(article_settings.BASE_URL or article_settings.SITE_URL, url)
