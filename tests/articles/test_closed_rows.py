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


def row_url(article, prefix: str, index: int) -> str:
    return f"/admin/articles/article/{article.pk}/change/rows/{prefix}/{index}/"


def test_saved_rows_render_closed_with_their_place_and_an_edit_button(editor, article):
    page = editor.get(change_url(article)).content.decode()
    assert 'name="sections-0-heading"' not in page and 'name="references-0-title"' not in page
    assert page.count('class="inline-related has_original closed-row"') == 3
    assert f'data-url="{row_url(article, "sections", 1)}"' in page
    assert re.search(r'name="sections-1-position" value="2" class="_reorder_"', page)
    # Added rows still come from the form set's empty template, open.
    assert 'name="sections-__prefix__-heading"' in page


def test_an_opened_row_is_its_form(editor, article):
    response = editor.get(row_url(article, "sections", 1))
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'name="sections-1-heading"' in fragment and 'value="Treatment"' in fragment
    assert 'class="markdownx' in fragment
    assert 'name="sections-1-position"' in fragment


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


@pytest.mark.parametrize(
    ("prefix", "index"), [("sections", 2), ("images", 0), ("nothing", 0), ("references", 1)]
)
def test_a_row_that_is_not_a_saved_closed_row_is_not_found(editor, article, prefix, index):
    assert editor.get(row_url(article, prefix, index)).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_row_address_answers_only_get(editor, article, method):
    assert getattr(editor, method)(row_url(article, "sections", 0)).status_code == 405


def test_the_row_address_is_for_editors(client, moderator, article):
    client.force_login(moderator)
    assert client.get(row_url(article, "sections", 0)).status_code == 403
    client.logout()
    assert client.get(row_url(article, "sections", 0)).status_code == 302  # to the login


def test_opening_a_row_runs_fixed_queries(editor, article):
    SectionFactory.create_batch(20, article=article, position=9)
    # Session, editor, two for the editor's permissions, the article, the rows.
    assert count_queries(editor, row_url(article, "sections", 0)) == 6
    assert count_queries(editor, row_url(article, "sections", 21)) == 6
    assert count_queries(editor, row_url(article, "references", 0)) == 6
