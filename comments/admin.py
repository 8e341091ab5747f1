"""The moderation queue and all comments in the Django admin.

Changing a status (by action or on the change form) needs the
``comments.moderate_comment`` permission; the actions call the same services
as the staff API, so each change records who made it and when.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin_index import AdminIndexCount, admin_index_count
from comments import services, workspace
from comments.models import Comment, DisallowedTerm, PendingComment
from comments.selectors import by_whole_address

MODERATE_PERMISSION = "comments.moderate_comment"
CanModerateMessage = _("Moderating comments needs the moderate_comment permission.")
# Where a decision taken without JavaScript leaves its Undo for the next page.
UNDO_SESSION_KEY = "comments_workspace_undo"
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
        "why",
        "in_reply_to",
        "moderated_by",
        "moderated_at",
        "body_html",
    ]
    fields = [
        ("article", "parent", "depth"),
        "in_reply_to",
        ("name", "email", "website"),
        "body",
        "body_html",
        ("status", "priority"),
        "why",
        ("submitted_at", "ip_address"),
        "user_agent",
        ("moderated_by", "moderated_at"),
    ]

    @admin.display(description=_("why it is here"))
    def why(self, comment: Comment) -> str:
        """Every rule's vote, as the workspace shows them, not only the deciding one."""
        reasons = workspace.reasons_of(comment)
        if not reasons:
            return _("a moderator's decision; no rule's vote is recorded")
        return format_html_join(", ", "{} ({})", ((r["detail"], r["verdict"]) for r in reasons))

    @admin.display(description=_("the comment it answers"))
    def in_reply_to(self, comment: Comment) -> str:
        if comment.parent_id is None:
            return _("Not a reply")
        parent = comment.parent
        return format_html("{}: “{}”", parent.name, Truncator(parent.body).chars(300))

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
            readonly += ["status", "priority"]
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

    def _moderate(self, request, queryset: QuerySet[Comment], action: str) -> None:
        message = workspace.bulk_moderate(queryset=queryset, action=action, actor=request.user)
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
    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # A whole address also finds the comments whose address the housekeeping erased.
        term = search_term.strip()
        if term and " " not in term:
            found |= queryset.filter(by_whole_address(term))
        return found, may_have_duplicates


@admin.register(PendingComment)
class ModerationQueueAdmin(CommentAdminBase):
    """The moderation workspace (``comments.workspace``), where the queue's entry leads.

    Its list is not Django's change list: a page of tabs and rows with one
    button (and one key) per decision. Decisions post to ``<id>/decide/``;
    the bulk form posts to the page itself, Django's action names and all,
    so "Delete selected comments" goes through Django's confirmation page.
    """

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

    def get_urls(self):
        decide = path(
            "<int:pk>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="comments_pendingcomment_decide",
        )
        return [decide, *super().get_urls()]

    # --- the page

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self.bulk_view(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(workspace.counts_answer())  # the page's script, for its badges
        tab = workspace.TAB_OF.get(request.GET.get("tab", workspace.DEFAULT_TAB))
        after, article = request.GET.get("after"), request.GET.get("article")
        search = request.GET.get("q", "").strip()
        try:
            if tab is None or (article is not None and not article.isdigit()):
                raise workspace.BadCursor(request.GET.urlencode())
            comments, next_after = workspace.tab_page(
                tab, after=after, search=search, article=int(article) if article else None
            )
        except workspace.BadCursor:
            self.message_user(
                request, _("That page of the moderation queue does not exist."), messages.ERROR
            )
            return redirect(self.workspace_url())
        counts = workspace.tab_counts()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.opts.verbose_name_plural.capitalize(),
            "summary": workspace.pending_summary(counts["pending"]),
            "tab": tab,
            "tabs": [
                {
                    "key": item.key,
                    "label": item.label,
                    "count": workspace.count_label(counts[item.key]),
                    "url": self.workspace_url(item.key),
                }
                for item in workspace.TABS
            ],
            "rows": workspace.rows(comments),
            "next_url": (
                self.workspace_url(tab.key, after=next_after, q=search, article=article)
                if next_after
                else ""
            ),
            "search": search,
            "clear_url": self.workspace_url(tab.key),
            "can_moderate": self.has_moderate_permission(request),
            "can_edit": request.user.has_perm("comments.change_comment"),
            "bulk_actions": self.bulk_actions(request),
            "undo": self._pop_undo(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/comments/pendingcomment/workspace.html", context)

    def workspace_url(self, tab: str = workspace.DEFAULT_TAB, **more) -> str:
        query = {"tab": tab, **{name: value for name, value in more.items() if value}}
        return f"{reverse('admin:comments_pendingcomment_changelist')}?{urlencode(query)}"

    def bulk_actions(self, request: HttpRequest) -> list[tuple[str, str]]:
        """The admin's actions this user may take, named for comments, not for the queue."""
        return [
            (name, _("Delete selected comments") if name == "delete_selected" else label)
            for name, label in self.get_action_choices(request, default_choices=[])
        ]

    # --- decisions

    def decide_view(self, request: HttpRequest, pk: int):
        """One decision on one comment: JSON for the page's script, else a redirect back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        if not self.has_moderate_permission(request):
            if wants_json:
                return JsonResponse({"detail": CanModerateMessage}, status=403)
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        tab = request.POST.get("tab", workspace.DEFAULT_TAB)
        back = self.workspace_url(tab if tab in workspace.TAB_OF else workspace.DEFAULT_TAB)
        try:
            done = workspace.decide(
                comment=comment,
                action=request.POST.get("action", ""),
                actor=request.user,
                body=request.POST.get("body", ""),
                token=request.POST.get("token", ""),
            )
        except workspace.DecisionRefused as refused:
            if wants_json:
                return JsonResponse({"detail": str(refused)}, status=400)
            self.message_user(request, str(refused), messages.ERROR)
            return redirect(back)
        if wants_json:
            return JsonResponse({**done, **workspace.counts_answer()})
        if "undo" in done:
            request.session[UNDO_SESSION_KEY] = {
                "comment": comment.pk,
                "token": done["undo"],
                "message": done["message"],
            }
        else:
            self.message_user(request, done["message"], messages.SUCCESS)
        return redirect(back)

    def _pop_undo(self, request: HttpRequest) -> dict | None:
        undo = request.session.pop(UNDO_SESSION_KEY, None)
        if not undo:
            return None
        url = reverse("admin:comments_pendingcomment_decide", args=[undo["comment"]])
        return {**undo, "url": url}

    def bulk_view(self, request: HttpRequest):
        """The bulk form: one of the admin's actions on the selected comments, then back."""
        tab = request.POST.get("tab", workspace.DEFAULT_TAB)
        back = self.workspace_url(tab if tab in workspace.TAB_OF else workspace.DEFAULT_TAB)
        actions = self.get_actions(request)  # only those this user's permissions allow
        action = request.POST.get("action", "")
        ids = [pk for pk in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME) if pk.isdigit()]
        if action not in actions:
            self.message_user(request, _("Choose an action you may take."), messages.ERROR)
            return redirect(back)
        if not ids:
            self.message_user(
                request, _("Select comments first: none were changed."), messages.WARNING
            )
            return redirect(back)
        queryset = Comment.objects.filter(pk__in=ids)
        if action == "delete_selected":
            # Django's confirmation page, run by the comments' admin so that it
            # speaks of "comments" (this one's plural is "moderation queue").
            comment_admin = self.admin_site.get_model_admin(Comment)
            return delete_selected(comment_admin, request, queryset) or redirect(back)
        function = actions[action][0]
        return function(self, request, queryset) or redirect(back)


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
    # Capped as the workspace's tabs are: an exact count of a spam wave is a scan.
    count = Comment.objects.pending().order_by()[: workspace.COUNT_CAP + 1].count()
    label = workspace.pending_summary(count)
    return AdminIndexCount(label, reverse("admin:comments_pendingcomment_changelist"))
