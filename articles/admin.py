"""The editor's admin: an article and all its parts on one page."""

from __future__ import annotations

import difflib

from adminsortable2.admin import CustomInlineFormSetMixin, SortableAdminBase, SortableStackedInline
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from markdownx.models import MarkdownxField
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles import services
from articles.admin_index import AdminIndexCount, admin_index_count
from articles.citations import missing_citations
from articles.editor import EditorWidget
from articles.models import (
    Article,
    Image,
    Reference,
    Section,
    Tag,
    WebhookDelivery,
    section_anchor,
)
from articles.preview import preview_url
from articles.revisions import revision_text
from articles.selectors import SEARCH_MAX_WORDS
from articles.signals import Reason

MARKDOWN_EDITOR = {MarkdownxField: {"widget": EditorWidget}}
# The index shows the apps' counts (articles.admin_index) above the app list.
admin.site.index_template = "admin/articles/index.html"
# "example.org/x" means https://, as Django 6 will assume by default.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class SectionFormSet(CustomInlineFormSetMixin, BaseInlineFormSet):
    def clean(self) -> None:
        # Derive blank anchors here, with the whole form set in view, so two
        # sections with the same heading get distinct anchors before the
        # uniqueness check runs.
        kept = [
            form
            for form in self.forms
            if form.is_valid() and form.cleaned_data and not self._should_delete_form(form)
        ]
        taken = {form.cleaned_data.get("anchor") for form in kept} - {""}
        for form in kept:
            if not form.cleaned_data.get("anchor") and form.cleaned_data.get("heading"):
                anchor = section_anchor(form.cleaned_data["heading"], taken)
                form.cleaned_data["anchor"] = form.instance.anchor = anchor
                taken.add(anchor)
        references = kept_reference_forms(self.data)
        for form in kept:
            if missing := missing_citations(form.cleaned_data.get("body", ""), references):
                form.add_error("body", citation_error(missing[0], references))
        super().clean()


def kept_reference_forms(data) -> int:
    """How many references the article has once this admin POST is saved.

    The section and reference inlines are separate form sets: a section's
    citations are checked against the reference forms of the same POST.
    """
    prefix = "references"  # the reference inline's form prefix: Article.references
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        return 0
    kept = 0
    for index in range(total):
        field = f"{prefix}-{index}-"
        filled = data.get(field + "id") or data.get(field + "title") or data.get(field + "authors")
        if filled and not data.get(field + "DELETE"):
            kept += 1
    return kept


def citation_error(number: int, references: int) -> ValidationError:
    return ValidationError(
        _("[^%(number)d] cites reference %(number)d, but the article has %(count)d.")
        % {"number": number, "count": references},
        code="unknown_reference",
    )


class ArticleForm(forms.ModelForm):
    def clean_intro(self) -> str:
        intro = self.cleaned_data.get("intro", "")
        references = kept_reference_forms(self.data)
        if missing := missing_citations(intro, references):
            raise citation_error(missing[0], references)
        return intro


# The parts are ordered by dragging them (django-admin-sortable2), which
# rewrites their hidden positions: the API, the anchors' numbering and the
# reference numbers follow that order.


class SectionInline(SortableStackedInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = [("heading", "level", "anchor"), "body"]
    formfield_overrides = MARKDOWN_EDITOR


class ImageInline(SortableStackedInline):
    model = Image
    extra = 0
    fields = [
        ("thumbnail", "file"),
        "alt_text",
        ("caption", "credit"),
        "after_section",
    ]
    readonly_fields = ["thumbnail"]

    @admin.display(description=_("preview"))
    def thumbnail(self, image: Image) -> str:
        if not image.file:
            return "-"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:160px;max-height:100px">',
            image.file.url,
            image.alt_text,
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "after_section":
            # Offer only this article's sections.
            article_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(article_id=article_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReferenceInline(SortableStackedInline):
    model = Reference
    extra = 0
    fields = [
        "authors",
        "title",
        ("source", "year", "date"),
        ("doi", "url"),
        "accessed_on",
        "citation",
    ]
    readonly_fields = ["citation"]
    formfield_overrides = HTTPS_URLS


class ReviewFilter(admin.SimpleListFilter):
    """Published articles due for a medical review (RLS_ARTICLES["REVIEW_INTERVAL_MONTHS"])."""

    title = _("medical review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("current", _("Up to date"))]

    def queryset(self, request, queryset):
        overdue = Article.objects.review_overdue().values("pk")
        if self.value() == "overdue":
            return queryset.filter(pk__in=overdue)
        if self.value() == "current":
            return queryset.filter(status=Article.Status.PUBLISHED).exclude(pk__in=overdue)
        return queryset


@admin.register(Article)
class ArticleAdmin(SortableAdminBase, VersionAdmin):
    form = ArticleForm
    list_display = ["title", "state", "published_at", "last_reviewed_on", "updated_at"]
    list_filter = ["status", ReviewFilter, "tags"]
    search_fields = ["title", "intro", "sections__heading", "sections__body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    filter_horizontal = ["tags"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "byline", "intro", "tags"]}),
        (_("Publication"), {"fields": ["status", "published_at", "comments_enabled"]}),
        (
            _("Medical review"),
            {"fields": ["last_reviewed_on", ("reviewer_name", "reviewer_credentials")]},
        ),
    ]
    inlines = [SectionInline, ImageInline, ReferenceInline]
    actions = ["publish", "unpublish"]
    formfield_overrides = MARKDOWN_EDITOR
    # Adds the Preview button beside History.
    change_form_template = "admin/articles/article/change_form.html"

    # The history (reversion's, with who and when) gains a readable diff.
    object_history_template = "admin/articles/article/object_history.html"

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="articles_article_preview",
        )
        compare = path(
            "<path:object_id>/history/compare/<int:older>/<int:newer>/",
            self.admin_site.admin_view(self.compare_view),
            name="articles_article_compare",
        )
        return [preview, compare, *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        actions = sorted(response.context_data["action_list"], key=lambda a: a["revision"].pk)
        for older, newer in zip(actions, actions[1:], strict=False):
            newer["compare_url"] = reverse(
                "admin:articles_article_compare",
                args=(object_id, older["revision"].pk, newer["revision"].pk),
            )
        return response

    def compare_view(self, request: HttpRequest, object_id: str, older: int, newer: int):
        """Two revisions of the article side by side, changed lines marked."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        revisions = {
            version.revision_id: version.revision
            for version in Version.objects.get_for_object(article)
            .filter(revision_id__in=[older, newer])
            .select_related("revision", "revision__user")
        }
        if set(revisions) != {older, newer}:
            raise Http404
        table = difflib.HtmlDiff(wrapcolumn=70).make_table(
            revision_text(revisions[older]),
            revision_text(revisions[newer]),
            fromdesc=_("Revision of %s") % revisions[older].date_created.strftime("%Y-%m-%d %H:%M"),
            todesc=_("Revision of %s") % revisions[newer].date_created.strftime("%Y-%m-%d %H:%M"),
            context=True,
            numlines=2,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Changes to %s") % article,
            "opts": self.model._meta,
            "original": article,
            "older": revisions[older],
            "newer": revisions[newer],
            "diff_table": mark_safe(table),  # difflib escapes every line it shows
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        """Send the editor to the frontend's preview of the article as saved, with a fresh link."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return HttpResponseRedirect(preview_url(article))

    # Every save and delete goes through the services that mark the article
    # changed; the mark comes after the inlines are saved, so what hangs on
    # it sees the article whole.
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.article_mark_changed(article=form.instance, reason=Reason.SAVED)

    def delete_model(self, request, obj: Article) -> None:
        services.articles_delete(queryset=Article.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset: models.QuerySet[Article]) -> None:
        services.articles_delete(queryset=queryset)

    def get_search_results(self, request, queryset, search_term):
        # Django adds a join per word; a pasted essay would build a query
        # SQLite refuses. The first words are plenty to find an article.
        search_term = " ".join(search_term.split()[:SEARCH_MAX_WORDS])
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("status"), ordering="status")
    def state(self, article: Article) -> str:
        # "Published" with a future time is not public yet: say so.
        if article.status == Article.Status.PUBLISHED and not article.is_public:
            return _("Scheduled")
        return article.get_status_display()

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset: models.QuerySet[Article]) -> None:
        count = services.articles_publish(queryset=queryset)
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset: models.QuerySet[Article]) -> None:
        count = services.articles_unpublish(queryset=queryset)
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", count) % count,
            messages.SUCCESS,
        )


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


@admin_index_count(key="review-overdue-summary", caption=_("Articles"))
def review_overdue_count(request: HttpRequest) -> AdminIndexCount | None:
    """Published articles due for a medical review, for editors."""
    if not request.user.has_perm("articles.change_article"):
        return None
    count = Article.objects.review_overdue().count()
    label = ngettext(
        "%(count)d article due for medical review",
        "%(count)d articles due for medical review",
        count,
    ) % {"count": count}
    return AdminIndexCount(label, reverse("admin:articles_article_changelist") + "?review=overdue")


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
