"""RSS 2.0 and Atom feeds of the public articles, on Django's syndication framework.

A host mounts them where it likes::

    from articles.feeds import ArticleAtomFeed, ArticleRssFeed

    path("feed/", ArticleRssFeed()),
    path("feed/atom/", ArticleAtomFeed()),

Links are absolute under ``RLS_ARTICLES["SITE_URL"]`` and ``READER_URL``, never
the request's host. Only public articles appear (drafts and scheduled ones
never). Each answer carries an ETag and the newest change as Last-Modified,
and a revalidation that matches is a 304. Only GET and HEAD are answered.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import parse_http_date_safe
from django.views.decorators.http import require_safe

from articles.conf import article_settings
from articles.documents import make_etag
from articles.http import conditional_response
from articles.live import live_apply
from articles.models import Article
from articles.urls_public import reader_url, site_url


class ArticleRssFeed(Feed):
    """The newest public articles (``FEED_SIZE``), newest first, as RSS 2.0."""

    @method_decorator(require_safe)
    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["ETag"] = make_etag(response.content)
        # Django's feed sets Last-Modified from its newest entry; a revalidation
        # is judged on both, as RFC 9110 says.
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )

    def title(self) -> str:
        return article_settings.FEED_TITLE

    def description(self) -> str:
        return article_settings.FEED_DESCRIPTION

    def link(self) -> str:
        return site_url("/")

    def get_object(self, request, *args, **kwargs) -> str:
        # The feed's own path, where the host mounted it: its self link. (One
        # instance serves every request: nothing is kept on it.)
        return request.path

    def feed_url(self, path: str) -> str:
        return site_url(path)

    def items(self):
        size = article_settings.FEED_SIZE
        # What each article says is its live version's.
        return live_apply(Article.objects.public().order_by("-published_at", "-pk")[:size])

    def item_title(self, article: Article) -> str:
        return article.title

    def item_description(self, article: Article) -> str:
        return article.intro_html

    def item_link(self, article: Article) -> str:
        return reader_url(article.slug) or site_url("/")

    def item_guid(self, article: Article) -> str:
        return self.item_link(article)

    def item_pubdate(self, article: Article):
        return article.published_at

    def item_updateddate(self, article: Article):
        return article.updated_at

    def item_author_name(self, article: Article) -> str | None:
        return article.byline or None

    def item_categories(self, article: Article) -> list[str]:
        return [tag.name for tag in article.tags.all()]


class ArticleAtomFeed(ArticleRssFeed):
    """The same articles as an Atom 1.0 feed."""

    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return article_settings.FEED_DESCRIPTION
