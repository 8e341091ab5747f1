from django.urls import path, re_path

from articles.api import views
from articles.api.base import not_found
from articles.api.review import ReviewDueList

app_name = "articles-api"

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    re_path(r"^articles/[^/]+/$", not_found("No Article matches the given query.")),
    # The token in Authorization: Bearer (out of logs and Referer headers);
    # the older form with the token in the address stays, deprecated.
    path("preview/", views.PreviewHeaderView.as_view(), name="preview"),
    path("review/due/", ReviewDueList.as_view(), name="review-due"),
    path("preview/<str:token>/", views.PreviewView.as_view(), name="article-preview"),
]
