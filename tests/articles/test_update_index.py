"""``manage.py update_index``: rows written outside the change funnel, brought up to date.

``bulk_create`` and ``QuerySet.update`` stand for every writer that skips
``articles_mark_changed`` (a data migration, a SQL load, ``loaddata``).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Revision

from articles.api.serializers import ArticleDetailSerializer
from articles.live import live_snapshot
from articles.management.commands.update_index import UNKNOWN_SLUG
from articles.models import Article, ArticleDocument, ArticleSearch, Section, WebhookDelivery
from articles.search import search_write
from articles.signals import Reason, article_changed
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    ReferenceFactory,
    SectionFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/articles/"
WORD = "xerophthalmia"


def bulk_articles(*slugs: str, **fields) -> list[Article]:
    """Articles written with ``bulk_create``: no funnel, no index, no document."""
    published = {
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - dt.timedelta(hours=1),
    }
    return Article.objects.bulk_create(
        Article(title=f"{slug} {WORD}", slug=slug, **(published | fields)) for slug in slugs
    )


def found(client, words: str) -> set[str]:
    """The slugs a search through the API finds."""
    response = client.get(LIST_URL, {"search": words})
    assert response.status_code == 200
    return {item["slug"] for item in response.json()["results"]}


def listed(client) -> set[str]:
    response = client.get(LIST_URL)
    assert response.status_code == 200
    return {item["slug"] for item in response.json()["results"]}


def update_index(*slugs: str, **options) -> str:
    """Run the command; returns what it wrote on stdout."""
    out = io.StringIO()
    call_command("update_index", *slugs, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def changes():
    """The reasons of every ``article_changed`` sent during the test."""
    reasons: list[str] = []

    def record(sender, *, reason, **kwargs):
        reasons.append(reason)

    article_changed.connect(record, dispatch_uid="tests.update_index")
    yield reasons
    article_changed.disconnect(dispatch_uid="tests.update_index")


# The way back.


def test_articles_written_in_bulk_are_found_only_after_update_index(api_client):
    assert listed(api_client) == set()  # the list's page is kept in the cache now
    bulk_articles("one", "two")
    bulk_articles("draft", status=Article.Status.DRAFT, published_at=None)

    assert found(api_client, WORD) == set()  # the bug: nobody told the index
    update_index()

    assert found(api_client, WORD) == {"one", "two"}
    assert listed(api_client) == {"one", "two"}  # the kept page was dropped


def test_sections_written_in_bulk_are_searched_after_update_index(api_client):
    (article,) = bulk_articles("iron")
    Section.objects.bulk_create(
        [Section(article=article, position=1, heading="Ferritin", anchor="f", body="Dopamine.")]
    )
    assert found(api_client, "dopamine") == set()
    update_index()
    assert found(api_client, "dopamine") == found(api_client, "ferritin") == {"iron"}


def test_the_documents_of_published_articles_are_built_at_once():
    one, _ = bulk_articles("one", "two")
    bulk_articles("draft", status=Article.Status.DRAFT, published_at=None)
    update_index()
    documents = ArticleDocument.objects.order_by("slug")
    assert [d.slug for d in documents] == ["one", "two"]
    one.refresh_from_db()
    assert documents[0].version == one.version  # current: no build on the first read


def published_around_the_funnel(article: Article, **fields) -> None:
    """Rows and their live version written without ``articles_mark_changed``, as a script
    or a data migration that publishes by ``QuerySet.update`` and ``live_snapshot`` would.
    (Rows alone are a live article's draft: update_index never publishes them.)"""
    Article.objects.filter(pk=article.pk).update(**fields)
    live_snapshot(article_ids=[article.pk])


def test_a_stale_document_is_rebuilt(api_client):
    article = ArticleFactory(title="Old title", slug="iron")
    assert api_client.get("/api/v1/articles/iron/").json()["title"] == "Old title"
    published_around_the_funnel(article, title="New title")
    # The bug: the stored document and the cached bytes still say what it said.
    assert api_client.get("/api/v1/articles/iron/").json()["title"] == "Old title"

    update_index()

    assert b"New title" in bytes(ArticleDocument.objects.get(article=article).detail)
    assert api_client.get("/api/v1/articles/iron/").json()["title"] == "New title"
    assert api_client.get(LIST_URL).json()["results"][0]["title"] == "New title"
    assert found(api_client, "new") == {"iron"}


def test_the_kept_reader_pages_are_dropped(client):
    article = ArticleFactory(title="Old title", slug="iron")
    for path in ("/articles/iron/", "/"):
        assert b"Old title" in client.get(path).content  # kept now
    published_around_the_funnel(article, title="New title")
    assert b"Old title" in client.get("/articles/iron/").content  # the bug

    update_index()

    for path in ("/articles/iron/", "/"):
        page = client.get(path).content
        assert b"New title" in page and b"Old title" not in page


def test_an_article_unpublished_in_bulk_leaves_the_search(api_client):
    article = ArticleFactory(title=f"Iron {WORD}", slug="iron")
    assert found(api_client, WORD) == {"iron"}
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    update_index()
    assert found(api_client, WORD) == set()
    assert api_client.get("/api/v1/articles/iron/").status_code == 404


def test_an_entry_loaded_from_a_dump_is_written_again(api_client):
    # SQLite's index table dumps as rows that PostgreSQL loads as nonsense.
    (article,) = bulk_articles("loaded")
    search_write(article_ids=[article.pk], rows=[(article.pk, "1", "", "", "")])
    assert found(api_client, WORD) == set()
    update_index()
    assert found(api_client, WORD) == {"loaded"}


def test_an_entry_whose_article_was_deleted_with_sql_leaves_the_index():
    (article,) = bulk_articles("gone")
    update_index()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_articledocument WHERE article_id = %s", [article.pk])
        cursor.execute("DELETE FROM articles_livearticle WHERE article_id = %s", [article.pk])
        cursor.execute("DELETE FROM articles_article WHERE id = %s", [article.pk])
    assert ArticleSearch.objects.filter(pk=article.pk).exists()
    update_index()
    assert not ArticleSearch.objects.filter(pk=article.pk).exists()


# What it does and does not do.


def test_a_reindex_goes_through_the_funnel_with_its_own_reason(changes):
    bulk_articles("one", "two")
    update_index()
    assert changes == [Reason.REINDEX]


def test_a_reindex_makes_no_revision_and_sends_no_webhook(settings, changes):
    settings.RLS_ARTICLES = {"WEBHOOKS": [{"url": "http://127.0.0.1:9/hook", "secret": "s"}]}
    ArticleFactory(slug="announced")  # published through the funnel: a revision, a delivery
    bulk_articles("bulk")
    revisions, deliveries = Revision.objects.count(), WebhookDelivery.objects.count()
    assert (revisions, deliveries) == (1, 1)

    update_index()

    assert changes[-1] == Reason.REINDEX
    assert (Revision.objects.count(), WebhookDelivery.objects.count()) == (revisions, deliveries)


def test_naming_slugs_restricts_the_work(api_client, changes):
    bulk_articles("one", "two", "three")
    assert update_index("one", "three").startswith("Indexed 2 articles in ")
    assert found(api_client, WORD) == {"one", "three"}


def test_an_unknown_slug_is_an_error_before_any_work(api_client, changes):
    bulk_articles("one")
    with pytest.raises(CommandError) as error:
        update_index("one", "missing", "gone")
    assert str(error.value) == UNKNOWN_SLUG[1] % {"slugs": "'missing', 'gone'"}
    assert changes == []
    assert found(api_client, WORD) == set()


def test_a_document_that_cannot_be_built_names_its_article_and_stops(monkeypatch):
    bulk_articles("first", "broken", "last")
    broken = Article.objects.get(slug="broken")
    build = ArticleDetailSerializer.to_representation

    def fail_for_broken(self, instance):
        if instance.slug == "broken":
            raise ValueError("a part that cannot be shown")
        return build(self, instance)

    monkeypatch.setattr(ArticleDetailSerializer, "to_representation", fail_for_broken)
    with pytest.raises(CommandError) as error:
        update_index()
    assert str(error.value) == (
        f"The document of article 'broken' (id {broken.pk}) cannot be built: "
        "ValueError: a part that cannot be shown"
    )
    # The batch is indexed; the documents before the failing one are built, not those after.
    indexed = Article.objects.filter(search_entry__isnull=False)
    assert set(indexed.values_list("slug", flat=True)) == {"first", "broken", "last"}
    assert list(ArticleDocument.objects.values_list("slug", flat=True)) == ["first"]


# Batches.


def test_batches_cover_every_article(api_client):
    bulk_articles(*(f"article-{n}" for n in range(5)))
    assert update_index(batch_size=2).startswith("Indexed 5 articles in ")
    assert found(api_client, WORD) == {f"article-{n}" for n in range(5)}


def whole_article(n: int) -> None:
    """An article with a part of every kind: each kind is read by its own query."""
    article = ArticleFactory(slug=f"whole-{n}", tags=[TagFactory(), TagFactory()])
    for position in range(2):
        SectionFactory(article=article, position=position, anchor=f"s{position}")
        ReferenceFactory(article=article, position=position)
    ImageFactory(article=article)


def queries(batch_size: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        update_index(batch_size=batch_size)
    return len(captured.captured_queries)


def test_the_queries_of_a_batch_do_not_grow_with_its_articles():
    for n in range(2):
        whole_article(n)
    one_batch_of_two = queries(batch_size=2)
    for n in range(2, 6):
        whole_article(n)
    assert queries(batch_size=6) == one_batch_of_two
    # Each further batch costs the same: memory and work grow with batches only.
    three_batches = queries(batch_size=2)
    whole_article(6)
    whole_article(7)
    assert queries(batch_size=2) - three_batches == (three_batches - one_batch_of_two) / 2


# What it says.


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_progress_is_one_line_written_over():
    bulk_articles(*(f"article-{n}" for n in range(5)))
    out, err = io.StringIO(), Terminal()
    call_command("update_index", batch_size=2, stdout=out, stderr=err)
    progress = err.getvalue()
    assert re.findall(r"\rIndexed ([\d,]+) of ([\d,]+) articles", progress) == [
        ("2", "5"),
        ("4", "5"),
        ("5", "5"),
    ]
    assert progress.count("\n") == 1 and progress.endswith("\n")
    assert re.fullmatch(r"Indexed 5 articles in \d+\.\d s\.\n", out.getvalue())


def test_no_progress_without_a_terminal_or_with_no_progress():
    bulk_articles("one")
    for stderr, options in ((io.StringIO(), {}), (Terminal(), {"no_progress": True})):
        out = io.StringIO()
        call_command("update_index", stdout=out, stderr=stderr, **options)
        assert stderr.getvalue() == ""
        assert re.fullmatch(r"Indexed 1 article in \d+\.\d s\.\n", out.getvalue())


def test_large_counts_are_written_with_thousands_separators():
    bulk_articles(*(f"article-{n}" for n in range(1001)), status=Article.Status.DRAFT)
    assert update_index().startswith("Indexed 1,001 articles in ")
