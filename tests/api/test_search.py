"""?search= on the full-text index: stemmed, ranked, current, never showing drafts.

The same tests run on SQLite (FTS5) and on PostgreSQL (tsvector): both must
give the same answers for the same data.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, ArticleSearch
from articles.services import articles_unpublish
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/articles/"


def found(client, text: str, **params) -> list[str]:
    response = client.get(LIST_URL, {"search": text, **params})
    assert response.status_code == 200
    return [item["slug"] for item in response.json()["results"]]


def test_search_uses_the_database_full_text_index():
    ArticleFactory(title="Iron")
    table = "articles_search"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
            assert "fts5" in cursor.fetchone()[0].lower()
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
            assert any("gin" in row[0].lower() for row in cursor.fetchall())
    assert ArticleSearch.objects.count() == 1


@pytest.mark.parametrize(
    ("stored", "searched"),
    [
        ("Iron deficiency causes restless legs.", "cause"),
        ("What causes it?", "causing"),
        ("Symptoms worsen at night.", "worsening"),
        ("Nerves running to the legs.", "nerve"),
    ],
)
def test_search_finds_other_forms_of_a_word(api_client, stored, searched):
    SectionFactory(article=ArticleFactory(slug="hit"), body=stored)
    ArticleFactory(slug="miss", title="Unrelated")
    assert found(api_client, searched) == ["hit"]


def test_title_hit_ranks_above_body_hit_whatever_the_dates(api_client):
    now = timezone.now()
    body = ArticleFactory(slug="body", title="Sleep", published_at=now - dt.timedelta(hours=1))
    SectionFactory(article=body, body="Low ferritin is common.")
    ArticleFactory(slug="title", title="Ferritin", published_at=now - dt.timedelta(days=30))
    assert found(api_client, "ferritin") == ["title", "body"]


def test_heading_hit_ranks_above_body_hit(api_client):
    now = timezone.now()
    body = ArticleFactory(slug="body", published_at=now - dt.timedelta(hours=1))
    SectionFactory(article=body, heading="Other", body="Dopamine pathways.")
    heading = ArticleFactory(slug="heading", published_at=now - dt.timedelta(days=30))
    SectionFactory(article=heading, heading="Dopamine", body="Text.")
    assert found(api_client, "dopamine") == ["heading", "body"]


def test_without_search_the_list_is_newest_first(api_client):
    now = timezone.now()
    ArticleFactory(slug="old", title="Ferritin", published_at=now - dt.timedelta(days=3))
    ArticleFactory(slug="new", title="Sleep", published_at=now - dt.timedelta(days=1))
    assert [i["slug"] for i in api_client.get(LIST_URL).json()["results"]] == ["new", "old"]


def test_search_pages_follow_the_ranking(api_client):
    now = timezone.now()
    for n in range(5):
        article = ArticleFactory(slug=f"body-{n}", published_at=now - dt.timedelta(hours=n + 1))
        SectionFactory(article=article, body="Ferritin.")
    ArticleFactory(slug="title", title="Ferritin", published_at=now - dt.timedelta(days=9))
    first = api_client.get(LIST_URL, {"search": "ferritin", "page_size": 2}).json()
    slugs = [item["slug"] for item in first["results"]]
    url = first["next"]
    while url:
        page = api_client.get(url).json()
        slugs += [item["slug"] for item in page["results"]]
        url = page["next"]
    assert slugs[0] == "title"
    assert sorted(slugs) == sorted(["title", *(f"body-{n}" for n in range(5))])


def test_search_never_finds_a_draft(api_client):
    ArticleFactory(slug="draft", title="Ferritin", draft=True)
    assert found(api_client, "ferritin") == []
    assert not ArticleSearch.objects.exists()


def test_search_never_finds_a_scheduled_article_before_its_time(api_client):
    ArticleFactory(title="Ferritin", published_at=timezone.now() + dt.timedelta(hours=1))
    assert found(api_client, "ferritin") == []


def test_unpublished_article_leaves_the_index(api_client):
    article = ArticleFactory(slug="hit", title="Ferritin")
    assert found(api_client, "ferritin") == ["hit"]
    articles_unpublish(queryset=Article.objects.filter(pk=article.pk))
    assert found(api_client, "ferritin") == []
    assert not ArticleSearch.objects.exists()


def test_deleted_article_leaves_the_index(api_client):
    article = ArticleFactory(title="Ferritin")
    article.delete()
    assert not ArticleSearch.objects.exists()


@pytest.mark.parametrize("text", ['"', "OR", "NEAR(iron sleep)", "iron*", "a AND b", "-iron", "'"])
def test_search_syntax_in_the_text_is_plain_words(api_client, text):
    ArticleFactory(slug="hit", title="Iron and sleep")
    assert api_client.get(LIST_URL, {"search": text}).status_code == 200


def test_search_of_punctuation_alone_finds_nothing(api_client):
    ArticleFactory(title="Iron")
    assert found(api_client, "?!") == []


def test_a_command_indexes_what_it_imports(tmp_path):
    # A command that skips the system checks loads no URLconf (and so no API
    # module): only the app's own start-up connects the index to the funnel.
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for command in (["migrate", "-v0"], ["load_demo", "--skip-checks"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
    with sqlite3.connect(database) as db:
        found = db.execute(
            "SELECT rowid FROM articles_search WHERE articles_search MATCH 'dopamine'"
        ).fetchall()
    assert len(found) == 1
