"""The article's parts, inline on its page, ordered by dragging."""

from __future__ import annotations

from adminsortable2.admin import SortableStackedInline
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.admin.forms import (
    HTTPS_URLS,
    MARKDOWN_EDITOR,
    ImageForm,
    ImageFormSet,
    SectionFormSet,
)
from articles.models import Image, Reference, Section

# The parts are ordered by dragging them (django-admin-sortable2), which
# rewrites their hidden positions: the API, the anchors' numbering and the
# reference numbers follow that order.


# Long lists render their saved rows closed (edit_inline/rows.html): a row's
# form is rendered when the editor opens it (ArticleAdmin.row_view).
CLOSED_ROWS_TEMPLATE = "admin/articles/article/edit_inline/rows.html"


class SectionInline(SortableStackedInline):
    model = Section
    template = CLOSED_ROWS_TEMPLATE
    closed_rows = True
    formset = SectionFormSet
    extra = 0
    fields = [("heading", "level", "anchor"), "body"]
    formfield_overrides = MARKDOWN_EDITOR


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
        if not image.file._committed:
            # A file chosen on a page the server sent back with errors: browsers
            # do not send it again, and it was not saved.
            return format_html(
                '<strong class="errornote">{}</strong>',
                _("This file was not saved: choose it again."),
            )
        return format_html(
            '<img src="{}" alt="{}" style="max-width:160px;max-height:100px">',
            image.file.url,
            image.alt_text,
        )


class ReferenceInline(SortableStackedInline):
    model = Reference
    template = CLOSED_ROWS_TEMPLATE
    closed_rows = True
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
