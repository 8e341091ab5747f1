"""Draft changes to a published article: saved, previewed, compared, published or discarded,
and invisible in every public answer until published."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.http import parse_http_date
from reversion.models import Version

from articles import services
from articles.models import Article, LiveArticle, WebhookDelivery
from articles.preview import preview_token
from comments.models import Comment
from tests.admin_forms import form_data, resubmit
from tests.factories import ArticleFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

HOOK = {"url": "http://127.0.0.1:9/hook", "secret": "s"}


@pytest.fixture
def live(settings):
    settings.RLS_ARTICLES = {"WEBHOOKS": [HOOK], "READER_URL": "/articles/{slug}/"}
    article = ArticleFactory(
        title="Iron and sleep",
        slug="iron",
        intro="Iron matters.",
        published_at=timezone.now() - dt.timedelta(days=2),
        tags=[TagFactory(name="Sleep", slug="sleep")],
    )
    SectionFactory(article=article, heading="Causes", body="Low iron.", position=1)
    Comment.objects.create(
        article=article, name="Ann", email="ann@example.org", body="Thanks.", status="approved"
    )
    article.refresh_from_db()
    WebhookDelivery.objects.all().delete()
    return article


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def changes_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/changes/"


def public_answers(client) -> dict[str, bytes | int]:
    """Everything a reader, a crawler or a frontend can read of the site."""
    answers = {}
    for path in [
        "/api/v1/articles/",
        "/api/v1/articles/iron/",
        "/api/v1/articles/iron/comments/",
        "/api/v1/articles/?tag=sleep",
        "/api/v1/articles/?tag=zinc",
        "/api/v1/articles/?search=ferritin",
        "/api/v1/articles/?search=iron",
        "/api/v1/articles/iron-and-legs/",
        "/api/v1/articles/iron-and-legs/comments/",
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        "/articles/iron/",
        "/articles/iron-and-legs/",
    ]:
        response = client.get(path)
        assert response.status_code in {200, 404}, path
        answers[path] = (response.status_code, response.content)
    return answers


def edit_everything(editor, article):
    """An editor's save of the live article: title, address, intro, a section, a tag."""
    zinc = TagFactory(name="Zinc", slug="zinc")
    page = editor.get(change_url(article)).content.decode()
    tags = [str(t.pk) for t in article.tags.all()] + [str(zinc.pk)]
    data = form_data(
        page,
        title="Iron, ferritin and legs",
        slug="iron-and-legs",
        intro="Ferritin below 75 matters.",
        tags=tags,
        **{"sections-0-body": "Low ferritin."},
    )
    return editor.post(change_url(article), data, follow=True)


def test_a_saved_change_to_a_live_article_is_invisible_in_every_public_answer(client, editor, live):
    before = public_answers(client)
    assert [path for path, (status, _) in before.items() if status == 404] == [
        "/api/v1/articles/iron-and-legs/",
        "/api/v1/articles/iron-and-legs/comments/",
        "/articles/iron-and-legs/",
    ]

    response = edit_everything(editor, live)

    assert b"saved as a draft" in response.content
    assert public_answers(client) == before
    assert not WebhookDelivery.objects.exists()
    live.refresh_from_db()
    assert (live.title, live.slug, live.has_unpublished_changes) == (
        "Iron, ferritin and legs",
        "iron-and-legs",
        True,
    )


def test_the_change_page_says_it_shows_the_draft_and_the_changes_page_shows_the_diff(editor, live):
    assert b"this page shows what readers see" in editor.get(change_url(live)).content
    edit_everything(editor, live)

    page = editor.get(change_url(live)).content.decode()
    assert "Published, with unpublished changes" in page
    assert changes_url(live) in page
    changes = editor.get(changes_url(live)).content.decode()
    assert "Iron and sleep" in changes and "Iron, ferritin and legs" in changes
    assert 'id="publish-changes"' in changes and 'id="discard-changes"' in changes
    listed = editor.get("/admin/articles/article/").content.decode()
    assert "Published, with unpublished changes" in listed


def test_publishing_changes_makes_them_public_as_one_revision_and_one_updated_webhook(
    client, editor, live
):
    edit_everything(editor, live)
    revisions = Version.objects.get_for_object(live).count()

    response = editor.post(f"{changes_url(live)}publish/")

    assert response.status_code == 302
    detail = client.get("/api/v1/articles/iron-and-legs/").json()
    assert detail["title"] == "Iron, ferritin and legs"
    assert [t["slug"] for t in detail["tags"]] == ["sleep", "zinc"]
    assert detail["comments"]["url"].endswith("/articles/iron-and-legs/comments/")
    assert client.get("/api/v1/articles/iron/").status_code == 404
    assert client.get("/api/v1/articles/iron-and-legs/comments/").json()["results"]
    found = client.get("/api/v1/articles/", {"search": "ferritin"}).json()["results"]
    assert [a["slug"] for a in found] == ["iron-and-legs"]
    assert b"Iron, ferritin and legs" in client.get("/feed/").content
    assert b"/articles/iron-and-legs/" in client.get("/sitemap.xml").content
    assert [(d.event, d.slug) for d in WebhookDelivery.objects.all()] == [
        ("updated", "iron-and-legs")
    ]
    assert Version.objects.get_for_object(live).count() == revisions + 1
    newest = Version.objects.get_for_object(live).select_related("revision__user").first()
    assert newest.revision.get_comment() == "Published changes"
    assert newest.revision.user.username == "editor"
    live.refresh_from_db()
    assert not live.has_unpublished_changes
    assert LiveArticle.objects.get(pk=live.pk).published_by.username == "editor"


def test_discarding_changes_brings_the_draft_back_to_the_live_version(client, editor, live):
    before = public_answers(client)
    edit_everything(editor, live)

    response = editor.post(f"{changes_url(live)}discard/", follow=True)

    assert b"Discarded the changes" in response.content
    live.refresh_from_db()
    assert (live.title, live.slug, live.intro) == ("Iron and sleep", "iron", "Iron matters.")
    assert [s.body for s in live.sections.all()] == ["Low iron."]
    assert [t.slug for t in live.tags.all()] == ["sleep"]
    assert not live.has_unpublished_changes
    assert public_answers(client) == before
    newest = Version.objects.get_for_object(live).select_related("revision").first()
    assert newest.revision.get_comment() == "Discarded changes"


def test_saving_the_live_text_back_by_hand_leaves_no_unpublished_changes(editor, live):
    resubmit(editor, change_url(live), title="A new title")
    live.refresh_from_db()
    assert live.has_unpublished_changes
    resubmit(editor, change_url(live), title="Iron and sleep")
    live.refresh_from_db()
    assert not live.has_unpublished_changes
    assert b"No unpublished changes" in editor.get(changes_url(live)).content


def test_a_change_of_publication_reaches_readers_at_once(client, editor, live):
    resubmit(editor, change_url(live), title="Draft title", comments_enabled="")
    detail = client.get("/api/v1/articles/iron/").json()
    assert detail["title"] == "Iron and sleep"
    assert detail["comments"]["open"] is False


def test_unpublishing_a_live_article_with_changes_takes_it_down(client, editor, live):
    resubmit(editor, change_url(live), title="Draft title")
    resubmit(editor, change_url(live), status="draft")
    assert client.get("/api/v1/articles/iron/").status_code == 404
    assert not LiveArticle.objects.filter(pk=live.pk).exists()
    assert [d.event for d in WebhookDelivery.objects.all()] == ["unpublished"]


def test_a_preview_shows_the_draft(api_client, editor, live):
    resubmit(editor, change_url(live), title="Draft title")
    response = api_client.get(
        "/api/v1/preview/", HTTP_AUTHORIZATION=f"Bearer {preview_token(live)}"
    )
    assert response.json()["title"] == "Draft title"
    assert api_client.get("/api/v1/articles/iron/").json()["title"] == "Iron and sleep"


def test_the_last_modified_time_is_when_the_live_version_changed(client, editor, live):
    first = client.get("/api/v1/articles/iron/")
    listed = client.get("/api/v1/articles/")
    resubmit(editor, change_url(live), title="Draft title")
    assert client.get("/api/v1/articles/iron/")["Last-Modified"] == first["Last-Modified"]
    assert client.get("/api/v1/articles/")["Last-Modified"] == listed["Last-Modified"]

    services.article_publish_changes(article_id=live.pk, user=None)

    detail = client.get("/api/v1/articles/iron/")
    went_live = LiveArticle.objects.get(pk=live.pk).changed_at
    assert detail.json()["updated_at"] == went_live.isoformat().replace("+00:00", "Z")
    # HTTP dates count whole seconds.
    assert abs(parse_http_date(detail["Last-Modified"]) - went_live.timestamp()) < 1


def test_publishing_changes_is_refused_when_there_are_none(editor, live):
    response = editor.post(f"{changes_url(live)}publish/", follow=True)
    assert b"has no unpublished changes" in response.content


def test_an_address_still_live_elsewhere_is_refused_and_the_draft_kept(editor, live):
    resubmit(editor, change_url(live), slug="iron-2")
    other = ArticleFactory(draft=True, slug="other", title="Other")
    page = editor.get(change_url(other)).content.decode()

    response = editor.post(
        change_url(other), form_data(page, slug="iron", status="published"), follow=True
    )

    assert (
        "Saved, but not published: its address “iron” is still the live address of "
        "“Iron and sleep”." in response.content.decode()
    )
    other.refresh_from_db()
    assert (other.slug, other.status) == ("iron", Article.Status.DRAFT)
    assert not LiveArticle.objects.filter(pk=other.pk).exists()


def test_import_without_publish_saves_a_live_articles_draft(client, live, tmp_path: Path):
    path = tmp_path / "iron.md"
    path.write_text("---\ntitle: Iron from a file\nslug: iron\n---\n\nA new intro.\n")
    out = call_command("import_article", str(path)) or ""
    del out
    live.refresh_from_db()
    assert live.status == Article.Status.PUBLISHED
    assert live.has_unpublished_changes
    assert client.get("/api/v1/articles/iron/").json()["title"] == "Iron and sleep"

    call_command("import_article", str(path), "--publish")
    assert client.get("/api/v1/articles/iron/").json()["title"] == "Iron from a file"


def test_restoring_a_revision_of_a_live_article_lands_in_its_draft(client, editor, live):
    resubmit(editor, change_url(live), title="Second title")
    editor.post(f"{changes_url(live)}publish/")
    first = Version.objects.get_for_object(live).order_by("pk").first()

    editor.post(f"/admin/articles/article/{live.pk}/history/{first.pk}/restore/")

    live.refresh_from_db()
    assert live.title == "Iron and sleep"
    assert live.has_unpublished_changes
    assert client.get("/api/v1/articles/iron/").json()["title"] == "Second title"


def test_update_index_never_publishes_a_draft(client, editor, live):
    resubmit(editor, change_url(live), title="Draft title")
    call_command("update_index", "--no-progress")
    assert client.get("/api/v1/articles/iron/").json()["title"] == "Iron and sleep"


def test_a_published_article_never_live_goes_live_with_update_index(client):
    # Rows written around the services (bulk_create, SQL, loaddata).
    Article.objects.create(
        title="Loaded", slug="loaded", status=Article.Status.PUBLISHED, intro="From a dump."
    )
    assert client.get("/api/v1/articles/loaded/").status_code == 404
    call_command("update_index", "--no-progress")
    assert client.get("/api/v1/articles/loaded/").json()["title"] == "Loaded"


def test_update_index_makes_nothing_live_that_may_not_be_published(settings, client):
    settings.RLS_ARTICLES = {"REQUIRE_SIGNOFF": True}
    Article.objects.create(title="Loaded", slug="loaded", status=Article.Status.PUBLISHED)
    err = io.StringIO()
    call_command("update_index", "--no-progress", stderr=err, stdout=io.StringIO())
    assert "'loaded' is published but was never live" in err.getvalue()
    assert "has no medical sign-off" in err.getvalue()
    assert client.get("/api/v1/articles/loaded/").status_code == 404


def test_the_upgrade_keeps_the_right_to_publish_of_who_could_change_articles(django_user_model):
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    change = Permission.objects.get(codename="change_article")
    publish = Permission.objects.get(codename="publish_article")
    editor = django_user_model.objects.create_user("old-editor")
    editor.user_permissions.add(change)
    group = Group.objects.create(name="Editors")
    group.permissions.add(change)
    reader = django_user_model.objects.create_user("reader")
    migration = importlib.import_module("articles.migrations.0014_grant_publish_to_editors")

    migration.grant_publish_to_editors(apps, None)

    assert publish in editor.user_permissions.all()
    assert publish in group.permissions.all()
    assert not reader.user_permissions.exists()


def test_publishing_a_live_article_again_unchanged_tells_nobody(live):
    revisions = Version.objects.get_for_object(live).count()
    version = Article.objects.get(pk=live.pk).version
    services.articles_publish(queryset=Article.objects.filter(pk=live.pk))
    assert not WebhookDelivery.objects.exists()
    assert Version.objects.get_for_object(live).count() == revisions
    assert Article.objects.get(pk=live.pk).version == version
