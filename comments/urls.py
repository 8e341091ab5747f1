"""Everything the comments app serves, for one ``include()`` at a prefix of the host's choice.

    path("api/v1/", include("comments.urls"))

The public comment endpoints and the staff moderation API (namespace ``comments-api``).
"""

from django.urls import include, path

urlpatterns = [
    path("", include("comments.api.urls")),
]
