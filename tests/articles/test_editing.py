"""Saving the change form: an unchanged form changes nothing, and a page opened
before someone else's save cannot overwrite it without a word."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from reversion.models import Version

from articles import services
from articles.models import Article
from articles.revisions import revision_text
from tests.admin_forms import form_data, resubmit
from tests.factories import ArticleFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    article = ArticleFactory(
        title="Iron and sleep",
        slug="iron",
        intro="Iron matters.",
        published_at=dt.datetime(2026, 3, 1, 16, 58, 13, 610000, tzinfo=dt.UTC),
    )
    SectionFactory(article=article, heading="Causes", body="Low iron.", position=1)
    services.articles_publish(queryset=Article.objects.filter(pk=article.pk))
    article.refresh_from_db()
    return article


@pytest.fixture
def second_editor(db, django_user_model) -> Client:
    user = django_user_model.objects.create_user("jane", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    client = Client()
    client.force_login(user)
    return client


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def latest_texts(article, count=2) -> list[list[str]]:
    versions = Version.objects.get_for_object(article).select_related("revision")[:count]
    return [revision_text(v.revision, article.pk) for v in versions]


def test_saving_an_unchanged_form_changes_no_field(editor, article):
    before = Article.objects.filter(pk=article.pk).values().get()
    assert resubmit(editor, change_url(article)).status_code == 302

    after = Article.objects.filter(pk=article.pk).values().get()
    assert after["published_at"] == before["published_at"]  # to the microsecond
    assert after["published_at"].microsecond == 610000
    # The funnel's bookkeeping moves; nothing the editor wrote does.
    changed = {k for k in before if before[k] != after[k]} - {"updated_at", "version", "changed_at"}
    assert changed == set()
    newest, previous = latest_texts(article)
    assert newest == previous  # no line in the history's diff
    assert LogEntry.objects.latest("pk").get_change_message() == "No fields changed."


def test_a_publication_time_the_editor_changes_is_saved(editor, article):
    resubmit(
        editor,
        change_url(article),
        **{"published_at_0": "2026-03-02", "published_at_1": "09:00:00"},
    )
    article.refresh_from_db()
    assert article.published_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_save_from_a_page_opened_before_another_save_is_refused(editor, second_editor, article):
    # Both open the article; Jane changes the intro and saves first.
    editors_page = editor.get(change_url(article)).content.decode()
    janes_page = second_editor.get(change_url(article)).content.decode()
    assert second_editor.post(change_url(article), form_data(janes_page, intro="Iron is key."))
    assert Article.objects.get(pk=article.pk).intro == "Iron is key."

    # The editor, on the page opened before, changes a heading and saves.
    mine = form_data(editors_page, **{"sections-0-heading": "What causes it"})
    response = editor.post(change_url(article), mine)

    assert response.status_code == 200
    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert "jane saved this article at " in page
    assert "Iron is key." in page  # her change, in the diff
    assert 'value="What causes it"' in page  # the editor's input is kept
    article.refresh_from_db()
    assert article.intro == "Iron is key."
    assert article.sections.get().heading == "Causes"
    assert response.context["adminform"].form.errors.as_data()["__all__"][0].code == (
        "edit_conflict"
    )

    # Having seen her change, the editor saves again: both changes stand.
    again = form_data(response.content.decode())
    assert editor.post(change_url(article), again).status_code == 302
    article.refresh_from_db()
    assert (article.intro, article.sections.get().heading) == ("Iron is key.", "What causes it")


def test_a_publish_action_since_the_page_opened_is_a_conflict_too(editor, article):
    page = editor.get(change_url(article)).content.decode()
    services.articles_unpublish(queryset=Article.objects.filter(pk=article.pk))
    response = editor.post(change_url(article), form_data(page, title="Iron"))
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).title == "Iron and sleep"


def test_comment_counts_and_image_copies_since_are_no_conflict(editor, article):
    page = editor.get(change_url(article)).content.decode()
    # Changes that are not the article's own move its version, not its revisions.
    services.article_mark_changed(article=article, reason="comments")
    services.article_mark_changed(article=article, reason="renditions")
    assert editor.post(change_url(article), form_data(page, title="Iron")).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "Iron"


def test_saving_again_after_a_conflict_keeps_every_change_of_both(editor, second_editor, article):
    tag = TagFactory(name="Iron")
    editors_page = editor.get(change_url(article)).content.decode()
    janes_page = second_editor.get(change_url(article)).content.decode()
    janes = form_data(
        janes_page,
        **{
            "sections-0-body": "Low ferritin.",
            "tags": [str(tag.pk)],
            "comments_enabled": "",
            "published_at_1": "08:00:00",
            "sections-TOTAL_FORMS": "2",
            "sections-1-heading": "Added by Jane",
            "sections-1-level": "2",
            "sections-1-position": "2",
        },
    )
    janes.pop("comments_enabled")
    assert second_editor.post(change_url(article), janes).status_code == 302

    mine = form_data(editors_page, title="Iron, sleep and legs")
    shown = editor.post(change_url(article), mine)
    assert shown.status_code == 200
    assert editor.post(change_url(article), form_data(shown.content.decode())).status_code == 302

    article.refresh_from_db()
    assert article.title == "Iron, sleep and legs"
    assert article.sections.order_by("position").first().body == "Low ferritin."
    assert list(article.tags.all()) == [tag]
    assert article.comments_enabled is False
    assert article.published_at == dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert article.sections.filter(heading="Added by Jane").exists()


def test_a_field_both_changed_shows_the_editors_input(editor, second_editor, article):
    editors_page = editor.get(change_url(article)).content.decode()
    janes_page = second_editor.get(change_url(article)).content.decode()
    second_editor.post(change_url(article), form_data(janes_page, title="Jane's title"))

    shown = editor.post(change_url(article), form_data(editors_page, title="My title"))
    assert shown.context["adminform"].form["title"].value() == "My title"
    assert Article.objects.get(pk=article.pk).title == "Jane's title"


def test_a_section_deleted_since_leaves_the_form_whole(editor, second_editor, article):
    SectionFactory(article=article, heading="Treatment", body="Iron tablets.", position=2)
    SectionFactory(article=article, heading="Outlook", body="Good.", position=3)
    editors_page = editor.get(change_url(article)).content.decode()
    janes_page = second_editor.get(change_url(article)).content.decode()
    # Jane deletes the first section and rewrites the last one.
    janes = form_data(janes_page, **{"sections-0-DELETE": "on", "sections-2-body": "Very good."})
    assert second_editor.post(change_url(article), janes).status_code == 302

    shown = editor.post(change_url(article), form_data(editors_page, title="Iron"))
    assert shown.status_code == 200
    formset = shown.context["inline_admin_formsets"][0].formset
    assert [form.instance.heading for form in formset.initial_forms] == ["Treatment", "Outlook"]

    assert editor.post(change_url(article), form_data(shown.content.decode())).status_code == 302
    article.refresh_from_db()
    assert article.title == "Iron"
    assert list(article.sections.values_list("heading", "body")) == [
        ("Treatment", "Iron tablets."),
        ("Outlook", "Very good."),
    ]


def test_the_diffs_show_only_this_article_of_a_bulk_revision(editor, article):
    other = ArticleFactory(title="Secret draft title", slug="secret")
    services.articles_unpublish(queryset=Article.objects.filter(pk__in=[article.pk, other.pk]))
    together = Version.objects.get_for_object(article).first()
    assert together.revision == Version.objects.get_for_object(other).first().revision
    resubmit(editor, change_url(article), intro="Changed since.")

    page = editor.get(f"/admin/articles/article/{article.pk}/history/{together.pk}/")
    assert "Secret draft title" not in page.content.decode()
    assert "Iron and sleep" in page.content.decode()
