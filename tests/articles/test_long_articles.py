"""Long articles in the admin: a systematic review with 200 sections and 300
references saves under Django's default limit on fields in one POST, because the
page posts only the rows the editor changed; the server fills in the rest."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from articles import services
from articles.models import Article, Reference, Section
from articles.signals import Reason
from tests.admin_forms import form_data, sparse_form_data
from tests.factories import ArticleFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

# Django's default; the demo host keeps it.
DEFAULT_FIELDS_LIMIT = override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=1000)


def long_article(sections: int = 200, references: int = 300, slug: str = "review") -> Article:
    article = ArticleFactory(title="A systematic review", slug=slug)
    Section.objects.bulk_create(
        Section(
            article=article,
            position=n,
            heading=f"Finding {n}",
            anchor=f"finding-{n}",
            level=2 if n % 4 == 1 or n == sections else 3,
            body=f"What study {n} found.",
            body_html=f"<p>What study {n} found.</p>",
        )
        for n in range(1, sections + 1)
    )
    Reference.objects.bulk_create(
        Reference(article=article, position=n, title=f"Study {n}", source="Sleep", year=2020)
        for n in range(1, references + 1)
    )
    return article


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


@pytest.fixture
def review(db):
    return long_article()


@pytest.fixture
def shorter(db):
    """Long enough to show the rule, quicker to render."""
    return long_article(sections=60, references=10)


@DEFAULT_FIELDS_LIMIT
def test_a_long_article_saves_with_the_rows_the_editor_changed(editor, review):
    page = editor.get(change_url(review)).content.decode()
    # The whole page, each row closed, is still more fields than Django takes in one POST.
    assert len(form_data(page)) > 2000
    assert editor.post(change_url(review), form_data(page)).status_code == 400

    data = sparse_form_data(
        page, **{"sections-41-heading": "Finding 42, revised", "references-7-year": "2021"}
    )
    assert sum(len(v) if isinstance(v, list) else 1 for v in data.values()) < 100
    assert editor.post(change_url(review), data).status_code == 302

    assert review.sections.count() == 200 and review.references.count() == 300
    assert review.sections.get(position=42).heading == "Finding 42, revised"
    assert review.references.get(position=8).year == 2021
    # The rows left out are as they were, their stored HTML untouched.
    untouched = review.sections.get(position=100)
    assert (untouched.heading, untouched.body_html) == (
        "Finding 100",
        "<p>What study 100 found.</p>",
    )


@DEFAULT_FIELDS_LIMIT
def test_a_drag_moves_rows_that_were_left_out(editor, shorter):
    page = editor.get(change_url(shorter)).content.decode()
    # The last section dragged to the top: every place changes, no content does.
    moves = {f"sections-{i}-position": str(i + 2) for i in range(59)}
    moves["sections-59-position"] = "1"
    data = sparse_form_data(page, **moves)
    last = str(shorter.sections.get(position=60).pk)
    assert json.loads(data["sections-UNCHANGED"])[59] == [59, last, "1"]
    assert not any(name.startswith("sections-59-") for name in data)

    assert editor.post(change_url(shorter), data).status_code == 302

    headings = list(shorter.sections.order_by("position").values_list("heading", flat=True))
    assert headings[:2] == ["Finding 60", "Finding 1"] and len(headings) == 60


def test_rows_of_another_article_are_never_filled_in(editor, shorter):
    review = shorter
    other = long_article(sections=2, references=0, slug="other")
    page = editor.get(change_url(review)).content.decode()
    data = sparse_form_data(page)
    foreign = other.sections.first()
    rows = json.loads(data["sections-UNCHANGED"])
    rows[0][1] = str(foreign.pk)
    data["sections-UNCHANGED"] = json.dumps(rows)

    response = editor.post(change_url(review), data)

    assert response.status_code == 200  # the form set misses its first row
    assert review.sections.count() == 60
    assert Section.objects.get(pk=foreign.pk).article_id == other.pk


def test_a_sparse_post_is_a_whole_post_to_the_conflict_check(editor, shorter):
    review = shorter
    page = editor.get(change_url(review)).content.decode()
    # The same page saved twice: the second is refused as a conflict, not broken.
    assert editor.post(change_url(review), sparse_form_data(page, title="First")).status_code == 302
    response = editor.post(change_url(review), sparse_form_data(page, title="Second"))
    assert response.status_code == 200
    assert response.context["adminform"].form.conflict is not None
    assert Article.objects.get(pk=review.pk).title == "First"


# The admin's pages run a fixed number of queries, whatever the article's size
# or history. Server time and page size: bench/admin_pages.py (make bench).
# For an editor with permissions (not a superuser): two of each read them.
# The change page asks once whether the article has a live version (its state line).
ADMIN_PAGE_QUERIES = {"change": 15, "history": 8, "add": 7}


def with_revisions(article: Article, count: int) -> Article:
    for _ in range(count):
        services.article_mark_changed(article=article, reason=Reason.SAVED)
    return article


def test_the_admin_pages_run_fixed_queries_for_the_demo_and_a_long_article(
    editor, demo_article, review
):
    with_revisions(demo_article, 50)
    with_revisions(review, 2)
    for article in (demo_article, review):
        assert count_queries(editor, change_url(article)) == ADMIN_PAGE_QUERIES["change"]
        history = f"/admin/articles/article/{article.pk}/history/"
        assert count_queries(editor, history) == ADMIN_PAGE_QUERIES["history"]
    assert count_queries(editor, "/admin/articles/article/add/") == ADMIN_PAGE_QUERIES["add"]


def test_a_row_changed_on_a_page_sent_back_with_errors_is_posted_again(editor, shorter):
    page = editor.get(change_url(shorter)).content.decode()
    edited = {"sections-4-heading": "Finding 5, revised"}
    refused = editor.post(change_url(shorter), sparse_form_data(page, slug="not a slug", **edited))
    assert refused.status_code == 200

    # The editor fixes the slug only; the section's edit is the page's default now.
    again = sparse_form_data(refused.content.decode(), slug="review-2")
    assert again["sections-4-heading"] == "Finding 5, revised"
    assert editor.post(change_url(shorter), again).status_code == 302
    assert shorter.sections.get(position=5).heading == "Finding 5, revised"


@pytest.mark.parametrize(
    "unchanged",
    [
        '[[0, "abc", null]]',
        "[[0, null, null]]",
        "[[1e400, 1, 1]]",
        "[" * 50_000 + "]" * 50_000,
        '{"abc": 1}',
        "[[true, 1, 1]]",
        '[[0, "²", 1]]',
        "[[0, 1]]",
        "not json",
    ],
)
def test_a_malformed_unchanged_list_is_no_server_error(editor, shorter, unchanged):
    page = editor.get(change_url(shorter)).content.decode()
    data = sparse_form_data(page)
    data["sections-UNCHANGED"] = unchanged
    response = editor.post(change_url(shorter), data)
    assert response.status_code == 200  # the form set misses its rows and says so
    assert shorter.sections.count() == 60


def test_a_row_listed_twice_is_filled_in_once(editor, shorter):
    page = editor.get(change_url(shorter)).content.decode()
    data = sparse_form_data(page)
    rows = json.loads(data["sections-UNCHANGED"])
    rows[1][1] = rows[0][1]  # the first section's id in the second place too
    data["sections-UNCHANGED"] = json.dumps(rows)
    assert editor.post(change_url(shorter), data).status_code == 200
    assert sorted(shorter.sections.values_list("position", flat=True)) == list(range(1, 61))


@pytest.mark.parametrize("base", ["²", "9" * 5000, "-1", "abc", ""])
def test_a_malformed_edit_token_is_a_conflict_not_an_error(editor, shorter, base):
    services.article_mark_changed(article=shorter, reason=Reason.SAVED)  # a revision
    page = editor.get(change_url(shorter)).content.decode()
    data = sparse_form_data(page, title="Changed")
    data["base_revision"] = base
    response = editor.post(change_url(shorter), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.conflict is not None
