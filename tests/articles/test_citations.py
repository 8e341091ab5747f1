"""In-text citations: "[^3]" in Markdown links to reference 3, and reference 3 back to
the sections that cite it; a citation of a reference that does not exist is refused."""

from __future__ import annotations

import pytest

from articles.markdown import render_markdown
from tests.admin_forms import form_data
from tests.factories import ArticleFactory, ReferenceFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_a_citation_renders_as_a_link_to_its_reference():
    html = render_markdown("Iron helps [^3].")
    assert html == (
        '<p>Iron helps <sup><a href="#ref-3" title="Reference 3" '
        'rel="noopener noreferrer">3</a></sup>.</p>'
    )


@pytest.mark.parametrize("text", ["[^x]", "`[^2]`", "[^]", "[2]"])
def test_what_is_not_a_citation_stays_text(text):
    assert "href" not in render_markdown(text)


def test_references_say_where_they_are_cited(api_client):
    article = ArticleFactory()
    SectionFactory(article=article, heading="Causes", body="Low iron [^2].", position=1)
    SectionFactory(article=article, heading="Treatment", body="Tablets [^2] [^1].", position=2)
    for n in range(1, 4):
        ReferenceFactory(article=article, title=f"Study {n}", position=n)

    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()

    assert [(r["anchor"], r["cited_in"]) for r in detail["references"]] == [
        ("ref-1", ["treatment"]),
        ("ref-2", ["causes", "treatment"]),
        ("ref-3", []),
    ]
    assert 'href="#ref-2"' in detail["sections"][0]["body_html"]


# The admin refuses a citation of a reference the article does not have.


@pytest.fixture
def article(db):
    article = ArticleFactory(intro="An intro.")
    SectionFactory(article=article, heading="Causes", body="Low iron.")
    ReferenceFactory.create_batch(2, article=article)
    return article


def change(editor, article, **changes):
    url = f"/admin/articles/article/{article.pk}/change/"
    data = form_data(editor.get(url).content.decode(), **changes)
    return editor.post(url, data)


def test_a_section_citing_a_missing_reference_is_a_form_error(editor, article):
    response = change(editor, article, **{"sections-0-body": "Low iron [^3]."})
    assert response.status_code == 200
    assert "[^3] cites reference 3, but the article has 2." in response.content.decode()
    article.refresh_from_db()
    assert article.sections.get().body == "Low iron."


def test_the_intro_citing_a_missing_reference_is_a_form_error(editor, article):
    response = change(editor, article, intro="As shown [^9].")
    assert response.status_code == 200
    assert "[^9] cites reference 9, but the article has 2." in response.content.decode()


def test_a_reference_added_in_the_same_save_may_be_cited(editor, article):
    response = change(
        editor,
        article,
        **{
            "sections-0-body": "Low iron [^3].",
            "references-TOTAL_FORMS": "3",
            "references-2-title": "A third study",
            "references-2-authors": "Doe J",
            "references-2-article": str(article.pk),
        },
    )
    assert response.status_code == 302
    assert article.references.count() == 3


def test_a_reference_deleted_in_the_same_save_may_no_longer_be_cited(editor, article):
    response = change(
        editor, article, **{"sections-0-body": "Low iron [^2].", "references-1-DELETE": "on"}
    )
    assert response.status_code == 200
    assert "[^2] cites reference 2, but the article has 1." in response.content.decode()
