from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from articles.editor import PreviewView, UploadView

urlpatterns = [
    path("", TemplateView.as_view(template_name="rls_cms/index.html"), name="home"),
    path("admin/", admin.site.urls),
    # The paths markdownx's editor widget calls, served by our staff-only views.
    path("markdownx/markdownify/", PreviewView.as_view(), name="markdownx_markdownify"),
    path("markdownx/upload/", UploadView.as_view(), name="markdownx_upload"),
    path("api/v1/", include("articles.api.urls")),
    path("api/v1/", include("comments.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

if settings.SERVE_MEDIA:
    # Development convenience (SERVE_MEDIA, on with DEBUG); production serves
    # MEDIA_ROOT from the proxy or object storage.
    media_prefix = settings.MEDIA_URL.strip("/")
    urlpatterns += [
        re_path(rf"^{media_prefix}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]
