"""The moderation queue and all comments in the Django admin.

Changing a status (by action or on the change form) needs the
``comments.moderate_comment`` permission; the actions call the same services
as the staff API, so each change records who made it and when.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin_index import AdminIndexCount, admin_index_count
from comments import services
from comments.models import Comment, DisallowedTerm, PendingComment

MODERATE_PERMISSION = "comments.moderate_comment"
# "example.org/x" means https://, as Django 6 will assume by default.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class CommentAdminBase(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "article",
        "name",
        "email",
        "ip_address",
        "status",
        "moderation_reason",
        "submitted_at",
    ]
    # Only articles that have comments: the sidebar must not list every article.
    list_filter = ["status", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article"]
    search_fields = ["name", "email", "body", "ip_address"]
    date_hierarchy = "submitted_at"
    ordering = ["submitted_at", "id"]
    actions = ["approve", "mark_spam", "remove", "erase_personal_data"]
    formfield_overrides = HTTPS_URLS
    readonly_fields = [
        "article",
        "parent",
        "depth",
        "submitted_at",
        "ip_address",
        "user_agent",
        "moderation_reason",
        "moderated_by",
        "moderated_at",
        "body_html",
    ]
    fields = [
        ("article", "parent", "depth"),
        ("name", "email", "website"),
        "body",
        "body_html",
        "status",
        ("submitted_at", "ip_address"),
        "user_agent",
        "moderation_reason",
        ("moderated_by", "moderated_at"),
    ]

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        return Truncator(comment.body).chars(80)

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE_PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from readers, through the API

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_moderate_permission(request):
            readonly.append("status")
        return readonly

    def save_model(self, request, obj: Comment, form, change) -> None:
        services.comment_save(comment=obj)
        if "status" in form.changed_data:
            # Record who moved it, exactly as the actions do.
            services.comments_moderate(
                queryset=Comment.objects.filter(pk=obj.pk), status=obj.status, actor=request.user
            )

    def delete_model(self, request, obj: Comment) -> None:
        services.comments_delete(queryset=Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset: QuerySet[Comment]) -> None:
        services.comments_delete(queryset=queryset)

    # Each action's message, singular and plural (ngettext chooses by the count).
    DONE = {
        "approve": ("Approved %(count)d comment.", "Approved %(count)d comments."),
        "spam": ("Marked %(count)d comment as spam.", "Marked %(count)d comments as spam."),
        "remove": ("Removed %(count)d comment.", "Removed %(count)d comments."),
    }

    def _moderate(self, request, queryset: QuerySet[Comment], action: str) -> None:
        status = services.STATUS_OF_ACTION[action]
        count = services.comments_moderate(queryset=queryset, status=status, actor=request.user)
        singular, plural = self.DONE[action]
        message = ngettext(singular, plural, count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Approve the selected comments"), permissions=["moderate"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, "approve")

    @admin.action(description=_("Mark the selected comments as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, "spam")

    @admin.action(description=_("Remove the selected comments"), permissions=["moderate"])
    def remove(self, request, queryset):
        self._moderate(request, queryset, "remove")

    @admin.action(
        description=_("Erase personal data of the selected comments' authors"),
        permissions=["moderate"],
    )
    def erase_personal_data(self, request, queryset):
        emails = list(queryset.exclude(email="").values_list("email", flat=True).distinct())
        count = services.commenter_data_erase(emails=emails)
        self.message_user(
            request,
            ngettext(
                "Erased the personal data of %d comment.",
                "Erased the personal data of %d comments.",
                count,
            )
            % count,
            messages.SUCCESS,
        )


@admin.register(Comment)
class CommentAdmin(CommentAdminBase):
    pass


@admin.register(PendingComment)
class ModerationQueueAdmin(CommentAdminBase):
    """Pending comments only, oldest first: the moderators' inbox."""

    list_filter = [("article", admin.RelatedOnlyFieldListFilter)]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(status=Comment.Status.PENDING)

    # The queue shows Comment rows: it answers to Comment's permissions, not
    # to the proxy model's own (which nobody would think to grant).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("comments.view_comment") or self.has_moderate_permission(
            request
        )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("comments.change_comment")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("comments.delete_comment")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(DisallowedTerm)
class DisallowedTermAdmin(admin.ModelAdmin):
    list_display = ["term", "applies_to", "action", "created_at"]
    list_filter = ["applies_to", "action"]
    search_fields = ["term"]


@admin_index_count(key="moderation-queue-summary", caption=_("Comments"))
def pending_count(request: HttpRequest) -> AdminIndexCount | None:
    """The moderation queue's length, for users who may see the queue."""
    user = request.user
    if not (user.has_perm("comments.view_comment") or user.has_perm(MODERATE_PERMISSION)):
        return None
    count = Comment.objects.pending().count()
    label = ngettext(
        "%(count)d comment awaiting moderation", "%(count)d comments awaiting moderation", count
    ) % {"count": count}
    return AdminIndexCount(label, reverse("admin:comments_pendingcomment_changelist"))
