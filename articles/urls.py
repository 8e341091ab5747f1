"""Everything the articles app serves, for one ``include()`` at a prefix of the host's choice.

    path("api/v1/", include("articles.urls"))

The read API (namespace ``articles-api``) and the admin's Markdown editor
endpoints, staff only (namespace ``articles-editor``). Do not include
``markdownx.urls`` as well: its views answer anyone (check articles.E006).
"""

from django.urls import include, path

from articles.editor import PreviewView, UploadView

editor_patterns = [
    path("markdownify/", PreviewView.as_view(), name="markdownify"),
    path("upload/", UploadView.as_view(), name="upload"),
]

urlpatterns = [
    path("", include("articles.api.urls")),
    path("editor/", include((editor_patterns, "articles-editor"))),
]
