"""The article admin: the article and all its parts on one page, its list and actions."""

from __future__ import annotations

import datetime as dt

from adminsortable2.admin import SortableAdminBase
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe
from reversion.admin import VersionAdmin

from articles import services
from articles.admin import conflicts, sparse
from articles.admin.forms import HTTPS_URLS, MARKDOWN_EDITOR, ArticleForm, ImageFormSet
from articles.admin.history import ArticleHistoryMixin
from articles.admin.inlines import ImageInline, ReferenceInline, SectionInline
from articles.admin.publishing import ArticlePublishingMixin
from articles.admin_index import AdminIndexCount, admin_index_count
from articles.models import Article, Section
from articles.preview import preview_url
from articles.review import DUE_WITHIN_DAYS
from articles.selectors import SEARCH_MAX_WORDS, articles_by_review


def show_index_counts(site: admin.AdminSite) -> None:
    """Show the apps' counts (articles.admin_index) above the app list of ``site``'s index.

    A host that set its own index template keeps it; it extends ours to keep
    the counts (README).
    """
    if site.index_template is None:
        site.index_template = "admin/articles/index.html"


show_index_counts(admin.site)


class ReviewFilter(admin.SimpleListFilter):
    """Published articles by their next medical review (the API's /review/due/ too)."""

    title = _("medical review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("due", _("Due within %(days)d days") % {"days": DUE_WITHIN_DAYS}),
            ("current", _("Up to date")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        until = today + dt.timedelta(days=DUE_WITHIN_DAYS)
        if self.value() in {"overdue", "due", "current"}:
            chosen = articles_by_review(review=self.value(), until=until, today=today)
            return queryset.filter(
                pk__in=chosen.filter(status=Article.Status.PUBLISHED).values("pk")
            )
        return queryset


@admin.register(Article)
class ArticleAdmin(ArticlePublishingMixin, ArticleHistoryMixin, SortableAdminBase, VersionAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "state",
        "published_at",
        "last_reviewed_on",
        "next_review_on",
        "updated_at",
    ]
    list_filter = ["status", ReviewFilter, "tags"]
    search_fields = ["title", "intro", "sections__heading", "sections__body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    filter_horizontal = ["tags"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "intro", "tags"]}),
        (
            _("Author"),
            {"fields": ["byline", "byline_kind", ("byline_url", "byline_credentials")]},
        ),
        (_("Publication"), {"fields": ["status", "published_at", "comments_enabled"]}),
        (
            _("Medical review"),
            {
                "fields": [
                    "last_reviewed_on",
                    ("reviewer_name", "reviewer_credentials"),
                    "review_interval_months",
                ]
            },
        ),
    ]
    inlines = [SectionInline, ImageInline, ReferenceInline]
    actions = ["publish", "unpublish"]
    formfield_overrides = {**MARKDOWN_EDITOR, **HTTPS_URLS}

    class Media:
        css = {"all": ["articles/admin/rows.css"]}
        js = ["articles/admin/sparse_rows.js", "articles/admin/closed_rows.js"]

    # Adds the Preview button beside History.
    change_form_template = "admin/articles/article/change_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        # The article stays locked until the save is committed or refused.
        with transaction.atomic(using=router.db_for_write(self.model)):
            article = self.get_object(request, unquote(object_id))
            if article is None:
                return super().changeform_view(request, object_id, form_url, extra_context)
            conflicts.lock_article(article.pk)
            formsets = [
                (formset.get_default_prefix(), formset)
                for formset, _inline in self.get_formsets_with_inlines(request, article)
            ]
            request.POST = sparse.with_unchanged_rows(
                request.POST, article=article, formsets=formsets
            )
            if conflict := conflicts.edit_conflict(
                article.pk, request.POST.get(conflicts.TOKEN_FIELD, "")
            ):
                request.POST = conflicts.merged_post(
                    request.POST,
                    article=article,
                    conflict=conflict,
                    form_class=self.get_form(request, article, change=True),
                    formsets=formsets,
                )
                request.article_conflict = conflict
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A page sent back with errors shows the editor's input as the fields'
        # defaults: the rows whose input differs from the database must be
        # posted again whatever sparse_rows.js sees.
        context["changed_rows"] = [
            form.prefix
            for inline in context.get("inline_admin_formsets", [])
            if inline.formset.is_bound
            for form in inline.formset.initial_forms
            if form.has_changed()
        ]
        if obj is not None and obj.pk:
            # Where a closed row's form comes from (row_view): the address
            # without its last two parts, which the page's script adds.
            row_url = reverse(
                f"{self.admin_site.name}:articles_article_row", args=(obj.pk, "prefix", 1)
            )
            context["rows_url"] = row_url.removesuffix("prefix/1/")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.conflict = getattr(request, "article_conflict", None)
        return form

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="articles_article_preview",
        )
        row = path(
            "<path:object_id>/change/rows/<str:prefix>/<int:pk>/",
            self.admin_site.admin_view(self.row_view),
            name="articles_article_row",
        )
        return [preview, row, *super().get_urls()]

    @method_decorator(require_safe)
    def row_view(self, request: HttpRequest, object_id: str, prefix: str, pk: int):
        """The form of saved row ``pk`` of an inline list, for a closed row the editor opens.

        The row is named by its id, not its place: Django renumbers the page's
        forms when an added one is removed, and another editor may add or
        delete rows. ``?index=`` is the form's number on the page now.
        """
        article = self.article_or_404(request, object_id, self.has_view_or_change_permission)
        try:
            index = int(request.GET.get("index", ""))
        except ValueError:
            return HttpResponseBadRequest(_("Say which form of the page the row is (?index=)."))
        for formset_class, inline in self.get_formsets_with_inlines(request, article):
            if formset_class.get_default_prefix() != prefix or not getattr(
                inline, "closed_rows", False
            ):
                continue
            formset = formset_class(**self.get_formset_kwargs(request, article, inline, prefix))
            if not 0 <= index < formset.absolute_max:
                raise Http404
            [inline_admin_formset] = self.get_inline_formsets(request, [formset], [inline], article)
            for inline_admin_form in inline_admin_formset:
                if inline_admin_form.original is not None and inline_admin_form.original.pk == pk:
                    # Named as the page's form it fills.
                    inline_admin_form.form.prefix = formset.add_prefix(index)
                    context = {"inline_admin_form": inline_admin_form, "index": index}
                    return TemplateResponse(
                        request, "admin/articles/article/edit_inline/row_fields.html", context
                    )
        raise Http404

    def article_or_404(self, request: HttpRequest, object_id: str, permitted) -> Article:
        """The article of an admin view: 404 if there is none, 403 unless ``permitted``."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not permitted(request, article):
            raise PermissionDenied
        return article

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        """Send the editor to the frontend's preview of the article as saved, with a fresh link."""
        article = self.article_or_404(request, object_id, self.has_view_or_change_permission)
        return HttpResponseRedirect(preview_url(article))

    # Every save and delete goes through the services that decide what goes
    # public and mark the article changed; that comes after the inlines are
    # saved, so what hangs on it sees the article whole.
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        saved_sections = {
            section_form.prefix: section_form.instance
            for formset in formsets
            if formset.model is Section
            for section_form in formset.forms
            if section_form.instance.pk
        }
        for formset in formsets:
            if isinstance(formset, ImageFormSet):
                formset.place_after_new_sections(saved_sections)
        self.article_saved(request, form, formsets)

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
            state = _("Scheduled")
        else:
            state = article.get_status_display()
        if article.has_unpublished_changes:
            return _("%(state)s, with unpublished changes") % {"state": state}
        return state

    @admin.action(description=_("Publish the selected articles"), permissions=["publish"])
    def publish(self, request, queryset: models.QuerySet[Article]) -> None:
        try:
            count = services.articles_publish(queryset=queryset, user=request.user)
        except services.PublishRefused as error:
            message = _("Nothing was published: %(reason)s") % {"reason": error}
            self.message_user(request, message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["publish"])
    def unpublish(self, request, queryset: models.QuerySet[Article]) -> None:
        count = services.articles_unpublish(queryset=queryset)
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", count) % count,
            messages.SUCCESS,
        )


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
