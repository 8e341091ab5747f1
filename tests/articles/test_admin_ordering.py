"""Ordering an article's parts by dragging them (django-admin-sortable2).

The browser's drag rewrites each inline's hidden position; what reaches the
server is the form with new positions. The API, and the reference numbers,
follow that order.
"""

from __future__ import annotations

import re

import pytest

from tests.admin_forms import form_data
from tests.factories import ArticleFactory, ImageFactory, ReferenceFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    article = ArticleFactory()
    for n, heading in enumerate(["Causes", "Symptoms", "Treatment"], start=1):
        SectionFactory(article=article, heading=heading, position=n)
    for n, title in enumerate(["First study", "Second study"], start=1):
        ReferenceFactory(article=article, title=title, position=n)
    for n, alt_text in enumerate(["A nerve", "A leg"], start=1):
        ImageFactory(article=article, alt_text=alt_text, position=n)
    return article


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def test_each_part_is_draggable_with_a_hidden_position(editor, article):
    page = editor.get(change_url(article)).content.decode()
    for prefix in ("sections", "images", "references"):
        assert f'<fieldset class="module sortable" aria-labelledby="{prefix}-heading">' in page
    hidden = re.findall(r'<input type="hidden" name="sections-\d+-position"[^>]*_reorder_', page)
    assert len(hidden) == 3
    assert "adminsortable2/js/adminsortable2.min.js" in page


def test_the_dragged_order_is_what_the_api_serves(editor, api_client, article):
    page = editor.get(change_url(article)).content.decode()
    data = form_data(page)

    def form_index(prefix: str, text: str) -> str:
        # The inline form of the part named ``text`` (saved sections and
        # references render closed: found by their ids).
        model = {"sections": "heading", "references": "title", "images": "alt_text"}[prefix]
        part = getattr(article, prefix).get(**{model: text})
        return next(
            key.split("-")[1]
            for key, value in data.items()
            if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(part.pk)
        )

    # Treatment dragged to the top; the second study above the first.
    new_sections = {"Treatment": 1, "Causes": 2, "Symptoms": 3}
    for heading, position in new_sections.items():
        data[f"sections-{form_index('sections', heading)}-position"] = str(position)
    data[f"references-{form_index('references', 'Second study')}-position"] = "1"
    data[f"references-{form_index('references', 'First study')}-position"] = "2"
    data[f"images-{form_index('images', 'A leg')}-position"] = "1"
    data[f"images-{form_index('images', 'A nerve')}-position"] = "2"

    assert editor.post(change_url(article), data).status_code == 302
    # The save is the live article's draft: readers get the new order once it is published.
    before = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert [s["heading"] for s in before["sections"]] == ["Causes", "Symptoms", "Treatment"]
    published = editor.post(f"/admin/articles/article/{article.pk}/changes/publish/")
    assert published.status_code == 302

    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert [s["heading"] for s in detail["sections"]] == ["Treatment", "Causes", "Symptoms"]
    assert [i["alt_text"] for i in detail["images"]] == ["A leg", "A nerve"]
    assert [(r["number"], r["title"]) for r in detail["references"]] == [
        (1, "Second study"),
        (2, "First study"),
    ]
