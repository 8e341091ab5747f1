from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from articles.api.base import not_found
from articles.feeds import ArticleAtomFeed, ArticleRssFeed
from articles.sitemaps import ArticleSitemap
from rls_cms.views import article_list, article_page, article_preview, robots_txt

# Unknown addresses get the reader's own 404 page.
handler404 = "rls_cms.views.not_found"

urlpatterns = [
    # The reader's pages, rendered on the server from the API's documents.
    path("", article_list, name="reader"),
    path("articles/<slug:slug>/", article_page, name="reader-article"),
    # A preview, once its link's token is traded for a cookie (?preview= above).
    path("articles/<slug:slug>/preview/", article_preview, name="reader-article-preview"),
    # Feeds, the sitemap and robots.txt, from the articles app's classes.
    path("feed/", ArticleRssFeed(), name="feed-rss"),
    path("feed/atom/", ArticleAtomFeed(), name="feed-atom"),
    path(
        "sitemap.xml",
        require_safe(sitemap),
        {"sitemaps": {"articles": ArticleSitemap}},
        name="sitemap",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("admin/", admin.site.urls),
    # Each app's one include: its API, and (articles) the admin editor's endpoints.
    path("api/v1/", include("articles.urls")),
    path("api/v1/", include("comments.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # GET and HEAD only: DRF's OPTIONS would render the page without its template.
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    # Any other address under /api/ ending in a slash: the API's JSON 404, not
    # the reader's page (without the slash, CommonMiddleware redirects first).
    re_path(r"^api/(.*/)?$", not_found("There is no API endpoint at this address.")),
]

if "django_rq" in settings.INSTALLED_APPS:
    # The RQ queues, workers and failed tasks, for staff (with REDIS_URL).
    urlpatterns.append(path("rq/", include("django_rq.urls")))

if settings.SERVE_MEDIA:
    # Development convenience (SERVE_MEDIA, on with DEBUG); production serves
    # MEDIA_ROOT from the proxy or object storage.
    def serve_media(request, path):
        # MEDIA_ROOT read per request, so a changed setting (tests) applies.
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    media_prefix = settings.MEDIA_URL.strip("/")
    urlpatterns += [re_path(rf"^{media_prefix}/(?P<path>.*)$", serve_media)]
