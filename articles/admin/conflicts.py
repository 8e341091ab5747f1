"""Two editors on one article: a save from a page opened before someone else's save.

The change page carries the article's newest revision when it was opened
(``base_revision``). A save whose base is older is refused, with who saved
and when and the diff of their change; the editor's input stays in the form.
The form shown again is merged three ways: a field the editor left as it was
on their page takes the value saved since, a field the editor changed keeps
the editor's input, so saving again loses neither change.

The token is a revision, not ``Article.version``: comment counts and image
copies count there too, and they conflict with no one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _
from reversion.models import Revision

from articles.models import Article
from articles.revisions import diff_table, newest_revision, revision_date, revision_text

TOKEN_FIELD = "base_revision"


def is_id(value: str) -> bool:
    """Whether a posted value can be a row's id (ASCII digits; no "²", no 5,000 digits)."""
    return value.isascii() and value.isdecimal() and len(value) <= 18


@dataclass(frozen=True)
class EditConflict:
    """Someone saved the article after this page was opened."""

    article_id: int
    older: Revision | None  # the page's base, if it names one of the article's revisions
    newest: Revision

    @property
    def user(self) -> str:
        return self.newest.user.get_username() if self.newest.user else _("someone")

    @property
    def when(self) -> str:
        return revision_date(self.newest)

    @cached_property
    def diff(self) -> str:
        """Their change, as an HTML table: built when the page renders, after the lock."""
        return diff_table(
            revision_text(self.older, self.article_id) if self.older else [],
            revision_text(self.newest, self.article_id),
            _("When you opened the page"),
            _("Saved by %(user)s at %(when)s") % {"user": self.user, "when": self.when},
        )


def lock_article(article_id: int) -> None:
    """Hold off other saves of the article until this transaction ends."""
    Article.objects.select_for_update().filter(pk=article_id).values_list("pk").first()


def edit_conflict(article_id: int, base: str) -> EditConflict | None:
    """The conflict of a save based on revision ``base``, if another was saved since.

    Call it inside the save's transaction, the article locked (``lock_article``).
    """
    newest = newest_revision(article_id)
    if newest is None or str(newest.pk) == base:
        return None
    return EditConflict(article_id=article_id, older=base_revision(article_id, base), newest=newest)


def base_revision(article_id: int, base: str) -> Revision | None:
    """The revision ``base`` names, if it is one of this article's."""
    if not is_id(base):
        return None
    return Revision.objects.filter(
        pk=base, version__content_type__model="article", version__object_id=str(article_id)
    ).first()


def revision_rows(revision: Revision | None, model: type[models.Model]) -> dict[str, dict]:
    """The field dicts of ``model``'s rows in ``revision``, by primary key (as posted)."""
    if revision is None:
        return {}
    versions = revision.version_set.filter(content_type__model=model._meta.model_name)
    return {v.object_id: v.field_dict for v in versions}


def posted_initial_forms(
    data: QueryDict, prefix: str, formset_class: type[forms.BaseModelFormSet]
) -> int | None:
    """How many saved rows form set ``prefix`` posted, capped like Django (None: not a number)."""
    try:
        return max(0, min(int(data.get(f"{prefix}-INITIAL_FORMS", 0)), formset_class.absolute_max))
    except ValueError:
        return None


def merged_post(
    data: QueryDict,
    *,
    article: Article,
    conflict: EditConflict,
    form_class: type[forms.ModelForm],
    formsets: Iterable[tuple[str, type[forms.BaseModelFormSet]]],
) -> QueryDict:
    """The editor's POST, with what they left untouched brought up to date.

    Rows deleted since are taken out of the POST (the rows after them move
    up), so the form shown again pairs every row with its own.
    """
    merged = data.copy()
    merged[TOKEN_FIELD] = str(conflict.newest.pk)
    older = conflict.older
    if older is None:
        return merged
    article_rows = revision_rows(older, Article)
    merge_row(merged, "", form_class, article_rows.get(str(article.pk)), article)
    for prefix, formset_class in formsets:
        model = formset_class.model
        then = revision_rows(older, model)
        now = {str(row.pk): row for row in model.objects.filter(article=article)}
        if (initial := posted_initial_forms(data, prefix, formset_class)) is None:
            continue  # Django's form set refuses the POST itself
        gone = []
        for index in range(initial):
            pk = data.get(f"{prefix}-{index}-id", "")
            if pk not in now:
                gone.append(index)
            elif pk in then:
                merge_row(merged, f"{prefix}-{index}-", formset_class.form, then[pk], now[pk])
        if gone:
            merged = without_rows(merged, prefix, gone)
    return merged


def without_rows(data: QueryDict, prefix: str, gone: list[int]) -> QueryDict:
    """``data`` without the forms ``gone`` of form set ``prefix``, the others renumbered."""
    kept = QueryDict(mutable=True)
    for key, values in data.lists():
        head, _, rest = key.removeprefix(f"{prefix}-").partition("-")
        if not (key.startswith(f"{prefix}-") and head.isdecimal() and rest):
            kept.setlist(key, values)
        elif (index := int(head)) not in gone:
            moved = index - sum(1 for g in gone if g < index)
            kept.setlist(f"{prefix}-{moved}-{rest}", values)
    for counter in ("INITIAL_FORMS", "TOTAL_FORMS"):
        key = f"{prefix}-{counter}"
        with contextlib.suppress(ValueError):  # not a number: Django's management form says so
            kept[key] = str(max(0, int(kept.get(key, 0)) - len(gone)))
    return kept


def merge_row(
    data: QueryDict,
    prefix: str,
    form_class: type[forms.BaseForm],
    then: dict | None,
    now: models.Model,
) -> None:
    """Bring the fields of one form the editor left as they were up to ``now``."""
    if then is None:
        return
    for name, field in form_class.base_fields.items():
        model_field = model_field_of(now, name)
        if model_field is None or isinstance(field, forms.FileField):
            continue
        before = as_data(field, prefix + name, then.get(model_field.attname, then.get(name)))
        after = as_data(field, prefix + name, model_field.value_from_object(now))
        posted = {key: data.getlist(key) for key in before}
        if same(before, after) or not same(before, posted):
            continue  # not changed since, or changed by this editor: their input stands
        for key, values in after.items():
            data.setlist(key, values)


def model_field_of(instance: models.Model, name: str) -> models.Field | None:
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:  # a form-only field (the token, DELETE)
        return None
    if field.primary_key or not (field.concrete or field.many_to_many):
        return None
    if field.is_relation and field.related_model is Article:
        return None  # the inline's link to its article
    return field


def as_data(field: forms.Field, key: str, value) -> dict[str, list[str]]:
    """``value`` as a browser would post it in ``field``'s widget named ``key``."""
    widget = field.widget
    while hasattr(widget, "widget") and not isinstance(widget, forms.MultiWidget):
        widget = widget.widget  # the admin's related-object wrapper
    if getattr(widget, "allow_multiple_selected", False):
        return {key: [str(getattr(v, "pk", v)) for v in value or []]}
    prepared = field.prepare_value(value)
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(prepared)
        return {
            key + suffix: [text(sub.format_value(part))]
            for suffix, sub, part in zip(widget.widgets_names, widget.widgets, parts, strict=True)
        }
    if isinstance(widget, forms.CheckboxInput):
        return {key: ["on"] if widget.check_test(prepared) else []}
    shown = widget.format_value(prepared)
    if isinstance(shown, list):  # a select's chosen values
        shown = shown[0] if shown else ""
    return {key: [text(shown)]}


def text(value) -> str:
    return "" if value is None else str(value)


def same(one: dict[str, list[str]], other: dict[str, list[str]]) -> bool:
    """Equal as posted: line ends and surrounding spaces aside, in any order."""

    def normal(values: list[str]) -> list[str]:
        return sorted(v.replace("\r\n", "\n").strip() for v in values)

    return all(normal(one[key]) == normal(other.get(key, [])) for key in one)
