"""The saved rows a change form left out of its POST or posted closed, filled in
from the database.

``articles/static/articles/admin/sparse_rows.js`` posts only the rows an
editor changed, so a long article stays under Django's limit on fields in
one POST; each inline list names the rows it left out, with their places in
the order, in ``<prefix>-UNCHANGED``. A page posted whole (without the
script) sends its closed rows (edit_inline/rows.html) as their id, place and
``-CLOSED``. Here those rows get back the fields Django's form sets expect,
with the values the database holds: to Django the POST is the whole page,
and a row whose only change is its place saves just that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django import forms
from django.forms.formsets import DEFAULT_MAX_NUM
from django.http import QueryDict

from articles.admin.conflicts import as_data, is_id, model_field_of, posted_initial_forms
from articles.models import Article

UNCHANGED_SUFFIX = "-UNCHANGED"
CLOSED_SUFFIX = "-CLOSED"
ORDER_FIELD = "position"  # OrderedPart's, which dragging rewrites
# A row's entry is "[index, id, position]": 60 characters leave plenty of room.
MAX_UNCHANGED_LENGTH = 60 * 2 * DEFAULT_MAX_NUM


def posted_unchanged(data: QueryDict, prefix: str) -> list[tuple[int, str, str]]:
    """The ``(index, id, position)`` of each row the page left out, as posted.

    Anything else than a list of such triples of small whole numbers is left
    out: Django's form set then reports the rows it misses.
    """
    raw = data.get(prefix + UNCHANGED_SUFFIX) or "[]"
    if len(raw) > MAX_UNCHANGED_LENGTH:
        return []
    try:
        rows = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    if not isinstance(rows, list):
        return []
    return [
        (row[0], str(row[1]), str(row[2]) if row[2] is not None else "")
        for row in rows
        if isinstance(row, list)
        and len(row) == 3
        and type(row[0]) is int
        and is_id(str(row[1]))
        and (row[2] is None or is_id(str(row[2])))
    ]


def with_unchanged_rows(
    data: QueryDict,
    *,
    article: Article,
    formsets: Iterable[tuple[str, type[forms.BaseModelFormSet]]],
) -> QueryDict:
    """``data`` with every row it left out or posted closed filled in.

    Left out: named in ``<prefix>-UNCHANGED`` (sparse_rows.js). Closed: posted
    with ``-CLOSED`` (a row the editor never opened, from a page posted whole,
    without the script): its posted fields stand, the others are filled in.
    """
    if not any(key.endswith((UNCHANGED_SUFFIX, CLOSED_SUFFIX)) for key in data):
        return data
    full = data.copy()
    for prefix, formset_class in formsets:
        if (initial := posted_initial_forms(data, prefix, formset_class)) is None:
            continue  # Django's form set refuses the POST itself
        rows = [
            (index, pk, position)
            for index, pk, position in posted_unchanged(data, prefix)
            if 0 <= index < initial and f"{prefix}-{index}-id" not in data
        ]
        rows += [
            (index, data.get(f"{prefix}-{index}-id", ""), "")
            for index in range(initial)
            if f"{prefix}-{index}{CLOSED_SUFFIX}" in data
        ]
        if not rows:
            continue
        wanted = {pk for _index, pk, _position in rows if is_id(pk)}
        saved = {
            str(row.pk): row
            for row in formset_class.model.objects.filter(article=article, pk__in=wanted)
        }
        fk_name = formset_class.fk.name
        filled: set[str] = set()
        for index, pk, position in rows:
            # Only this article's rows, once each.
            if pk not in saved or pk in filled:
                continue
            filled.add(pk)
            row_prefix = f"{prefix}-{index}-"
            row = saved[pk]
            for name, field in formset_class.form.base_fields.items():
                model_field = model_field_of(row, name)
                if model_field is None or isinstance(field, forms.FileField):
                    continue
                value = model_field.value_from_object(row)
                for key, values in as_data(field, row_prefix + name, value).items():
                    if key not in data:
                        full.setlist(key, values)
            full[row_prefix + "id"] = pk
            full[row_prefix + fk_name] = str(article.pk)
            if position:
                full[row_prefix + ORDER_FIELD] = position
    return full
