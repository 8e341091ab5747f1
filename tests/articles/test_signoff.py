"""Medical sign-off: with REQUIRE_SIGNOFF on, no text goes live unless a reviewer signed
off that very text, on any road."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles import review, services
from articles.models import Article, LiveArticle, Reviewer, SignOff
from tests.admin_forms import form_data, resubmit
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signoff_required(settings):
    settings.RLS_ARTICLES = {"REQUIRE_SIGNOFF": True}


@pytest.fixture
def reviewer(django_user_model):
    """A clinician who may view articles and sign them off, and not edit them."""
    user = django_user_model.objects.create_user("drlee", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["view_article", "sign_off_article"],
        )
    )
    Reviewer.objects.create(user=user, display_name="Dr Ann Lee", credentials="MD, neurologist")
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def draft():
    article = ArticleFactory(draft=True, title="Iron and sleep", slug="iron", intro="Iron.")
    SectionFactory(article=article, heading="Causes", body="Low iron.")
    return article


@pytest.fixture
def live():
    article = ArticleFactory(title="Ferritin", slug="ferritin", intro="Ferritin.")
    SectionFactory(article=article, heading="Tests", body="Ask for one.")
    return article


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def sign_off_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/sign-off/"


def sign_off(client, article, note="Checked the doses."):
    return client.post(sign_off_url(article), {"note": note}, follow=True)


def test_publishing_an_unsigned_draft_in_the_form_keeps_it_a_draft_and_says_why(editor, draft):
    response = editor.post(
        change_url(draft),
        form_data(editor.get(change_url(draft)).content.decode(), status="published"),
        follow=True,
    )
    assert "has no medical sign-off" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert not LiveArticle.objects.filter(pk=draft.pk).exists()


def test_scheduling_an_unsigned_draft_is_refused_as_publishing(editor, draft):
    later = timezone.localtime() + dt.timedelta(days=3)
    response = editor.post(
        change_url(draft),
        form_data(
            editor.get(change_url(draft)).content.decode(),
            status="published",
            published_at_0=later.strftime("%Y-%m-%d"),
            published_at_1=later.strftime("%H:%M:%S"),
        ),
        follow=True,
    )
    assert "has no medical sign-off" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_the_publish_action_refuses_unsigned_text(editor, draft):
    response = editor.post(
        "/admin/articles/article/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Nothing was published" in response.content.decode()
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT


def test_the_importer_refuses_to_publish_unsigned_text(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: Zinc\nslug: zinc\n---\n\nZinc.\n")
    with pytest.raises(CommandError, match="has no medical sign-off"):
        call_command("import_article", str(path), "--publish")
    assert not Article.objects.filter(slug="zinc").exists()  # all or nothing


def test_publishing_changes_needs_a_sign_off_of_the_changed_text(
    editor, reviewer_client, client, live
):
    resubmit(editor, change_url(live), intro="Ferritin below 75 matters.")
    response = editor.post(f"/admin/articles/article/{live.pk}/changes/publish/", follow=True)
    assert "has no medical sign-off" in response.content.decode()
    assert client.get("/api/v1/articles/ferritin/").json()["intro"] == "Ferritin."

    sign_off(reviewer_client, live)
    editor.post(f"/admin/articles/article/{live.pk}/changes/publish/")

    detail = client.get("/api/v1/articles/ferritin/").json()
    assert detail["intro"] == "Ferritin below 75 matters."
    assert detail["reviewed_by"] == {"name": "Dr Ann Lee", "credentials": "MD, neurologist"}
    assert detail["last_reviewed_on"] == timezone.localdate().isoformat()
    assert detail["json_ld"]["reviewedBy"]["name"] == "Dr Ann Lee"
    assert detail["json_ld"]["lastReviewed"] == timezone.localdate().isoformat()


def test_a_change_after_the_sign_off_voids_it(editor, reviewer_client, draft):
    sign_off(reviewer_client, draft)
    resubmit(editor, change_url(draft), intro="Changed after the sign-off.")

    response = resubmit(editor, change_url(draft), status="published")

    assert response.status_code == 302
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT
    voided = SignOff.objects.get()
    assert voided.voided_at is not None
    assert voided.voided_reason == "the text changed"
    assert review.signoff_standing(article_id=draft.pk) is None


def test_signed_text_goes_live_on_every_road(editor, reviewer_client, client, draft, tmp_path):
    sign_off(reviewer_client, draft)
    response = resubmit(editor, change_url(draft), status="published")
    assert response.status_code == 302
    assert client.get("/api/v1/articles/iron/").json()["reviewed_by"]["name"] == "Dr Ann Lee"

    path = tmp_path / "zinc.md"
    path.write_text("---\ntitle: Zinc\nslug: zinc\n---\n\nZinc.\n")
    call_command("import_article", str(path))
    zinc = Article.objects.get(slug="zinc")
    sign_off(reviewer_client, zinc)
    call_command("import_article", str(path), "--publish")  # the same text: still signed
    assert client.get("/api/v1/articles/zinc/").status_code == 200


def test_the_sign_off_is_recorded_with_who_when_which_revision_and_note(reviewer_client, draft):
    newest = Version.objects.get_for_object(draft).first().revision
    sign_off(reviewer_client, draft, note="Doses checked against NICE.")

    record = SignOff.objects.get()
    assert record.reviewer.username == "drlee"
    assert (record.reviewer_name, record.reviewer_credentials) == ("Dr Ann Lee", "MD, neurologist")
    assert record.revision == newest
    assert record.note == "Doses checked against NICE."
    assert timezone.now() - record.signed_at < dt.timedelta(minutes=1)
    history = Version.objects.get_for_object(draft).select_related("revision__user").first()
    assert history.revision.get_comment() == "Signed off by Dr Ann Lee"
    assert history.revision.user.username == "drlee"


def test_a_reviewer_cannot_sign_off_their_own_changes_unless_allowed(settings, reviewer, draft):
    reviewer.user_permissions.add(Permission.objects.get(codename="change_article"))
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    services.article_content_saved(
        article=draft, was_live=False, publish=False, publication_changed=False, user=reviewer
    )
    with pytest.raises(review.SignOffRefused) as refused:
        review.article_sign_off(article_id=draft.pk, user=reviewer)
    assert refused.value.code == review.OWN_CHANGES

    settings.RLS_ARTICLES = {"REQUIRE_SIGNOFF": True, "SIGNOFF_OWN_CHANGES": True}
    assert review.article_sign_off(article_id=draft.pk, user=reviewer).reviewer == reviewer


def test_only_a_reviewer_with_a_profile_can_sign_off(staff_user, django_user_model, draft):
    with pytest.raises(review.SignOffRefused) as refused:
        review.article_sign_off(article_id=draft.pk, user=staff_user)  # no profile
    assert refused.value.code == review.NO_PROFILE
    nobody = django_user_model.objects.create_user("nobody")
    with pytest.raises(review.SignOffRefused) as refused:
        review.article_sign_off(article_id=draft.pk, user=nobody)
    assert refused.value.code == review.NOT_A_REVIEWER


def test_a_reviewer_without_edit_rights_signs_off_from_the_sign_off_page(reviewer_client, draft):
    page = reviewer_client.get(sign_off_url(draft)).content.decode()
    assert "This text has no medical sign-off." in page
    assert "Low iron." in page  # the text to sign
    assert reviewer_client.get(change_url(draft)).status_code == 200  # read only
    assert reviewer_client.post(change_url(draft), {}).status_code == 403

    response = sign_off(reviewer_client, draft)

    assert "Signed off by Dr Ann Lee." in response.content.decode()
    page = reviewer_client.get(sign_off_url(draft)).content.decode()
    assert "This text is signed off by Dr Ann Lee" in page


def test_an_editor_without_the_permission_cannot_sign_off(editor, draft):
    # The editor has every permission of the articles app but this one.
    Permission.objects.filter(codename="sign_off_article").delete()
    assert editor.post(sign_off_url(draft), {"note": ""}).status_code == 403


def test_restoring_a_published_articles_revision_lands_in_the_draft_and_voids_the_sign_off(
    editor, reviewer_client, live
):
    first = Version.objects.get_for_object(live).first()
    resubmit(editor, change_url(live), intro="Second.")
    sign_off(reviewer_client, live)
    editor.post(f"/admin/articles/article/{live.pk}/changes/publish/")

    editor.post(f"/admin/articles/article/{live.pk}/history/{first.pk}/restore/")

    live.refresh_from_db()
    assert live.has_unpublished_changes
    assert SignOff.objects.get().voided_reason == "a revision was restored"
    response = editor.post(f"/admin/articles/article/{live.pk}/changes/publish/", follow=True)
    assert "has no medical sign-off" in response.content.decode()


def test_restoring_a_revisions_status_is_refused_without_a_sign_off(editor, draft):
    article = Article.objects.get(pk=draft.pk)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    # A revision with the status "Published", then back to draft.
    with_published = Version.objects.get_for_object(article).first()
    with_published.serialized_data = with_published.serialized_data.replace(
        '"status": "draft"', '"status": "published"'
    )
    with_published.save()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)

    response = editor.post(
        f"/admin/articles/article/{article.pk}/history/{with_published.pk}/restore/",
        {"publication": "1"},
        follow=True,
    )

    assert "has no medical sign-off" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_with_the_setting_off_the_review_fields_stay_editable(settings, editor, client, live):
    settings.RLS_ARTICLES = {}
    page = editor.get(change_url(live)).content.decode()
    assert 'name="reviewer_name"' in page
    resubmit(editor, change_url(live), reviewer_name="Dr Typed In")
    services.article_publish_changes(article_id=live.pk, user=None)
    assert client.get("/api/v1/articles/ferritin/").json()["reviewed_by"]["name"] == "Dr Typed In"


def test_with_the_setting_on_the_review_fields_are_read_only(editor, live):
    page = editor.get(change_url(live)).content.decode()
    assert 'name="reviewer_name"' not in page
    assert 'name="last_reviewed_on"' not in page


def test_load_demo_signs_off_as_the_files_reviewer_and_publishes(client, django_user_model):
    call_command("load_demo", stdout=None)
    user = django_user_model.objects.get(username="demo-reviewer")
    assert not user.has_usable_password()
    assert user.has_perm("articles.sign_off_article")
    record = SignOff.objects.get()
    assert record.reviewer == user
    assert record.reviewer_name == "rls_cms demo reviewer"
    detail = client.get("/api/v1/articles/what-causes-restless-legs-syndrome/").json()
    assert detail["reviewed_by"]["name"] == "rls_cms demo reviewer"
    # Again: the same text (its images stored anew, the same pictures): the sign-off stands.
    call_command("load_demo", stdout=None)
    article = Article.objects.get(slug="what-causes-restless-legs-syndrome")
    assert SignOff.objects.get().voided_at is None
    assert not article.has_unpublished_changes
    assert client.get("/api/v1/articles/what-causes-restless-legs-syndrome/").status_code == 200


def test_the_demo_host_requires_sign_off():
    from rls_cms import settings as host

    assert host.RLS_ARTICLES["REQUIRE_SIGNOFF"] is True


def test_a_sign_off_of_text_that_changed_while_the_reviewer_read_it_is_refused(
    editor, reviewer_client, draft
):
    page = reviewer_client.get(sign_off_url(draft)).content.decode()
    seen = form_data(page).get("seen")
    assert seen  # the page says which text it showed
    resubmit(editor, change_url(draft), intro="Changed while the reviewer read.")

    response = reviewer_client.post(sign_off_url(draft), {"note": "", "seen": seen}, follow=True)

    assert "The text changed while you read it" in response.content.decode()
    assert not SignOff.objects.exists()


def test_restoring_the_status_needs_the_publish_permission(client, django_user_model, draft):
    author = django_user_model.objects.create_user("author", password="pw", is_staff=True)
    author.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles").exclude(
            codename__in=["publish_article", "sign_off_article"]
        )
    )
    client.force_login(author)
    version = Version.objects.get_for_object(draft).first()
    url = f"/admin/articles/article/{draft.pk}/history/{version.pk}/restore/"
    assert client.post(url, {"publication": "1"}).status_code == 403
    assert client.post(url).status_code == 302  # the content alone: an author's right


def test_a_tag_deleted_site_wide_leaves_the_sign_off_standing(reviewer, draft):
    from articles.services import tags_delete
    from tests.factories import TagFactory

    tag = TagFactory(name="Sleep")
    draft.tags.add(tag)
    review.article_sign_off(article_id=draft.pk, user=reviewer)
    tags_delete(queryset=type(tag).objects.filter(pk=tag.pk))
    assert review.signoff_standing(article_id=draft.pk) is not None
