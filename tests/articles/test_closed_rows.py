"""Saved sections and references render closed on the article's page; a row's form
comes from the server when the editor opens it, so long articles stay quick."""

from __future__ import annotations

import re

import pytest

from tests.admin_forms import form_data
from tests.factories import ArticleFactory, ReferenceFactory, SectionFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    article = ArticleFactory(title="Iron and sleep", slug="iron")
    for n, heading in enumerate(["Causes", "Treatment"], start=1):
        SectionFactory(article=article, heading=heading, body=f"About {heading}.", position=n)
    ReferenceFactory(article=article, title="A study", position=1)
    return article


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def row_url(article, prefix: str, pk: int, index: int | None = None) -> str:
    url = f"/admin/articles/article/{article.pk}/change/rows/{prefix}/{pk}/"
    return url if index is None else f"{url}?index={index}"


def part(article, prefix: str, position: int):
    return getattr(article, prefix).get(position=position)


def test_saved_rows_render_closed_with_their_place_and_an_edit_button(editor, article):
    page = editor.get(change_url(article)).content.decode()
    assert 'name="sections-0-heading"' not in page and 'name="references-0-title"' not in page
    assert page.count('class="inline-related has_original closed-row"') == 3
    assert f'data-url="{row_url(article, "sections", part(article, "sections", 2).pk)}"' in page
    assert re.search(r'name="sections-1-position" value="2" class="_reorder_"', page)
    # Added rows still come from the form set's empty template, open.
    assert 'name="sections-__prefix__-heading"' in page


def test_an_opened_row_is_its_form(editor, article):
    response = editor.get(row_url(article, "sections", part(article, "sections", 2).pk, 1))
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'name="sections-1-heading"' in fragment and 'value="Treatment"' in fragment
    assert 'class="markdownx' in fragment
    assert 'name="sections-1-position"' in fragment


def test_a_row_is_named_by_its_id_and_placed_as_the_pages_form(editor, article):
    # Django renumbered the page's forms: the first section now fills form 5.
    fragment = editor.get(row_url(article, "sections", part(article, "sections", 1).pk, 5))
    assert 'name="sections-5-heading"' in fragment.content.decode()
    assert 'value="Causes"' in fragment.content.decode()


def test_a_page_posted_whole_with_closed_rows_saves_what_was_changed(editor, article):
    page = editor.get(change_url(article)).content.decode()
    # Without the page's script: the closed rows post their id, place and mark.
    data = form_data(page, **{"sections-1-heading": "Treatment with iron"})
    assert data["sections-0-CLOSED"] == "1"
    assert editor.post(change_url(article), data).status_code == 302
    assert list(article.sections.values_list("heading", "body")) == [
        ("Causes", "About Causes."),
        ("Treatment with iron", "About Treatment."),
    ]


def test_a_page_sent_back_with_errors_shows_every_row_open(editor, article):
    page = editor.get(change_url(article)).content.decode()
    response = editor.post(change_url(article), form_data(page, slug="not a slug"))
    assert response.status_code == 200
    assert 'name="sections-0-heading"' in response.content.decode()


def test_a_row_that_is_not_a_saved_closed_row_of_the_article_is_not_found(editor, article):
    other = ArticleFactory(slug="other")
    foreign = SectionFactory(article=other, heading="Elsewhere", position=1)
    section = part(article, "sections", 1).pk
    assert editor.get(row_url(article, "sections", foreign.pk, 0)).status_code == 404
    assert editor.get(row_url(article, "nothing", section, 0)).status_code == 404
    image_prefix_url = row_url(article, "images", section, 0)
    assert editor.get(image_prefix_url).status_code == 404  # images render open
    assert editor.get(row_url(article, "sections", section, 10_000)).status_code == 404
    assert editor.get(row_url(article, "sections", section)).status_code == 400
    assert editor.get(row_url(article, "sections", section) + "?index=x").status_code == 400


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_row_address_answers_only_get(editor, article, method):
    url = row_url(article, "sections", part(article, "sections", 1).pk, 0)
    assert getattr(editor, method)(url).status_code == 405


def test_the_row_address_is_for_editors(client, moderator, article):
    url = row_url(article, "sections", part(article, "sections", 1).pk, 0)
    client.force_login(moderator)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login


def test_opening_a_row_runs_fixed_queries(editor, article):
    SectionFactory.create_batch(20, article=article, position=9)
    # Session, editor, two for the editor's permissions, the article, the rows.
    rows = list(article.sections.order_by("position", "id"))
    first, last = rows[0], rows[-1]
    assert count_queries(editor, row_url(article, "sections", first.pk, 0)) == 6
    assert count_queries(editor, row_url(article, "sections", last.pk, 21)) == 6
    reference = part(article, "references", 1).pk
    assert count_queries(editor, row_url(article, "references", reference, 0)) == 6
