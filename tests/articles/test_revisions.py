"""Revisions: every save is one, with who and when; the admin shows a readable diff
between two, and restoring one (parts deleted since included) is itself a revision."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from reversion.models import Revision, Version

from articles import services
from articles.models import Article, LiveArticle, Section, Tag
from tests.admin_forms import resubmit
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    article = ArticleFactory(title="Iron and sleep")
    SectionFactory(article=article, heading="Causes", body="Low iron.", position=1)
    SectionFactory(article=article, heading="Treatment", body="Iron tablets.", position=2)
    return article


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def revisions_of(article) -> list[Revision]:
    return [v.revision for v in Version.objects.get_for_object(article).select_related("revision")]


def publish_changes(editor, article) -> None:
    """The editor publishes the live article's saved draft (its changes page's button)."""
    response = editor.post(f"/admin/articles/article/{article.pk}/changes/publish/")
    assert response.status_code == 302
    assert response["Location"] == change_url(article)  # not refused


def test_an_admin_save_is_a_revision_with_who_and_the_parts(editor, staff_user, article):
    before = len(revisions_of(article))
    assert resubmit(editor, change_url(article), title="Iron, sleep and legs").status_code == 302

    [latest, *_] = revisions_of(article)
    assert len(revisions_of(article)) == before + 1
    assert latest.user == staff_user
    kept = {v.content_type.model for v in latest.version_set.all()}
    assert kept == {"article", "section"}
    history = editor.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    assert staff_user.username in history


def test_every_other_writer_makes_a_revision_too(article):
    before = len(revisions_of(article))
    services.articles_unpublish(queryset=Article.objects.filter(pk=article.pk))
    services.articles_publish(queryset=Article.objects.filter(pk=article.pk))
    comments = [r.get_comment() for r in revisions_of(article)[:2]]
    assert len(revisions_of(article)) == before + 2
    assert comments == ["Published", "Unpublished"]


def test_restoring_a_revision_brings_back_a_deleted_section(editor, api_client, article):
    resubmit(editor, change_url(article))  # a revision with both sections
    whole = revisions_of(article)[0]
    treatment = Section.objects.get(article=article, heading="Treatment")
    page = editor.get(change_url(article)).content.decode()
    prefix = re.search(rf'name="(sections-\d+)-id" value="{treatment.pk}"', page).group(1)
    resubmit(editor, change_url(article), **{f"{prefix}-DELETE": "on"})
    assert list(article.sections.values_list("heading", flat=True)) == ["Causes"]
    count = len(revisions_of(article))

    # The revision's page is the change form as it was; saving it restores it.
    version = Version.objects.get_for_object(article).get(revision=whole)
    restore = f"/admin/articles/article/{article.pk}/history/{version.pk}/"
    assert resubmit(editor, restore).status_code == 302

    assert list(article.sections.order_by("position").values_list("heading", flat=True)) == [
        "Causes",
        "Treatment",
    ]
    assert len(revisions_of(article)) == count + 1
    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert [s["heading"] for s in detail["sections"]] == ["Causes", "Treatment"]


def test_restoring_keeps_the_change_counters_going_forward(editor, api_client, article):
    resubmit(editor, change_url(article))
    old = revisions_of(article)[0]
    for title in ("Iron", "Iron and legs"):
        resubmit(editor, change_url(article), title=title)
        publish_changes(editor, article)
    announced = timezone.now()
    Article.objects.filter(pk=article.pk).update(announced_published_at=announced)
    before = Article.objects.get(pk=article.pk).version
    assert api_client.get(f"/api/v1/articles/{article.slug}/").json()["title"] == "Iron and legs"

    version = Version.objects.get_for_object(article).get(revision=old)
    restore = f"/admin/articles/article/{article.pk}/history/{version.pk}/"
    assert resubmit(editor, restore).status_code == 302

    # The restore is the live article's draft: nothing public moved, nothing counted.
    article.refresh_from_db()
    assert (article.title, article.version) == ("Iron and sleep", before)
    assert api_client.get(f"/api/v1/articles/{article.slug}/").json()["title"] == "Iron and legs"

    publish_changes(editor, article)

    article.refresh_from_db()
    # Counted on, not back to the revision's: documents built since are stale.
    assert article.version == before + 1
    assert article.announced_published_at == announced  # no second "published"
    assert api_client.get(f"/api/v1/articles/{article.slug}/").json()["title"] == "Iron and sleep"


def test_restoring_brings_back_an_image_deleted_since_with_its_file(
    editor, api_client, article, media_root, django_capture_on_commit_callbacks
):
    image = ImageFactory(article=article, alt_text="Iron tablets on a plate.")
    resubmit(editor, change_url(article))  # a revision with the image
    whole = revisions_of(article)[0]
    with django_capture_on_commit_callbacks(execute=True):  # what runs after a commit, too
        resubmit(editor, change_url(article), **{"images-0-DELETE": "on"})
    assert not article.images.exists()

    version = Version.objects.get_for_object(article).get(revision=whole)
    restore = f"/admin/articles/article/{article.pk}/history/{version.pk}/"
    assert resubmit(editor, restore).status_code == 302

    restored = article.images.get()
    assert (restored.alt_text, restored.file.name) == (image.alt_text, image.file.name)
    assert (media_root / restored.file.name).is_file()
    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert [i["alt_text"] for i in detail["images"]] == ["Iron tablets on a plate."]


def test_the_history_compares_two_revisions_readably(editor, article):
    resubmit(editor, change_url(article))
    resubmit(editor, change_url(article), title="Iron, sleep and restless legs")
    history = editor.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    links = re.findall(r'href="([^"]+/history/compare/\d+/(\d+)/)"', history)
    compare = max(links, key=lambda link: int(link[1]))[0]  # the latest change

    page = editor.get(compare).content.decode().replace("&nbsp;", " ")

    assert 'class="diff"' in page
    assert "Title: Iron and sleep" in page
    assert "Iron, sleep and restless legs" in page
    assert "diff_chg" in page or "diff_add" in page


def test_comparing_revisions_of_another_article_is_not_found(editor, article):
    resubmit(editor, change_url(article))
    resubmit(editor, change_url(article), title="Changed")
    older, newer = (r.pk for r in revisions_of(article)[1::-1])
    other = ArticleFactory()
    url = f"/admin/articles/article/{other.pk}/history/compare/{older}/{newer}/"
    assert editor.get(url).status_code == 404


@pytest.mark.parametrize("chosen", ["{huge}/{newer}/", "?older={huge}&newer={newer}"])
def test_comparing_with_a_revision_id_no_column_holds_is_not_found(editor, article, chosen):
    newer = revisions_of(article)[0].pk
    chosen = chosen.format(huge=2**64, newer=newer)

    response = editor.get(f"/admin/articles/article/{article.pk}/history/compare/{chosen}")

    assert response.status_code == 404


def test_the_history_of_an_article_that_is_gone_leads_back_to_the_admin(editor, article):
    url = f"/admin/articles/article/{article.pk}/history/"
    services.articles_delete(queryset=Article.objects.filter(pk=article.pk))

    response = editor.get(url)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_moderators_see_no_article_history(client, moderator, article):
    client.force_login(moderator)
    assert client.get(f"/admin/articles/article/{article.pk}/history/").status_code == 403


# Restoring in one click, from the history page.


def restore_buttons(editor, article) -> list[str]:
    history = editor.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    return re.findall(r'<form method="post" action="([^"]+/restore/)" class="restore">', history)


def restore_url(article, revision: Revision) -> str:
    version = Version.objects.get_for_object(article).get(revision=revision)
    return f"/admin/articles/article/{article.pk}/history/{version.pk}/restore/"


def test_one_click_restores_a_revision_with_the_sections_deleted_since(
    editor, staff_user, api_client, article
):
    resubmit(editor, change_url(article))
    whole = revisions_of(article)[0]  # with both sections
    page = editor.get(change_url(article)).content.decode()
    treatment = Section.objects.get(article=article, heading="Treatment")
    prefix = re.search(rf'name="(sections-\d+)-id" value="{treatment.pk}"', page).group(1)
    resubmit(editor, change_url(article), title="Iron", **{f"{prefix}-DELETE": "on"})
    count = len(revisions_of(article))
    buttons = restore_buttons(editor, article)
    assert len(buttons) == count - 1  # none for the newest: it is the article as it is
    assert restore_url(article, whole) in buttons

    response = editor.post(restore_url(article, whole))

    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    article.refresh_from_db()
    assert article.title == "Iron and sleep"
    assert list(article.sections.values_list("heading", flat=True)) == ["Causes", "Treatment"]
    [latest, *_] = revisions_of(article)
    assert len(revisions_of(article)) == count + 1
    assert latest.user == staff_user
    assert latest.get_comment().startswith("Restored the revision of")
    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert [s["heading"] for s in detail["sections"]] == ["Causes", "Treatment"]


def test_a_restore_that_no_longer_fits_changes_nothing_and_says_why(editor, article):
    resubmit(editor, change_url(article))
    old = revisions_of(article)[0]
    old_slug = article.slug
    resubmit(editor, change_url(article), slug="iron-and-legs")
    publish_changes(editor, article)  # the old address is free: readers follow the new one
    ArticleFactory(slug=old_slug)  # the old address is another article's now
    before = len(revisions_of(article))

    response = editor.post(restore_url(article, old), follow=True)

    assert response.redirect_chain[-1][0] == f"/admin/articles/article/{article.pk}/history/"
    assert "cannot be restored" in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "iron-and-legs"
    assert len(revisions_of(article)) == before


def test_restoring_needs_a_post_the_change_permission_and_a_revision_of_that_article(
    editor, client, moderator, staff_user, article
):
    resubmit(editor, change_url(article))
    old = revisions_of(article)[0]
    resubmit(editor, change_url(article), title="Changed")
    url = restore_url(article, old)
    other = ArticleFactory()

    assert editor.get(url).status_code == 405
    assert editor.post(url.replace(f"/{article.pk}/", f"/{other.pk}/")).status_code == 404
    client.force_login(moderator)
    assert client.post(url).status_code == 403
    # An editor who may not delete sections may not restore: a restore deletes some.
    staff_user.user_permissions.remove(Permission.objects.get(codename="delete_section"))
    client.force_login(staff_user)
    assert client.post(url).status_code == 403
    assert Article.objects.get(pk=article.pk).title == "Changed"


def test_one_click_keeps_the_counters_going_and_dates_the_change_now(editor, article):
    resubmit(editor, change_url(article))
    old = revisions_of(article)[0]
    resubmit(editor, change_url(article), title="Iron")
    publish_changes(editor, article)
    announced = timezone.now()
    Article.objects.filter(pk=article.pk).update(announced_published_at=announced)
    before = Article.objects.get(pk=article.pk)
    live_before = LiveArticle.objects.get(pk=article.pk).changed_at

    assert editor.post(restore_url(article, old)).status_code == 302

    # The draft is restored and dated now; nothing public moved, so nothing is counted.
    article.refresh_from_db()
    assert article.title == "Iron and sleep"
    assert article.version == before.version
    assert article.updated_at > before.updated_at
    assert LiveArticle.objects.get(pk=article.pk).changed_at == live_before

    publish_changes(editor, article)

    # Published: counted on from now, and the public change is dated now too.
    article.refresh_from_db()
    assert article.version == before.version + 1
    assert article.announced_published_at == announced
    assert article.changed_at > before.changed_at
    assert LiveArticle.objects.get(pk=article.pk).changed_at > live_before


def test_one_click_restores_only_this_article_of_a_revision_that_holds_several(editor, article):
    other = ArticleFactory(title="Ferritin")
    both = Article.objects.filter(pk__in=[article.pk, other.pk])
    services.articles_unpublish(queryset=both)
    services.articles_publish(queryset=both)  # a bulk publication: one revision
    together = revisions_of(article)[0]
    assert together == revisions_of(other)[0]  # one revision for both
    resubmit(editor, change_url(article), title="Iron")
    resubmit(editor, change_url(other), title="Ferritin levels")
    SectionFactory(article=other, heading="Added since", position=9)
    other_version = Article.objects.get(pk=other.pk).version

    assert editor.post(restore_url(article, together)).status_code == 302

    assert Article.objects.get(pk=article.pk).title == "Iron and sleep"
    other.refresh_from_db()
    assert other.title == "Ferritin levels"
    assert other.sections.filter(heading="Added since").exists()
    assert other.version == other_version


def test_reversions_revision_page_restores_only_this_article_too(editor, article):
    other = ArticleFactory(title="Ferritin")
    both = Article.objects.filter(pk__in=[article.pk, other.pk])
    services.articles_unpublish(queryset=both)
    services.articles_publish(queryset=both)  # a bulk publication: one revision
    together = revisions_of(article)[0]
    assert together == revisions_of(other)[0]
    resubmit(editor, change_url(article), title="Iron")
    resubmit(editor, change_url(other), title="Ferritin levels")

    # django-reversion's own page would revert both; ours is the restore's confirmation.
    version = Version.objects.get_for_object(article).get(revision=together)
    assert (
        resubmit(editor, f"/admin/articles/article/{article.pk}/history/{version.pk}/").status_code
        == 302
    )

    assert Article.objects.get(pk=article.pk).title == "Iron and sleep"
    assert Article.objects.get(pk=other.pk).title == "Ferritin levels"


def test_one_click_leaves_out_a_tag_deleted_since_and_renders_the_html_anew(editor, article):
    tag = TagFactory(name="Iron")
    article.tags.add(tag)
    resubmit(editor, change_url(article))
    old = revisions_of(article)[0]
    causes_pk = article.sections.get(heading="Causes").pk
    # As if that revision had been rendered by an older, looser renderer.
    for version in Version.objects.filter(revision=old, content_type__model="section"):
        version.serialized_data = version.serialized_data.replace(
            "<p>Low iron.</p>", "<p onclick=alert(1)>Low iron.</p>"
        )
        version.save()
    stale = Version.objects.get(revision=old, content_type__model="section", object_id=causes_pk)
    assert "onclick" in stale.serialized_data
    services.tags_delete(queryset=Tag.objects.filter(pk=tag.pk))

    assert editor.post(restore_url(article, old)).status_code == 302

    assert not article.tags.exists()
    causes = article.sections.get(heading="Causes")
    assert causes.body_html == "<p>Low iron.</p>"


def test_one_click_leaves_out_an_image_whose_file_is_gone_and_says_so(editor, article):
    image = ImageFactory(article=article, alt_text="Iron tablets on a plate.")
    resubmit(editor, change_url(article))
    old = revisions_of(article)[0]
    image.file.storage.delete(image.file.name)  # as files went before they were kept
    image.delete()

    response = editor.post(restore_url(article, old), follow=True)

    assert response.status_code == 200
    assert "“Iron tablets on a plate.” was left out: its file is gone." in response.content.decode()
    assert not article.images.exists()
    assert list(article.sections.values_list("heading", flat=True)) == ["Causes", "Treatment"]
