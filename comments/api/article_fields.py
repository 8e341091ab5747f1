"""What comments add to the article API: ``comment_count`` and ``comments``."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from articles.api.extensions import ArticleAPIExtension
from comments.api.serializers import ArticleCommentsSerializer
from comments.conf import comment_settings
from comments.moderation import comments_close_at
from comments.selectors import approved_comment_count


class CommentsExtension(ArticleAPIExtension):
    # The count is a subquery in the article query itself: no query per article.
    def list_queryset(self, queryset):
        return queryset.annotate(comment_count=approved_comment_count())

    def detail_queryset(self, queryset):
        return queryset.annotate(comment_count=approved_comment_count())

    def list_fields(self) -> dict[str, serializers.Field]:
        return {"comment_count": serializers.IntegerField(read_only=True)}

    def detail_fields(self) -> dict[str, serializers.Field]:
        return {"comments": ArticleCommentsSerializer(source="*", read_only=True)}

    def settings_fingerprint(self) -> str:
        return repr(comment_settings.CLOSE_AFTER_DAYS)

    def expires_at(self, article):
        # ``comments.open`` turns false at this time, with no write.
        closes_at = comments_close_at(article)
        if article.comments_enabled and closes_at and closes_at > timezone.now():
            return closes_at
        return None
