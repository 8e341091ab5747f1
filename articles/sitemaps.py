"""A sitemap of the public articles, on Django's sitemaps framework.

A host adds ``"django.contrib.sitemaps"`` to INSTALLED_APPS (for its
template) and mounts it::

    from django.contrib.sitemaps.views import sitemap
    from articles.sitemaps import ArticleSitemap

    path("sitemap.xml", sitemap, {"sitemaps": {"articles": ArticleSitemap}})

Addresses are absolute under ``RLS_ARTICLES["SITE_URL"]`` (never the
request's host); ``lastmod`` is when the article's live version last changed. Only public
articles appear.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import F

from articles.conf import article_settings
from articles.models import Article
from articles.urls_public import reader_url


class ArticleSitemap(Sitemap):
    """Every public article's reader page, with ``lastmod``."""

    def items(self):
        if not article_settings.READER_URL:
            return Article.objects.none()
        # The live version's address and time, never the draft's.
        return (
            Article.objects.public()
            .order_by("-published_at", "pk")
            .annotate(live_slug=F("live__slug"), live_changed_at=F("live__changed_at"))
            .only("pk")
        )

    def location(self, article: Article) -> str:
        # The path part only: Django puts protocol and domain in front.
        parts = urlsplit(reader_url(article.live_slug))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def lastmod(self, article: Article):
        return article.live_changed_at

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(article_settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(article_settings.SITE_URL).netloc
