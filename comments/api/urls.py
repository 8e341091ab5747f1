from django.urls import path, re_path

from articles.api.base import not_found
from comments.api import views

app_name = "comments-api"

urlpatterns = [
    path(
        "articles/<slug:slug>/comments/",
        views.ArticleCommentsView.as_view(),
        name="article-comments",
    ),
    path("comments/<int:pk>/report/", views.CommentReportView.as_view(), name="comment-report"),
    path("moderation/comments/", views.ModerationCommentList.as_view(), name="moderation-list"),
    path("moderation/comments/bulk/", views.ModerationBulk.as_view(), name="moderation-bulk"),
]
urlpatterns += [
    path(
        f"moderation/comments/<int:pk>/{action}/",
        views.ModerationAction.as_view(action=action),
        name=f"moderation-{action}",
    )
    for action in ("approve", "spam", "remove")
]
# Addresses no slug or id could fill: the API's JSON 404, not the host's page.
urlpatterns += [
    re_path(r"^articles/[^/]+/comments/$", not_found("No Article matches the given query.")),
    re_path(r"^comments/[^/]+/report/$", not_found("No Comment matches the given query.")),
    re_path(
        r"^moderation/comments/[^/]+/(approve|spam|remove)/$",
        not_found("No Comment matches the given query."),
    ),
]
