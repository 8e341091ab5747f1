"""The staff's review schedule: ``GET /api/v1/review/due/``, the admin's filters as an API.

Articles by next medical review, soonest first (never reviewed first of
all), for the dashboards and scripts of the team that keeps health content
current. Staff with ``articles.view_article`` only: it shows drafts too.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated

from articles.api.auth import ExpiringTokenAuthentication
from articles.api.base import (
    TAG_SLUG_SCHEMA,
    AppDefaultsMixin,
    IsoDateField,
    KnownQueryParamsMixin,
)
from articles.models import Article
from articles.review import DUE_WITHIN_DAYS
from articles.selectors import articles_by_review

MAX_WITHIN_DAYS = 3650


class CanViewArticles(BasePermission):
    message = "The review schedule needs staff status and the view_article permission."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_staff and user.has_perm("articles.view_article"))


class ReviewDueSerializer(serializers.ModelSerializer):
    """An article on the review schedule, as staff see it (its working title and state)."""

    last_reviewed_on = IsoDateField(allow_null=True, read_only=True)
    next_review_on = IsoDateField(
        allow_null=True, read_only=True, help_text=_("Null: never reviewed (due now).")
    )
    last_signed_off_by = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text=_("Who signed off last (a voided sign-off included); null: nobody."),
    )
    admin_url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "slug",
            "status",
            "has_unpublished_changes",
            "last_reviewed_on",
            "reviewer_name",
            "review_interval_months",
            "next_review_on",
            "last_signed_off_by",
            "admin_url",
        ]
        read_only_fields = fields

    def get_admin_url(self, article) -> str:
        return reverse("admin:articles_article_change", args=(article.pk,))


class ReviewPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


REVIEW_CHOICES = ["due", "overdue", "current", "all"]


@extend_schema_view(
    get=extend_schema(
        tags=["review"],
        operation_id="review_due_list",
        summary="List articles by next medical review",
        description=(
            "Articles by their next medical review, soonest first; never reviewed ones first "
            "of all. `review=due` (the default): due within `within` days (30), overdue "
            "included. Staff with the view_article permission only."
        ),
        parameters=[
            OpenApiParameter(
                "review",
                enum=REVIEW_CHOICES,
                description=(
                    "due (default): overdue or due within `within` days; overdue: due today "
                    "or before, or never reviewed; current: not due within `within` days; "
                    "all: every article."
                ),
            ),
            OpenApiParameter(
                "within", int, description="Days ahead that count as due (default 30)."
            ),
            OpenApiParameter(
                "status",
                enum=Article.Status.values,
                description="Only articles in this status (default published: what readers see).",
            ),
            OpenApiParameter(
                "tag", TAG_SLUG_SCHEMA, description="Only articles with the tag of this slug."
            ),
        ],
    )
)
class ReviewDueList(AppDefaultsMixin, KnownQueryParamsMixin, generics.ListAPIView):
    """Articles by next medical review, soonest first."""

    known_query_params = frozenset({"page", "page_size", "review", "within", "status", "tag"})
    # Token first: an anonymous call then gets 401 with WWW-Authenticate.
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, CanViewArticles]
    serializer_class = ReviewDueSerializer
    pagination_class = ReviewPagination

    def get_queryset(self):
        params = self.request.query_params
        review = params.get("review", "due")
        if review not in REVIEW_CHOICES:
            raise ValidationError({"review": [_("Choose one of: %s.") % ", ".join(REVIEW_CHOICES)]})
        try:
            within = int(params.get("within", DUE_WITHIN_DAYS))
        except ValueError:
            within = -1
        if not 0 <= within <= MAX_WITHIN_DAYS:
            raise ValidationError(
                {"within": [_("A whole number of days from 0 to %d.") % MAX_WITHIN_DAYS]}
            )
        status = params.get("status", Article.Status.PUBLISHED)
        if status not in Article.Status.values:
            raise ValidationError(
                {"status": [_("Choose one of: %s.") % ", ".join(Article.Status.values)]}
            )
        today = timezone.localdate()
        queryset = articles_by_review(
            review=review, until=today + dt.timedelta(days=within), today=today
        )
        queryset = queryset.filter(status=status)
        if tag := params.get("tag"):
            queryset = queryset.filter(tags__slug=tag)
        return queryset.order_by(F("next_review_on").asc(nulls_first=True), "pk")
