from django.http import JsonResponse
from django.urls import include, path


def trivial(request):
    """The ceiling: the cheapest JSON answer Django gives through the same middleware."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("rls_cms.urls")),
]
