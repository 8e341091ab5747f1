"""The editor's admin: one-page article editing, validation, change list and actions."""

from __future__ import annotations

import datetime as dt
import io
import re
from itertools import islice

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from reversion.models import Version

from articles.admin.forms import posted_rows
from articles.models import Article, Image, Reference, Section
from articles.revisions import newest_revision
from tests.admin_forms import resubmit
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, TagFactory
from tests.queries import count_queries

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")

pytestmark = pytest.mark.django_db


def png_upload(
    *, width: int = 64, height: int = 48, name: str = "figure.png"
) -> SimpleUploadedFile:
    """A real PNG, drawn in memory with Pillow."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def editor(client, staff_user):
    """The test client, logged in as the staff editor."""
    client.force_login(staff_user)
    return client


def section_row(heading: str, **fields) -> dict:
    return {"heading": heading, "level": "2", "anchor": "", "position": "1", "body": "", **fields}


def image_row(**fields) -> dict:
    return {
        "file": png_upload(),
        "position": "1",
        "alt_text": "Nerve cells passing a signal.",
        "caption": "",
        "credit": "",
        "after_section": "",
        **fields,
    }


def reference_row(**fields) -> dict:
    return {
        "position": "1",
        "authors": "Garcia-Borreguero D, et al",
        "title": "Guidelines for the first-line treatment of restless legs syndrome",
        "source": "Sleep Medicine",
        "year": "2016",
        "date": "",
        "doi": "10.1016/j.sleep.2016.01.017",
        "url": "",
        "accessed_on": "",
        **fields,
    }


def add_form_data(
    prefixes: dict[str, str],
    *,
    sections: list[dict] = (),
    images: list[dict] = (),
    references: list[dict] = (),
    **article,
) -> dict:
    """POST data for the add page: the article's fields and every inline's rows."""
    data = {
        "title": "Iron and restless legs",
        "slug": "iron-and-restless-legs",
        "byline": "Editorial team",
        "byline_kind": Article.BylineKind.ORGANIZATION,
        "intro": "Low iron *matters*.",
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "last_reviewed_on": "",
        "_save": "Save",
        **article,
    }
    for model_name, rows in (("section", sections), ("image", images), ("reference", references)):
        prefix = prefixes[model_name]
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{name}": value for name, value in row.items()}
    return data


def inline_formset(response, model_name: str):
    """The bound inline form set of ``model_name`` from an admin page response."""
    return next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model._meta.model_name == model_name
    )


def error_codes(form, field: str) -> list[str]:
    return [error.code for error in form.errors.as_data().get(field, [])]


def assert_nothing_saved() -> None:
    assert not Article.objects.exists()
    assert not Section.objects.exists()
    assert not Image.objects.exists()
    assert not Reference.objects.exists()


# Adding an article with all its parts in one POST


@pytest.fixture
def full_post(editor, prefixes):
    """One POST of the add form: an article, two sections, an image and a reference."""
    data = add_form_data(
        prefixes,
        sections=[
            section_row("What is RLS?", position="1", body="An *urge* to move."),
            section_row("Iron & dopamine", position="2", level="3", body="- ferritin\n- dopamine"),
        ],
        images=[image_row(file=png_upload(width=64, height=48))],
        references=[reference_row()],
    )
    return editor.post(ADD_URL, data)


def test_add_article_with_parts_redirects_to_change_list(full_post):
    assert full_post.status_code == 302
    assert full_post["Location"] == CHANGELIST_URL


def test_add_article_with_parts_renders_intro(full_post):
    article = Article.objects.get(slug="iron-and-restless-legs")
    assert article.intro_html == "<p>Low iron <em>matters</em>.</p>"


def test_add_article_with_parts_stores_sections_with_derived_anchors(full_post):
    article = Article.objects.get(slug="iron-and-restless-legs")
    sections = list(article.sections.values_list("heading", "level", "anchor"))
    assert sections == [
        ("What is RLS?", 2, "what-is-rls"),
        ("Iron & dopamine", 3, "iron-dopamine"),
    ]


def test_add_article_with_parts_renders_section_bodies(full_post):
    article = Article.objects.get(slug="iron-and-restless-legs")
    bodies = list(article.sections.values_list("body_html", flat=True))
    assert bodies == [
        "<p>An <em>urge</em> to move.</p>",
        "<ul>\n<li>ferritin</li>\n<li>dopamine</li>\n</ul>",
    ]


def test_add_article_with_parts_stores_image_dimensions(full_post, media_root):
    image = Image.objects.get(article__slug="iron-and-restless-legs")
    assert (image.width, image.height) == (64, 48)
    assert image.alt_text == "Nerve cells passing a signal."
    assert (media_root / image.file.name).is_file()


def test_add_article_with_parts_builds_reference_citation(full_post):
    reference = Reference.objects.get(article__slug="iron-and-restless-legs")
    assert reference.citation == (
        "Garcia-Borreguero D, et al. Guidelines for the first-line treatment of restless "
        "legs syndrome. Sleep Medicine; 2016. doi:10.1016/j.sleep.2016.01.017."
    )


# Bad input: a form error, no server error, nothing saved


def test_duplicate_explicit_anchor_is_a_form_set_error(editor, prefixes):
    data = add_form_data(
        prefixes,
        sections=[
            section_row("Causes", anchor="causes", position="1"),
            section_row("More causes", anchor="causes", position="2"),
        ],
    )

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    errors = inline_formset(response, "section").non_form_errors()
    assert len(errors) == 1
    assert "anchor" in errors[0]
    assert_nothing_saved()


def test_section_level_5_is_an_invalid_choice(editor, prefixes):
    data = add_form_data(prefixes, sections=[section_row("Too deep", level="5")])

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    form = inline_formset(response, "section").forms[0]
    assert error_codes(form, "level") == ["invalid_choice"]
    assert_nothing_saved()


@pytest.mark.parametrize("alt_text", ["", "   "])
def test_image_without_alt_text_is_required(editor, prefixes, alt_text, media_root):
    data = add_form_data(prefixes, images=[image_row(alt_text=alt_text)])

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    form = inline_formset(response, "image").forms[0]
    assert error_codes(form, "alt_text") == ["required"]
    assert_nothing_saved()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_reference_with_invalid_doi_is_refused(editor, prefixes):
    data = add_form_data(prefixes, references=[reference_row(doi="not-a-doi")])

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    form = inline_formset(response, "reference").forms[0]
    assert error_codes(form, "doi") == ["invalid_doi"]
    assert_nothing_saved()


def test_reference_with_invalid_url_is_refused(editor, prefixes):
    data = add_form_data(prefixes, references=[reference_row(url="not a url")])

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    form = inline_formset(response, "reference").forms[0]
    assert error_codes(form, "url") == ["invalid"]
    assert_nothing_saved()


def test_duplicate_slug_is_refused(editor, prefixes):
    existing = ArticleFactory(slug="iron-and-restless-legs")
    data = add_form_data(prefixes, slug="iron-and-restless-legs", sections=[section_row("Causes")])

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    assert error_codes(response.context["adminform"].form, "slug") == ["unique"]
    assert list(Article.objects.all()) == [existing]
    assert not Section.objects.exists()


def test_blank_anchors_with_same_heading_get_distinct_anchors(editor, prefixes):
    data = add_form_data(
        prefixes,
        sections=[section_row("Causes", position="1"), section_row("Causes", position="2")],
    )

    response = editor.post(ADD_URL, data)

    assert response.status_code == 302
    anchors = list(Section.objects.values_list("anchor", flat=True))
    assert anchors == ["causes", "causes-2"]


@pytest.fixture
def saved_section(db) -> Section:
    """The one saved section, "Causes", of a draft article "Iron"."""
    article = ArticleFactory(title="Iron", slug="iron", draft=True)
    return SectionFactory(article=article, heading="Causes", anchor="causes", position=1)


def change_form_data(prefixes, saved_section, *, sections=(), images=(), **saved) -> dict:
    """POST data for the change page of ``saved_section``'s article: that section
    (with ``saved`` changes), then ``sections`` added, and ``images``."""
    article = saved_section.article
    kept = section_row("Causes", id=str(saved_section.pk), anchor="causes", **saved)
    data = add_form_data(
        prefixes,
        title=article.title,
        slug=article.slug,
        sections=[kept, *sections],
        images=images,
    )
    data[f"{prefixes['section']}-INITIAL_FORMS"] = "1"
    # The change page's token: the article's newest revision when it was opened.
    newest = newest_revision(article.pk)
    data["base_revision"] = str(newest.pk) if newest else ""
    return data


def test_blank_anchors_on_change_page_skip_anchors_already_used(editor, prefixes, saved_section):
    article = saved_section.article
    data = change_form_data(
        prefixes,
        saved_section,
        sections=[section_row("Causes", position="2"), section_row("Causes", position="3")],
    )

    response = editor.post(change_url(article), data)

    assert response.status_code == 302
    anchors = list(article.sections.values_list("anchor", flat=True))
    assert anchors == ["causes", "causes-2", "causes-3"]


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


# Placing an image after a section, including one added in the same save


def test_image_can_follow_a_section_added_in_the_same_save(
    editor, prefixes, api_client, media_root
):
    data = add_form_data(
        prefixes,
        status=Article.Status.PUBLISHED,
        published_at_0="2026-01-05",
        published_at_1="09:00:00",
        sections=[section_row("Causes", position="1"), section_row("Iron", position="2")],
        # The browser names a section without an id by its form.
        images=[image_row(after_section=f"{prefixes['section']}-1")],
    )

    response = editor.post(ADD_URL, data)

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.after_section == Section.objects.get(heading="Iron")
    detail = api_client.get("/api/v1/articles/iron-and-restless-legs/").json()
    assert [i["after_section"] for i in detail["images"]] == ["iron"]


def test_images_follow_old_and_new_sections_in_one_save_and_the_revision_shows_it(
    editor, prefixes, saved_section, media_root
):
    article, old = saved_section.article, saved_section
    data = change_form_data(
        prefixes,
        saved_section,
        sections=[section_row("Treatment", position="2")],
        images=[
            image_row(after_section=str(old.pk), alt_text="Old", position="1"),
            image_row(after_section="sections-1", alt_text="New", position="2"),
        ],
    )

    assert editor.post(change_url(article), data).status_code == 302

    new = article.sections.get(heading="Treatment")
    placed = dict(article.images.values_list("alt_text", "after_section"))
    assert placed == {"Old": old.pk, "New": new.pk}
    # The revision is the article as saved, the new section's image included.
    revision = Version.objects.get_for_object(article).first().revision
    images = Version.objects.filter(revision=revision, content_type__model="image")
    assert {v.field_dict["alt_text"]: v.field_dict["after_section_id"] for v in images} == placed


@pytest.mark.parametrize(
    "changes",
    [
        {"images-0-after_section": "sections-7"},  # no such form
        {"sections-1-DELETE": "on"},  # the chosen new section is removed
        {"sections-1-heading": ""},  # no section without its heading
        {"images-0-after_section": "sections-1 "},
        {"images-0-after_section": "articles-1"},
        # Django strips the heading, finds the form unchanged and skips it.
        {"sections-1-heading": "   ", "sections-1-position": "0"},
        {"sections-INITIAL_FORMS": "2", "sections-1-id": ""},  # a saved form's place, forged
    ],
    ids=[
        "missing-form",
        "deleted-form",
        "blank-form",
        "trailing-space",
        "other-prefix",
        "white-space-heading",
        "saved-form",
    ],
)
def test_a_place_naming_no_new_section_is_an_invalid_choice(editor, prefixes, changes, media_root):
    data = add_form_data(
        prefixes,
        sections=[section_row("Causes", position="1"), section_row("Iron", position="2")],
        images=[image_row(after_section="sections-1")],
    )
    data |= changes

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    image_form = inline_formset(response, "image").forms[0]
    assert error_codes(image_form, "after_section") == ["invalid_choice"]
    assert_nothing_saved()


def test_no_new_section_is_a_place_for_an_editor_who_may_not_add_sections(
    client, staff_user, prefixes, saved_section, media_root
):
    staff_user.user_permissions.remove(Permission.objects.get(codename="add_section"))
    client.force_login(staff_user)
    data = change_form_data(
        prefixes,
        saved_section,
        sections=[section_row("Forged", position="2")],
        images=[image_row(after_section="sections-1")],
    )

    response = client.post(change_url(saved_section.article), data)

    assert response.status_code == 200
    image_form = inline_formset(response, "image").forms[0]
    assert error_codes(image_form, "after_section") == ["invalid_choice"]
    assert list(saved_section.article.sections.all()) == [saved_section]


def test_delete_false_keeps_the_section_as_the_form_set_does(
    editor, prefixes, saved_section, media_root
):
    images = [image_row(after_section=str(saved_section.pk))]
    data = change_form_data(prefixes, saved_section, images=images, DELETE="false")

    assert editor.post(change_url(saved_section.article), data).status_code == 302

    assert saved_section.article.images.get().after_section == saved_section


def test_a_section_of_another_article_is_an_invalid_choice(editor, prefixes, media_root):
    article = ArticleFactory(title="Iron", slug="iron", draft=True)
    foreign = SectionFactory(heading="Elsewhere")
    data = add_form_data(
        prefixes,
        title=article.title,
        slug=article.slug,
        images=[image_row(after_section=str(foreign.pk))],
    )

    response = editor.post(change_url(article), data)

    assert response.status_code == 200
    image_form = inline_formset(response, "image").forms[0]
    assert error_codes(image_form, "after_section") == ["invalid_choice"]
    assert not article.images.exists()


def test_a_section_deleted_in_the_same_save_cannot_hold_an_image(
    editor, prefixes, saved_section, media_root
):
    article, section = saved_section.article, saved_section
    images = [image_row(after_section=str(section.pk))]
    data = change_form_data(prefixes, saved_section, images=images, DELETE="on")

    response = editor.post(change_url(article), data)

    # Not moved to "after the intro" behind the editor's back.
    assert response.status_code == 200
    image_form = inline_formset(response, "image").forms[0]
    assert error_codes(image_form, "after_section") == ["deleted_section"]
    assert "“Causes” is deleted in this save" in image_form.errors["after_section"][0]
    assert article.sections.get() == section
    assert not article.images.exists()


def test_the_choice_of_a_new_section_survives_an_error_elsewhere(editor, prefixes, media_root):
    data = add_form_data(
        prefixes,
        sections=[section_row("Causes", position="1"), section_row("Iron & sleep", position="2")],
        images=[image_row(after_section="sections-1")],
        references=[reference_row(doi="not-a-doi")],
    )

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    page = response.content.decode()
    select = re.search(r'<select name="images-0-after_section".*?</select>', page, re.S)[0]
    assert '<option value="sections-1" selected>Iron &amp; sleep (new)</option>' in select
    assert '<option value="sections-0">Causes (new)</option>' in select


def test_the_change_page_offers_the_article_s_sections_and_the_script_for_new_ones(editor):
    article = ArticleFactory(title="Iron", slug="iron", draft=True)
    section = SectionFactory(article=article, heading="Causes", position=1)
    SectionFactory(heading="Elsewhere")
    image = ImageFactory(article=article, after_section=section)

    page = editor.get(change_url(article)).content.decode()

    select = re.search(r'<select name="images-0-after_section".*?</select>', page, re.S)[0]
    assert re.findall(r"<option [^>]*>([^<]*)</option>", select) == ["---------", "Causes"]
    assert f'<option value="{section.pk}" selected>' in select
    assert 'data-sections-prefix="sections"' in select
    assert "articles/admin/after_section.js" in page
    # An unchanged save keeps the image where it is.
    assert resubmit(editor, change_url(article)).status_code == 302
    image.refresh_from_db()
    assert image.after_section == section


def test_the_change_page_reads_the_sections_once_however_many_images(editor, media_root):
    article = ArticleFactory(title="Iron", slug="iron", draft=True)
    section = SectionFactory(article=article, heading="Causes", position=1)
    ImageFactory(article=article, after_section=section)
    one_image = count_queries(editor, change_url(article))
    ImageFactory.create_batch(9, article=article, after_section=section)

    # 14: the 13 of Django's page and one for the edit token (the newest revision).
    assert count_queries(editor, change_url(article)) == one_image == 14


def test_another_inline_s_rows_are_read_no_further_than_django_reads_a_form_set():
    data = {"references-TOTAL_FORMS": str(10**12)}
    assert len(list(islice(posted_rows(data, "references"), 2001))) == 2000


def test_a_forged_form_count_is_refused(editor, prefixes):
    data = add_form_data(prefixes, intro="See [^1].", references=[reference_row()])
    data["references-TOTAL_FORMS"] = str(10**12)

    response = editor.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Please submit at most 1000 forms." in str(
        inline_formset(response, "reference").non_form_errors()
    )
    assert_nothing_saved()


# Change list


def test_change_list_loads_for_staff(editor):
    ArticleFactory.create_batch(2)

    response = editor.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


def test_search_finds_article_by_section_body_once(editor):
    article = ArticleFactory(title="Iron")
    SectionFactory.create_batch(3, article=article, body="Check your ferritin level.")
    SectionFactory(body="Nothing about iron stores here.")

    response = editor.get(CHANGELIST_URL, {"q": "ferritin"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [article]


def test_status_filter_lists_drafts_only(editor):
    draft = ArticleFactory(draft=True)
    ArticleFactory()

    response = editor.get(CHANGELIST_URL, {"status": "draft"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [draft]


def test_tag_filter_lists_tagged_articles_only(editor):
    tag = TagFactory()
    tagged = ArticleFactory(tags=[tag])
    ArticleFactory(tags=[TagFactory()])

    response = editor.get(CHANGELIST_URL, {"tags__id__exact": tag.pk})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [tagged]


def run_action(client, action: str, *articles: Article):
    return client.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [str(article.pk) for article in articles]},
    )


def test_publish_action_publishes_draft_now(editor):
    draft = ArticleFactory(draft=True)
    before = timezone.now()

    response = run_action(editor, "publish", draft)

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == Article.Status.PUBLISHED
    assert before <= draft.published_at <= timezone.now()


def test_publish_action_keeps_existing_publication_time(editor):
    scheduled_at = dt.datetime(2030, 5, 1, 8, 0, tzinfo=dt.UTC)
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=scheduled_at)

    run_action(editor, "publish", draft)

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == scheduled_at


def test_publish_action_changes_only_selected_articles(editor):
    selected, other = ArticleFactory(draft=True), ArticleFactory(draft=True)

    run_action(editor, "publish", selected)

    other.refresh_from_db()
    assert other.status == Article.Status.DRAFT
    assert other.published_at is None


def test_unpublish_action_returns_article_to_draft(editor):
    published = ArticleFactory()

    response = run_action(editor, "unpublish", published)

    published.refresh_from_db()
    assert response.status_code == 302
    assert published.status == Article.Status.DRAFT


@pytest.mark.parametrize("field", ["published_at", "updated_at"])
def test_change_list_shows_dates_in_site_time_zone(editor, settings, field):
    settings.TIME_ZONE = "America/New_York"
    article = ArticleFactory()
    # 02:30 on Jan. 2 in UTC is 21:30 on Jan. 1 in New York.
    Article.objects.filter(pk=article.pk).update(
        **{field: dt.datetime(2024, 1, 2, 2, 30, tzinfo=dt.UTC)}
    )

    response = editor.get(CHANGELIST_URL)

    cell = re.search(rf'<td class="field-{field}[^"]*">([^<]*)</td>', response.content.decode())
    assert cell is not None
    assert cell[1] == "Jan. 1, 2024, 9:30 p.m."


# Change page


def test_demo_article_change_page_has_markdown_editor(editor, demo_article):
    response = editor.get(change_url(demo_article))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="markdownx"' in content
    assert "markdownx/js/markdownx" in content
    # The widget calls our staff-only endpoints where articles.urls is mounted.
    assert 'data-markdownx-urls-path="/api/v1/editor/markdownify/"' in content
    assert 'data-markdownx-upload-urls-path="/api/v1/editor/upload/"' in content
