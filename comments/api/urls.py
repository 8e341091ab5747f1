from django.urls import path

from comments.api import views

app_name = "comments-api"

urlpatterns = [
    path(
        "articles/<slug:slug>/comments/",
        views.ArticleCommentsView.as_view(),
        name="article-comments",
    ),
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
