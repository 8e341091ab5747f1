"""The editor's admin: an article and all its parts on one page."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator

from adminsortable2.admin import CustomInlineFormSetMixin, SortableAdminBase, SortableStackedInline
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.formsets import DEFAULT_MAX_NUM
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
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


def show_index_counts(site: admin.AdminSite) -> None:
    """Show the apps' counts (articles.admin_index) above the app list of ``site``'s index.

    A host that set its own index template keeps it; it extends ours to keep
    the counts (README).
    """
    if site.index_template is None:
        site.index_template = "admin/articles/index.html"


show_index_counts(admin.site)
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


# The inline form sets' prefixes: the related names Article.sections and .references.
SECTIONS_PREFIX = "sections"
REFERENCES_PREFIX = "references"


def posted_rows(
    data, prefix: str, *, added_only: bool = False
) -> Iterator[tuple[str, Callable[[str], str]]]:
    """The forms of inline ``prefix`` in an admin POST that are not marked for deletion.

    Each comes as its form prefix ("sections-3") and a getter of its posted
    fields. Form sets are validated one by one; this lets one see another's
    rows in the same POST. ``added_only``: only the forms added on the page,
    after the saved ones. The count is capped as Django caps a form set's
    forms, so a forged TOTAL_FORMS costs nothing.
    """
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
        first = int(data.get(f"{prefix}-INITIAL_FORMS", 0)) if added_only else 0
    except (TypeError, ValueError):
        return
    deleted = forms.CheckboxInput()  # reads DELETE as the form set's own field does
    for index in range(max(first, 0), min(total, 2 * DEFAULT_MAX_NUM)):
        form = f"{prefix}-{index}"
        if not deleted.value_from_datadict(data, {}, f"{form}-DELETE"):
            yield form, lambda name, form=form: data.get(f"{form}-{name}") or ""


def kept_reference_forms(data) -> int:
    """How many references the article has once this admin POST is saved.

    The section and reference inlines are separate form sets: a section's
    citations are checked against the reference forms of the same POST.
    """
    return sum(
        1
        for _form, field in posted_rows(data, REFERENCES_PREFIX)
        if field("id") or field("title") or field("authors")
    )


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


class AfterSectionSelect(forms.Select):
    # Offers the sections added on the page, before they have ids, as they are typed.
    class Media:
        js = ["articles/admin/after_section.js"]


NEW_SECTION_LABEL = _("%s (new)")


class AfterSectionField(forms.ChoiceField):
    """Where an image goes: after the intro (empty), after one of the article's
    sections (its id), or after a section added in the same save, which has no
    id yet and is named by its form ("sections-3"). Cleans to a Section, None,
    or the new section's form prefix as a ``NewSection``."""

    widget = AfterSectionSelect
    default_error_messages = {
        "deleted_section": _(
            "“%(section)s” is deleted in this save: choose another place for the image."
        ),
    }

    def __init__(self, *, sections, new_sections, deleted, **kwargs) -> None:
        self.sections = {str(section.pk): section for section in sections}
        self.new_sections = new_sections
        self.deleted = deleted
        choices = [
            ("", "---------"),
            *((pk, str(section)) for pk, section in self.sections.items()),
            *((form, NEW_SECTION_LABEL % heading) for form, heading in new_sections.items()),
        ]
        super().__init__(choices=choices, required=False, **kwargs)
        self.widget.attrs.update(
            {
                "data-sections-prefix": SECTIONS_PREFIX,
                "data-new-label": NEW_SECTION_LABEL,
                "data-untitled-label": _("a section without a heading"),
            }
        )

    def clean(self, value):
        value = super().clean(value)
        if value in self.deleted:
            raise ValidationError(
                self.error_messages["deleted_section"],
                code="deleted_section",
                params={"section": self.sections[value]},
            )
        if value in self.new_sections:
            return NewSection(value)
        return self.sections.get(value)

    def has_changed(self, initial, data) -> bool:
        # The initial value is the section's id as a number, the data a string.
        return str(initial or "") != str(data or "")


class NewSection(str):
    """The form prefix of a section that this save adds, as an image's place."""


class ImageForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        # The section has no row yet: the admin sets it once the sections are saved.
        place = cleaned_data.get("after_section")
        self.new_section = place if isinstance(place, NewSection) else None
        if self.new_section:
            cleaned_data["after_section"] = None
        return cleaned_data


class ImageFormSet(CustomInlineFormSetMixin, BaseInlineFormSet):
    # Whether this request may add sections on the page: set by ImageInline.get_formset.
    sections_addable = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        article = self.instance
        # One query for every image form's choices, not one per form.
        self.sections = list(article.sections.only("heading", "article")) if article.pk else []
        self.new_sections = {}
        self.deleted = set()
        if not (self.is_bound and f"{SECTIONS_PREFIX}-TOTAL_FORMS" in self.data):
            return
        if self.sections_addable:
            # A section is saved only with a heading (stripped, as its form strips it).
            added = posted_rows(self.data, SECTIONS_PREFIX, added_only=True)
            self.new_sections = {
                form: heading for form, field in added if (heading := field("heading").strip())
            }
        # The sections this save deletes: an image cannot follow one.
        kept = {field("id") for _form, field in posted_rows(self.data, SECTIONS_PREFIX)}
        self.deleted = {str(section.pk) for section in self.sections} - kept

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        model_field = form.fields["after_section"]
        form.fields["after_section"] = AfterSectionField(
            sections=self.sections,
            new_sections=self.new_sections,
            deleted=self.deleted,
            label=model_field.label,
            help_text=model_field.help_text,
        )

    def place_after_new_sections(self, saved_sections: dict[str, Section]) -> None:
        """Point images at the sections added in the same save, now that they have rows."""
        for form in self.forms:
            new_section = getattr(form, "new_section", None)
            if new_section and form.instance.pk:
                form.instance.after_section = saved_sections[new_section]
                form.instance.save(update_fields=["after_section"])


class ImageInline(SortableStackedInline):
    model = Image
    form = ImageForm
    formset = ImageFormSet
    extra = 0
    fields = [
        ("thumbnail", "file"),
        "alt_text",
        ("caption", "credit"),
        "after_section",
    ]
    readonly_fields = ["thumbnail"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Sections added on the page are places for images only where this
        # editor may add them, on an article admin that has them inline.
        parent = self.admin_site.get_model_admin(self.parent_model)
        formset.sections_addable = any(
            isinstance(inline, SectionInline) and inline.has_add_permission(request, obj)
            for inline in parent.get_inline_instances(request, obj)
        )
        return formset

    @admin.display(description=_("preview"))
    def thumbnail(self, image: Image) -> str:
        if not image.file:
            return "-"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:160px;max-height:100px">',
            image.file.url,
            image.alt_text,
        )


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
        restore = path(
            "<path:object_id>/history/<int:version_id>/restore/",
            self.admin_site.admin_view(self.restore_view),
            name="articles_article_restore",
        )
        return [preview, compare, restore, *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        actions = sorted(response.context_data["action_list"], key=lambda a: a["revision"].pk)
        for older, newer in zip(actions, actions[1:], strict=False):
            newer["compare_url"] = reverse(
                "admin:articles_article_compare",
                args=(object_id, older["revision"].pk, newer["revision"].pk),
            )
        versions = dict(
            Version.objects.get_for_object_reference(Article, object_id).values_list(
                "revision_id", "pk"
            )
        )
        for action in actions[:-1]:  # the newest is the article as it is
            action["restore_url"] = reverse(
                "admin:articles_article_restore",
                args=(object_id, versions[action["revision"].pk]),
            )
        return response

    def article_or_404(self, request: HttpRequest, object_id: str, permitted) -> Article:
        """The article of an admin view: 404 if there is none, 403 unless ``permitted``."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not permitted(request, article):
            raise PermissionDenied
        return article

    def has_restore_permission(self, request: HttpRequest, article: Article) -> bool:
        # A restore adds, changes and deletes the article's parts as well.
        parts = [
            f"articles.{action}_{model}"
            for action in ("add", "change", "delete")
            for model in ("section", "image", "reference")
        ]
        return self.has_change_permission(request, article) and request.user.has_perms(parts)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # django-reversion's own restore reverts every article in the revision;
        # a bulk publish or a tag rename holds several: those restore by button.
        version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
        shared = Version.objects.filter(
            revision_id=version.revision_id, content_type_id=version.content_type_id
        ).exclude(pk=version.pk)
        if shared.exists():
            self.message_user(
                request,
                _(
                    "This revision also holds other articles (a change made to several "
                    "at once): restore this article with its Restore button."
                ),
                messages.WARNING,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_history", args=(object_id,))
            )
        return super().revision_view(request, object_id, version_id, extra_context)

    def restore_view(self, request: HttpRequest, object_id: str, version_id: int):
        """Restore a revision in one click (a POST from the history page's button)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.article_or_404(request, object_id, self.has_restore_permission)
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        when = date_format(localtime(version.revision.date_created), "DATETIME_FORMAT")
        try:
            missing = services.article_restore(
                article=article,
                revision=version.revision,
                user=request.user,
                comment=_("Restored the revision of %(when)s") % {"when": when},
            )
        except services.RestoreFailed as error:
            message = _("The revision of %(when)s cannot be restored: %(error)s") % {
                "when": when,
                "error": error,
            }
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:articles_article_history", args=(article.pk,))
            )
        self.message_user(
            request, _("Restored the revision of %(when)s") % {"when": when}, messages.SUCCESS
        )
        for alt_text in missing:
            self.message_user(
                request,
                _("The image “%(image)s” was left out: its file is gone.") % {"image": alt_text},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=(article.pk,)))

    def compare_view(self, request: HttpRequest, object_id: str, older: int, newer: int):
        """Two revisions of the article side by side, changed lines marked."""
        article = self.article_or_404(request, object_id, self.has_view_or_change_permission)
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
        article = self.article_or_404(request, object_id, self.has_view_or_change_permission)
        return HttpResponseRedirect(preview_url(article))

    # Every save and delete goes through the services that mark the article
    # changed; the mark comes after the inlines are saved, so what hangs on
    # it sees the article whole.
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
