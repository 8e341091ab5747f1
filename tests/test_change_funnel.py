"""Every write the public API can see goes through the change funnel, and reads follow at once.

Each path below is a real way content changes: the admin (forms, inlines,
actions, deletes), the importer, the comment form, the staff API, the
commands. Every test first reads the detail, the list and the comment list,
so that all three are cached, then writes, then reads again: the answer must
be the new one, and ``article_changed`` must have been sent for the article.
A writer that bypasses ``articles.services.articles_mark_changed`` fails here.
(An admin save of a live article is its draft, public once the editor
publishes the changes: those tests write both steps.)
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from articles.signals import Reason, article_changed
from comments.models import Comment
from tests.admin_forms import form_data, resubmit
from tests.factories import ArticleFactory, CommentFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/articles/"


def detail_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/"


def comments_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


@pytest.fixture
def changes():
    """The ``(article_ids, reason)`` of every ``article_changed`` sent during the test."""
    sent: list[tuple[frozenset[int], str]] = []

    def record(sender, *, article_ids, reason, **kwargs):
        sent.append((article_ids, reason))

    article_changed.connect(record, dispatch_uid="tests.change_funnel")
    yield sent
    article_changed.disconnect(dispatch_uid="tests.change_funnel")


@pytest.fixture
def article():
    article = ArticleFactory(title="Iron and restless legs", slug="iron", tags=[TagFactory()])
    SectionFactory(article=article, heading="Causes", anchor="causes", body="Low iron.")
    CommentFactory(article=article, name="Ada", email="ada@example.org", body="Thanks.")
    return article


def read_all(client, article) -> tuple[dict | None, list[dict], list[dict] | None]:
    """Detail (None: 404), list items, approved comments (None: 404), as the public sees them."""
    detail = client.get(detail_url(article))
    comments = client.get(comments_url(article))
    items = client.get(LIST_URL).json()["results"]
    return (
        detail.json() if detail.status_code == 200 else None,
        items,
        comments.json()["results"] if comments.status_code == 200 else None,
    )


def warm(client, article):
    """Read everything twice: the second read is served from the cache."""
    read_all(client, article)
    return read_all(client, article)


def searched(client, text: str) -> list[str]:
    """The slugs ``?search=text`` finds."""
    return [item["slug"] for item in client.get(LIST_URL, {"search": text}).json()["results"]]


def marked(changes, article) -> set[str]:
    return {reason for ids, reason in changes if article.pk in ids}


@pytest.fixture
def editor(client, admin_user):
    client.force_login(admin_user)
    return client


def save_draft_and_publish(api_client, editor, article, **changes) -> None:
    """The admin's two steps for a live article: the save is its draft, which the public
    answers leave out, then the editor publishes it."""
    before = read_all(api_client, article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert resubmit(editor, url, **changes).status_code == 302
    assert read_all(api_client, article) == before
    publish = reverse("admin:articles_article_publish_changes", args=[article.pk])
    response = editor.post(publish)
    assert (response.status_code, response["Location"]) == (302, url)  # not refused


# The admin: articles.


def test_admin_change_form_edit_is_served_at_once_when_published(
    api_client, editor, article, changes
):
    warm(api_client, article)
    save_draft_and_publish(api_client, editor, article, title="Iron, sleep and restless legs")
    detail, items, _ = read_all(api_client, article)
    assert detail["title"] == "Iron, sleep and restless legs"
    assert items[0]["title"] == "Iron, sleep and restless legs"
    assert searched(api_client, "sleep") == ["iron"]
    assert marked(changes, article) == {"published"}


def test_admin_inline_section_edit_is_served_at_once_when_published(
    api_client, editor, article, changes
):
    warm(api_client, article)
    assert searched(api_client, "ferritin") == []
    edit = {"sections-0-heading": "What causes it", "sections-0-body": "Ferritin matters."}
    save_draft_and_publish(api_client, editor, article, **edit)
    detail, _, _ = read_all(api_client, article)
    assert [s["heading"] for s in detail["sections"]] == ["What causes it"]
    assert detail["toc"][0]["heading"] == "What causes it"
    assert searched(api_client, "ferritin") == ["iron"]
    assert marked(changes, article) == {"published"}


def test_admin_slug_change_retires_the_old_address_when_published(
    api_client, editor, article, changes
):
    warm(api_client, article)
    save_draft_and_publish(api_client, editor, article, slug="iron-deficiency")
    assert api_client.get("/api/v1/articles/iron/").status_code == 404
    assert api_client.get("/api/v1/articles/iron/comments/").status_code == 404
    assert api_client.get("/api/v1/articles/iron-deficiency/").json()["slug"] == "iron-deficiency"
    assert marked(changes, article) == {"published"}


def test_admin_add_published_article_is_listed_at_once(api_client, editor, article, changes):
    warm(api_client, article)
    page = editor.get(reverse("admin:articles_article_add")).content.decode()
    data = form_data(
        page,
        title="Sleep hygiene",
        slug="sleep-hygiene",
        status=Article.Status.PUBLISHED,
    )
    assert editor.post(reverse("admin:articles_article_add"), data).status_code == 302
    _, items, _ = read_all(api_client, article)
    assert [item["slug"] for item in items] == ["sleep-hygiene", "iron"]
    new = Article.objects.get(slug="sleep-hygiene")
    # Never live before, a published article goes live with its first save.
    assert marked(changes, new) == {"published"}


@pytest.mark.parametrize(("action", "visible"), [("unpublish", False), ("publish", True)])
def test_admin_publish_actions_are_served_at_once(
    api_client, editor, article, changes, action, visible
):
    if visible:
        Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    warm(api_client, article)
    response = editor.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    detail, items, comments = read_all(api_client, article)
    assert (detail is not None, comments is not None, len(items)) == (visible,) * 2 + (
        int(visible),
    )
    assert searched(api_client, "iron") == (["iron"] if visible else [])
    assert marked(changes, article) == {f"{action}ed"}


@pytest.mark.parametrize("how", ["delete_view", "delete_selected"])
def test_admin_delete_is_served_at_once(api_client, editor, article, changes, how):
    warm(api_client, article)
    if how == "delete_view":
        url = reverse("admin:articles_article_delete", args=[article.pk])
        response = editor.post(url, {"post": "yes"})
    else:
        response = editor.post(
            reverse("admin:articles_article_changelist"),
            {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert read_all(api_client, article) == (None, [], None)
    assert searched(api_client, "iron") == []
    assert marked(changes, article) == {"deleted"}


def test_admin_tag_rename_is_served_at_once(api_client, editor, article, changes):
    warm(api_client, article)
    tag = article.tags.get()
    url = reverse("admin:articles_tag_change", args=[tag.pk])
    assert resubmit(editor, url, name="Iron").status_code == 302
    detail, items, _ = read_all(api_client, article)
    assert detail["tags"][0]["name"] == items[0]["tags"][0]["name"] == "Iron"
    assert marked(changes, article) == {"tags"}


def test_admin_tag_delete_is_served_at_once(api_client, editor, article, changes):
    warm(api_client, article)
    tag = article.tags.get()
    response = editor.post(reverse("admin:articles_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert response.status_code == 302
    detail, items, _ = read_all(api_client, article)
    assert detail["tags"] == items[0]["tags"] == []
    assert marked(changes, article) == {"tags"}


# The importer.


def test_reimport_is_served_at_once(api_client, tmp_path, changes):
    source = tmp_path / "iron.md"
    source.write_text("---\ntitle: Iron\nslug: iron\n---\nLow iron.\n\n## Causes\n\nText.\n")
    call_command("import_article", str(source), "--publish", stdout=io.StringIO())
    article = Article.objects.get(slug="iron")
    warm(api_client, article)
    source.write_text(
        "---\ntitle: Iron, again\nslug: iron\n---\nLow iron.\n\n## Why\n\nFerritin.\n"
    )
    call_command("import_article", str(source), "--publish", stdout=io.StringIO())
    detail, items, _ = read_all(api_client, article)
    assert (detail["title"], items[0]["title"]) == ("Iron, again", "Iron, again")
    assert [s["heading"] for s in detail["sections"]] == ["Why"]
    assert searched(api_client, "ferritin") == ["iron"]
    assert marked(changes, article) == {"imported"}


# Comments: the form, the staff API, the admin, the commands.


def comment_count(client, article) -> int:
    detail, items, _ = read_all(client, article)
    assert detail["comments"]["count"] == items[0]["comment_count"]
    return detail["comments"]["count"]


def test_auto_approved_comment_is_served_at_once(api_client, article, changes):
    warm(api_client, article)
    response = api_client.post(
        comments_url(article),
        {"name": "Ada", "email": "ada@example.org", "body": "And another thing."},
        format="json",
    )
    assert response.json()["status"] == "approved"
    assert comment_count(api_client, article) == 2
    assert len(read_all(api_client, article)[2]) == 2
    assert marked(changes, article) == {"comments"}


def test_held_comment_changes_nothing_public(api_client, article, changes):
    warm(api_client, article)
    response = api_client.post(
        comments_url(article),
        {"name": "Bo", "email": "bo@example.org", "body": "First time here."},
        format="json",
    )
    assert response.json()["status"] == "pending"
    assert marked(changes, article) == set()


@pytest.fixture
def pending(article):
    return CommentFactory(article=article, status=Comment.Status.PENDING, body="Held.")


@pytest.fixture
def staff_api(api_client, moderator):
    api_client.force_authenticate(moderator)
    return api_client


def test_staff_api_approve_is_served_at_once(client, staff_api, article, pending, changes):
    warm(client, article)
    assert staff_api.post(f"/api/v1/moderation/comments/{pending.pk}/approve/").status_code == 200
    assert comment_count(client, article) == 2
    assert marked(changes, article) == {"comments"}


@pytest.mark.parametrize("action", ["spam", "remove"])
def test_staff_api_spam_and_remove_are_served_at_once(client, staff_api, article, changes, action):
    comment = article.comments.get()
    warm(client, article)
    url = f"/api/v1/moderation/comments/{comment.pk}/{action}/"
    assert staff_api.post(url).status_code == 200
    assert comment_count(client, article) == 0
    assert read_all(client, article)[2] == []


def test_staff_api_bulk_is_served_at_once(client, staff_api, article, pending, changes):
    warm(client, article)
    response = staff_api.post(
        "/api/v1/moderation/comments/bulk/",
        {"ids": [pending.pk], "action": "approve"},
        format="json",
    )
    assert response.status_code == 200
    assert comment_count(client, article) == 2
    assert marked(changes, article) == {"comments"}


@pytest.fixture
def moderating(client, moderator):
    client.force_login(moderator)
    return client


def test_admin_queue_approve_action_is_served_at_once(api_client, moderating, article, pending):
    warm(api_client, article)
    response = moderating.post(
        reverse("admin:comments_pendingcomment_changelist"),
        {"action": "approve", "_selected_action": [pending.pk]},
    )
    assert response.status_code == 302
    assert comment_count(api_client, article) == 2


def test_admin_comment_edit_is_served_at_once(api_client, editor, article, changes):
    comment = article.comments.get()
    warm(api_client, article)
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    assert resubmit(editor, url, body="Thanks, edited.").status_code == 302
    assert read_all(api_client, article)[2][0]["body_html"] == "<p>Thanks, edited.</p>"
    assert marked(changes, article) == {"comments"}


def test_admin_comment_delete_is_served_at_once(api_client, editor, article, changes):
    comment = article.comments.get()
    warm(api_client, article)
    url = reverse("admin:comments_comment_delete", args=[comment.pk])
    assert editor.post(url, {"post": "yes"}).status_code == 302
    assert comment_count(api_client, article) == 0
    assert marked(changes, article) == {"comments"}


def test_erasing_a_commenter_is_served_at_once(api_client, article, changes):
    warm(api_client, article)
    call_command("erase_commenter_data", "ada@example.org", stdout=io.StringIO())
    assert read_all(api_client, article)[2][0]["name"] == "Anonymous"
    assert marked(changes, article) == {"comments"}


# Time: changes with no write at all.


def test_scheduled_article_appears_when_its_time_comes(api_client, article):
    at = timezone.now() + dt.timedelta(hours=2)
    scheduled = ArticleFactory(slug="scheduled", title="Melatonin", published_at=at)
    warm(api_client, article)
    assert api_client.get(detail_url(scheduled)).status_code == 404
    assert api_client.get(comments_url(scheduled)).status_code == 404
    assert searched(api_client, "melatonin") == []
    with time_machine.travel(at + dt.timedelta(seconds=1)):
        detail, items, comments = read_all(api_client, scheduled)
        assert detail["slug"] == "scheduled"
        assert [item["slug"] for item in items] == ["scheduled", "iron"]
        assert comments == []
        assert searched(api_client, "melatonin") == ["scheduled"]


def test_comments_close_when_their_time_comes(api_client, article, settings):
    settings.RLS_COMMENTS = {"CLOSE_AFTER_DAYS": 1}
    closes = article.published_at + dt.timedelta(days=1)
    detail, _, _ = warm(api_client, article)
    assert detail["comments"]["open"] is True
    assert detail["comments"]["closes_at"] == closes.isoformat().replace("+00:00", "Z")
    with time_machine.travel(closes + dt.timedelta(seconds=1)):
        detail, _, _ = read_all(api_client, article)
        assert detail["comments"]["open"] is False


def test_saving_an_article_read_before_a_change_keeps_the_change_count(db):
    article = ArticleFactory()
    stale = Article.objects.get(pk=article.pk)
    services.article_mark_changed(article=article, reason=Reason.SAVED)
    counted = Article.objects.get(pk=article.pk).version

    stale.title = "Edited from an old copy"
    stale.save()

    assert Article.objects.get(pk=article.pk).version == counted
    assert Article.objects.get(pk=article.pk).title == "Edited from an old copy"
