"""One road for every restore: the history's button, django-reversion's revision and
recover pages all restore through services.article_restore, only a version of the
article itself, and keep what is live unless the editor asks otherwise."""

from __future__ import annotations

import html

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from reversion.models import Revision, Version

from articles import services
from articles.models import Article, Section
from tests.admin_forms import resubmit
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def revision_url(article_id, version) -> str:
    return f"/admin/articles/article/{article_id}/history/{version.pk}/"


def article_version(article) -> Version:
    return Version.objects.get_for_object(article).select_related("revision").first()


def page_text(response) -> str:
    """The page's text as a person reads it (the diff writes spaces as &nbsp;)."""
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def restore_message(response) -> str:
    [message] = [str(m) for m in response.context["messages"] if "Restored" in str(m)]
    return message


def snapshot() -> dict:
    """Everything a restore could touch, for asserting that nothing changed."""
    return {
        "articles": list(Article.objects.order_by("pk").values()),
        "sections": list(Section.objects.order_by("pk").values()),
        "revisions": Revision.objects.count(),
        "log": LogEntry.objects.count(),
    }


@pytest.fixture
def published(db):
    article = ArticleFactory(title="Iron and sleep", slug="iron", intro="Iron matters.")
    SectionFactory(article=article, heading="Causes", body="Low iron.", position=1)
    services.articles_publish(queryset=Article.objects.filter(pk=article.pk))
    article.refresh_from_db()
    return article


def test_the_cross_article_replay_is_not_found_and_changes_nothing(editor, published):
    # Article 11's revision holds a version of its section; an article whose id
    # equals that section's id is the one named in the address (the report's POST).
    victim = ArticleFactory(title="A draft", slug="a-draft", status=Article.Status.DRAFT)
    section = SectionFactory(article=victim, heading="Draft part", position=1)
    services.articles_publish(queryset=Article.objects.filter(pk=victim.pk))  # a revision
    services.articles_unpublish(queryset=Article.objects.filter(pk=victim.pk))
    section_type = ContentType.objects.get_for_model(Section)
    section_version = Version.objects.filter(
        content_type=section_type, object_id=str(section.pk)
    ).first()
    named = Article.objects.filter(pk=section.pk).first() or ArticleFactory(
        pk=section.pk, slug="named"
    )
    before = snapshot()

    url = revision_url(named.pk, section_version)
    assert editor.post(url, {"_save": "Save"}).status_code == 404
    assert editor.post(url, {"publication": "1"}).status_code == 404
    assert editor.get(url).status_code == 404
    assert editor.post(url + "restore/").status_code == 404
    recover = f"/admin/articles/article/recover/{section_version.pk}/"
    assert editor.post(recover, {"publication": "1"}).status_code == 404

    assert snapshot() == before
    assert Article.objects.get(pk=victim.pk).status == Article.Status.DRAFT


def test_another_articles_own_version_is_not_found_either(editor, published):
    other = ArticleFactory(title="Ferritin", slug="ferritin")
    services.articles_publish(queryset=Article.objects.filter(pk=other.pk))
    before = snapshot()
    url = revision_url(published.pk, article_version(other))
    assert editor.post(url).status_code == 404
    assert editor.post(url + "restore/").status_code == 404
    assert snapshot() == before


def test_a_content_restore_keeps_a_live_article_live(editor, api_client, published):
    resubmit(editor, change_url(published), status="draft", intro="Old intro.")
    draft_revision = article_version(published)
    resubmit(editor, change_url(published), status="published", intro="New intro.")
    assert api_client.get("/api/v1/articles/iron/").status_code == 200

    response = editor.post(revision_url(published.pk, draft_revision) + "restore/", follow=True)

    # The restore is the live article's draft: readers keep the live version.
    published.refresh_from_db()
    assert (published.status, published.intro) == ("published", "Old intro.")
    assert published.has_unpublished_changes
    assert api_client.get("/api/v1/articles/iron/").json()["intro_html"] == "<p>New intro.</p>"
    message = restore_message(response)
    assert message.startswith("Restored the revision of ")
    assert "now" not in message  # no status change to name

    # Published, the restored content is what readers see.
    publish = f"/admin/articles/article/{published.pk}/changes/publish/"
    assert editor.post(publish).status_code == 302
    assert api_client.get("/api/v1/articles/iron/").json()["intro_html"] == "<p>Old intro.</p>"


def test_restoring_the_status_is_asked_for_shown_first_and_named(editor, api_client, published):
    resubmit(editor, change_url(published), status="draft", comments_enabled="")
    draft_revision = article_version(published)
    resubmit(editor, change_url(published), status="published", comments_enabled="on")
    url = revision_url(published.pk, draft_revision)

    page = page_text(editor.get(url))
    assert "Status: draft" in page and "Status: published" in page  # the diff, status included
    assert "The article would become “Draft”." in page
    assert 'name="publication"' in page

    response = editor.post(url, {"publication": "1"}, follow=True)

    published.refresh_from_db()
    assert (published.status, published.comments_enabled) == ("draft", False)
    assert api_client.get("/api/v1/articles/iron/").status_code == 404
    message = restore_message(response)
    assert "The article is now “Draft” (it was “Published”)." in message
    entry = LogEntry.objects.filter(object_id=str(published.pk)).first()
    assert entry.get_change_message().startswith("Restored the revision of ")


def test_the_confirmation_offers_one_button_when_the_status_is_the_same(editor, published):
    resubmit(editor, change_url(published), intro="Older.")
    older = article_version(published)
    resubmit(editor, change_url(published), intro="Newer.")
    page = editor.get(revision_url(published.pk, older)).content.decode()
    # The article is live: the content lands in its draft.
    assert "Restore the content into the draft" in page
    assert "Readers keep the published version" in page
    assert 'name="publication"' not in page


def test_a_deleted_article_is_recovered_as_a_draft_through_the_service(
    editor, api_client, published
):
    resubmit(editor, change_url(published))
    version = article_version(published)
    assert (
        editor.post(f"/admin/articles/article/{published.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not Article.objects.filter(pk=published.pk).exists()

    listing = editor.get("/admin/articles/article/recover/").content.decode()
    recover = f"/admin/articles/article/recover/{version.pk}/"
    assert recover in listing
    page = page_text(editor.get(recover))
    assert "The article has been deleted" in page and "## Causes" in page
    assert editor.post(recover).status_code == 302

    article = Article.objects.get(pk=published.pk)
    assert article.status == Article.Status.DRAFT
    assert list(article.sections.values_list("heading", flat=True)) == ["Causes"]
    assert article_version(article).revision.get_comment().startswith("Restored the revision")
    assert api_client.get("/api/v1/articles/iron/").status_code == 404
    # Recovering it again is a restore of an existing article: its own history page.
    assert editor.get(recover).status_code == 302


def test_a_recovery_may_restore_the_status_too(editor, api_client, published):
    resubmit(editor, change_url(published))
    version = article_version(published)
    services.articles_delete(queryset=Article.objects.filter(pk=published.pk))
    recover = f"/admin/articles/article/recover/{version.pk}/"
    assert editor.post(recover, {"publication": "1"}).status_code == 302
    assert api_client.get("/api/v1/articles/iron/").status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_restore_pages_answer_only_get_and_post(editor, published, method):
    resubmit(editor, change_url(published))
    version = article_version(published)
    for url in (
        revision_url(published.pk, version),
        f"/admin/articles/article/recover/{version.pk}/",
    ):
        assert getattr(editor, method)(url).status_code == 405
    assert (
        getattr(editor, method)(revision_url(published.pk, version) + "restore/").status_code == 405
    )
    compare = f"/admin/articles/article/{published.pk}/history/compare/"
    assert getattr(editor, method)(compare).status_code == 405
    assert editor.post(compare).status_code == 405


def test_a_moderator_cannot_open_or_use_the_restore_pages(client, moderator, published):
    version = article_version(published)
    client.force_login(moderator)
    url = revision_url(published.pk, version)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert client.post(f"/admin/articles/article/recover/{version.pk}/").status_code == 403


def test_any_two_revisions_can_be_compared(editor, published):
    for intro in ("First.", "Second.", "Third."):
        resubmit(editor, change_url(published), intro=intro)
    revisions = [v.revision for v in Version.objects.get_for_object(published)]
    newest, oldest = revisions[0], revisions[2]  # not neighbours
    history = editor.get(f"/admin/articles/article/{published.pk}/history/").content.decode()
    assert 'name="older"' in history and 'name="newer"' in history

    url = f"/admin/articles/article/{published.pk}/history/compare/"
    page = editor.get(url, {"older": newest.pk, "newer": oldest.pk}).content.decode()
    assert "First." in page and "Third." in page and "Second." not in page
    assert editor.get(url, {"older": newest.pk}).status_code == 400
    assert editor.get(url, {"older": newest.pk, "newer": newest.pk}).status_code == 302
    other = ArticleFactory(slug="other")
    services.articles_publish(queryset=Article.objects.filter(pk=other.pk))
    foreign = article_version(other).revision
    assert editor.get(url, {"older": newest.pk, "newer": foreign.pk}).status_code == 404
