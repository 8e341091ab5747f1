"""A site that outgrows SQLite moves to PostgreSQL: dump, load, ``update_index``.

The README's steps, run as a person would run them, each ``manage.py`` in its
own process: the SQLite site is dumped, a new PostgreSQL database is
migrated and loaded, and the site served from it. ``loaddata`` writes rows
outside the change funnel, so the search index starts empty: the demo article
is served but a search finds nothing until ``update_index`` runs. The live
versions move with the rest: an article's unpublished changes stay a draft
(``update_index`` would publish the rows of an article that had none). Slow
(processes, a real database), so marked ``deployment`` like
tests/test_deployment.py.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from tests.processes import Deployment, postgres_database

pytestmark = pytest.mark.deployment

DEMO = "what-causes-restless-legs-syndrome"
PASSWORD = "move-admin-password-7"

# What the new database makes for itself (content types and permissions, by
# ``migrate``; references to them are dumped as natural keys), what is not
# worth moving (sessions: people sign in again), and the search index, which
# is the database's own kind of table: SQLite's rows would load as garbage.
# The live versions (articles.livearticle) are content, and move: they are
# what readers see of each article, its saved draft apart.
# JSON Lines: loaddata reads it line by line, a large site's dump included.
DUMP = [
    "dumpdata",
    "--format=jsonl",
    "--natural-foreign",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
    "--exclude=articles.articlesearch",
]

# A reader's comment, through the API (from its own address: the flood rule).
COMMENT_POST = """
from django.test import Client
answer = Client(REMOTE_ADDR="{address}").post(
    "/api/v1/articles/{slug}/comments/",
    {{"name": "Reader", "email": "reader@example.org", "body": "{body}"}},
    content_type="application/json",
    HTTP_HOST="127.0.0.1",
)
assert answer.status_code == 201, answer.content
print(answer.json()["id"])
"""


# An editor's change to the live demo article, saved but not published: its draft.
DRAFT = f"""
from django.db import transaction
from articles.models import Article
from articles.services import article_content_saved

with transaction.atomic():
    article = Article.objects.get(slug={DEMO!r})
    print(article.title)
    article.title = "Restless legs and the xylophone"
    article.save()
    saved = article_content_saved(
        article=article, was_live=True, publish=False, publication_changed=False
    )
    assert saved.has_unpublished_changes, saved
"""

# The demo article's draft title and whether it has unpublished changes, as JSON.
DRAFT_STATE = f"""
import json
from articles.models import Article
article = Article.objects.get(slug={DEMO!r})
print(json.dumps([article.title, article.has_unpublished_changes]))
"""


# The users, comments and revisions, as JSON: the same on both sides of the move.
STORED = """
import json
from django.contrib.auth.models import User
from comments.models import Comment
from reversion.models import Revision
users = sorted(User.objects.values_list("username", flat=True))
print(json.dumps([users, Comment.objects.count(), Revision.objects.count()]))
"""


def search(client, words: str) -> list[str]:
    query = urllib.parse.urlencode({"search": words})
    return [item["slug"] for item in client.get_json(f"/api/v1/articles/?{query}")["results"]]


def test_a_site_moved_from_sqlite_to_postgresql_is_searchable_after_update_index(tmp_path):
    site = Deployment(tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        # The SQLite site: the demo article, an editor, a reader's comment.
        site.manage("migrate", "--no-input")
        site.manage("load_demo")
        site.env["DJANGO_SUPERUSER_PASSWORD"] = PASSWORD
        site.manage("createsuperuser", "--no-input", "--username", "admin", "--email", "e@x.org")
        site.shell(COMMENT_POST.format(slug=DEMO, address="192.0.2.1", body="Before the move."))
        title = site.shell(DRAFT).strip()  # the live title; the draft's is another
        stored = json.loads(site.shell(STORED))
        assert "admin" in stored[0] and stored[1] == 1
        dump = tmp_path / "site.jsonl"
        site.manage(*DUMP, f"--output={dump}")

        with postgres_database() as database:
            site.env["DATABASE_URL"] = database
            site.manage("migrate", "--no-input")
            site.manage("collectstatic", "--no-input", "--verbosity", "0")
            loaded = site.manage("loaddata", str(dump))
            assert loaded.startswith("Installed ")
            _, server = site.app_server()

            # The finding: the article is served (its live version came
            # along), but the search is blind.
            assert server.get_json(f"/api/v1/articles/{DEMO}/")["title"] == title
            assert search(server, "dopamine") == []

            indexed = site.manage("update_index", "--no-progress")
            assert indexed.startswith("Indexed 1 article in ")

            # The running server finds it at once, and serves the rebuilt document:
            # the live version still, the editor's draft still a draft.
            assert search(server, "dopamine") == [DEMO]
            assert search(server, "xylophone") == []
            assert server.get_json(f"/api/v1/articles/{DEMO}/")["title"] == title
            draft = json.loads(site.shell(DRAFT_STATE))
            assert draft == ["Restless legs and the xylophone", True]

            # Everything else came along, and new rows get new ids (loaddata
            # set PostgreSQL's sequences past the loaded ones).
            assert json.loads(site.shell(STORED)) == stored
            after = COMMENT_POST.format(slug=DEMO, address="192.0.2.2", body="After the move.")
            assert site.shell(after).strip() == "2"
            server.log_in("admin", PASSWORD)  # the editor's password came along
            status, page = server.request("/admin/comments/comment/")
            assert status == 200 and b"Before the move." in page and b"After the move." in page
    finally:
        site.stop()
