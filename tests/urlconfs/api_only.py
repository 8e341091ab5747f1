"""A host that mounted the articles API alone, without the editor's endpoints."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("articles.api.urls")),
    path("api/v1/", include("comments.urls")),
]
