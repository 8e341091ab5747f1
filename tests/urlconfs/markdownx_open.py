"""A host that followed markdownx's own instructions as well as ours."""

from django.urls import include, path

from rls_cms.urls import urlpatterns as demo_urlpatterns

urlpatterns = [*demo_urlpatterns, path("markdownx/", include("markdownx.urls"))]
