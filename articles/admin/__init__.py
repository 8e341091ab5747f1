"""The editor's admin: an article and all its parts on one page.

``articles``: the article admin, its list and actions; ``forms``: the rules
that reach across its inlines; ``inlines``: the parts; ``history``: compare,
restore and recover. Tags, webhook deliveries and housekeeping runs have
small admins here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles import services
from articles.admin.articles import ArticleAdmin, show_index_counts
from articles.models import HousekeepingRun, Reviewer, SignOff, Tag, WebhookDelivery

__all__ = ["ArticleAdmin", "show_index_counts"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj: Tag, form, change) -> None:
        services.tag_save(tag=obj)

    def delete_model(self, request, obj: Tag) -> None:
        services.tags_delete(queryset=Tag.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset: models.QuerySet[Tag]) -> None:
        services.tags_delete(queryset=queryset)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Every webhook POST and how it went: read only, for staff to see what failed."""

    list_display = ["created_at", "event", "slug", "url", "attempts", "status_code", "delivered"]
    list_filter = ["event", ("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["slug", "url"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    @admin.display(boolean=True, description=_("delivered"))
    def delivered(self, delivery: WebhookDelivery) -> bool:
        return delivery.delivered_at is not None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HousekeepingRun)
class HousekeepingRunAdmin(admin.ModelAdmin):
    """What each day's housekeeping deleted or erased: read only (articles.housekeeping)."""

    list_display = ["day", "started_at", "finished_at", "summary"]
    readonly_fields = ["day", "started_at", "finished_at", "summary"]
    fields = readonly_fields
    date_hierarchy = "day"

    @admin.display(description=_("deleted or erased"))
    def summary(self, run: HousekeepingRun) -> str:
        done = [
            f"{kind}: {count:,}" if isinstance(count, int) else f"{kind}: {count}"
            for kind, count in run.counts.items()
            if count
        ]
        if run.finished_at is None:
            return _("not finished")
        return "; ".join(done) or _("nothing was due")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    """How each medical reviewer is named to readers (they need the sign-off permission too)."""

    list_display = ["display_name", "credentials", "user"]
    search_fields = ["display_name", "user__username"]
    raw_id_fields = ["user"]

    # Readers trust the name beside "Medically reviewed by": a reviewer edits
    # their own; anyone else's only a superuser.
    def has_change_permission(self, request, obj: Reviewer | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or request.user.is_superuser or obj.user == request.user)

    def has_delete_permission(self, request, obj: Reviewer | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or request.user.is_superuser or obj.user == request.user)


@admin.register(SignOff)
class SignOffAdmin(admin.ModelAdmin):
    """Every medical sign-off, for the record: made on an article's sign-off page, never here."""

    list_display = ["article", "reviewer_name", "signed_at", "voided_at"]
    list_filter = [("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["article__title", "reviewer_name"]
    date_hierarchy = "signed_at"
    readonly_fields = [f.name for f in SignOff._meta.fields]
    list_select_related = ["article"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
