"""The article form's rules that reach across its inlines: citations, anchors, image places.

Django validates each inline form set on its own; these read the other
inlines' rows from the same POST, as Django would read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from adminsortable2.admin import CustomInlineFormSetMixin
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.forms.formsets import DEFAULT_MAX_NUM
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from articles.admin.conflicts import TOKEN_FIELD, EditConflict
from articles.citations import missing_citations
from articles.editor import EditorWidget
from articles.models import Section, section_anchor
from articles.revisions import newest_revision
from articles.uploads import image_upload_clean

MARKDOWN_EDITOR = {MarkdownxField: {"widget": EditorWidget}}
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
        # In the order the editor left them (dragging rewrites the positions).
        ordered = sorted(kept, key=lambda form: form.cleaned_data.get("position") or 0)
        if ordered and ordered[0].cleaned_data.get("level") == Section.Level.SUBSECTION:
            ordered[0].add_error(
                "level",
                ValidationError(
                    _(
                        "A sub-section (level 3) must follow a section (level 2), and "
                        "“%(heading)s” comes first: make it a section, or move a section "
                        "above it."
                    ),
                    code="orphan_subsection",
                    params={"heading": ordered[0].cleaned_data.get("heading", "")},
                ),
            )
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
    # The article's newest revision when the page was opened (admin.conflicts).
    base_revision = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by the admin when the POST's base is not the newest revision.
    conflict: EditConflict | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A POST carries its page's token (and the conflict check reads the newest).
        if self.instance.pk and not self.is_bound:
            newest = newest_revision(self.instance.pk)
            self.fields[TOKEN_FIELD].initial = str(newest.pk) if newest else ""

    def clean_intro(self) -> str:
        intro = self.cleaned_data.get("intro", "")
        references = kept_reference_forms(self.data)
        if missing := missing_citations(intro, references):
            raise citation_error(missing[0], references)
        return intro

    def clean_published_at(self):
        # The admin's split widget shows seconds: a time saved with microseconds
        # comes back without them. Unchanged means unchanged, to the microsecond.
        value = self.cleaned_data.get("published_at")
        saved = self.instance.published_at if self.instance.pk else None
        if value and saved and value == saved.replace(microsecond=0):
            return saved
        return value

    def clean(self):
        cleaned_data = super().clean()
        if conflict := self.conflict:
            raise ValidationError(
                _(
                    "%(user)s saved this article at %(when)s, after you opened this page. "
                    "Their change is shown below. Your changes are still in the form, and "
                    "what you had not changed now shows theirs: check, then save again."
                ),
                code="edit_conflict",
                params={"user": conflict.user, "when": conflict.when},
            )
        return cleaned_data

    @property
    def changed_data(self) -> list[str]:
        # The token is no change of the article's.
        return [name for name in super().changed_data if name != TOKEN_FIELD]


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
    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):  # a new upload, not the saved file
            return image_upload_clean(file)
        return file

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
