"""manage.py import_article and load_demo: all or nothing, errors name the line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image as PILImage

from articles.models import (
    Article,
    Image,
    ImageRendition,
    LiveArticle,
    Reference,
    Section,
    Tag,
)
from tests.conftest import DEMO_SLUG
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SLUG = "iron-and-restless-legs"

# Line numbers matter: the malformed cases below name them.
GOOD_FILE = """\
---
title: Iron and restless legs
slug: iron-and-restless-legs
byline: Test desk
tags: Iron, Sleep
last_reviewed_on: 2023-11-28
---

An intro with *emphasis*.

![A small red square.](figure.png "A caption.")
Credit: Test lab

## Iron stores

Low ferritin matters.

### Testing ferritin {#ferritin}

Ask for a blood test.

![A second red square.](images/second.png)

## References

1. Silber MH, et al. The management of restless legs syndrome: An updated algorithm. Mayo Clinic Proceedings. 2021; doi:10.1016/j.mayocp.2020.12.026.
2. Restless legs syndrome fact sheet. National Institute of Neurological Disorders and Stroke. https://www.ninds.nih.gov/. Accessed Nov. 16, 2021.
"""  # noqa: E501

# Each case: the lines to replace (1-based; None deletes the line), lines to append,
# and the line the error must name.
MALFORMED = {
    "no-front-matter": (dict.fromkeys(range(1, 8)), [], 1),
    "front-matter-not-closed": ({7: None}, [], 8),
    "unknown-front-matter-key": ({4: "bylin: Test desk"}, [], 4),
    "front-matter-line-without-colon": ({4: "Test desk"}, [], 4),
    "missing-title": ({2: None}, [], 1),
    "empty-title": ({2: "title:"}, [], 2),
    "invalid-slug": ({3: "slug: not a slug!"}, [], 3),
    "bad-last-reviewed-on": ({6: "last_reviewed_on: 28/11/2023"}, [], 6),
    "heading-level-4": ({18: "#### Testing ferritin {#ferritin}"}, [], 18),
    "heading-level-1": ({14: "# Iron stores"}, [], 14),
    "subsection-before-any-section": ({14: "### Iron stores"}, [], 14),
    "image-with-empty-alt-text": ({11: '![](figure.png "A caption.")'}, [], 11),
    "image-with-blank-alt-text": ({11: "![   ](figure.png)"}, [], 11),
    "image-file-missing": ({22: "![A second red square.](images/missing.png)"}, [], 22),
    "image-file-not-an-image": ({22: "![A second red square.](notes.png)"}, [], 22),
    "duplicate-explicit-anchors": ({14: "## Iron stores {#ferritin}"}, [], 18),
    # In-text citations must name one of the article's two references.
    "citation-of-a-missing-reference": ({16: "Low ferritin matters [^3]."}, [], 14),
    "citation-in-the-intro-of-a-missing-reference": ({9: "An intro [^7]."}, [], 2),
    "invalid-doi": (
        {26: "1. Silber MH, et al. An updated algorithm. Mayo Clin Proc. 2021; doi:10.abc/xyz."},
        [],
        26,
    ),
    "reference-without-title-or-source": (
        {27: "2. https://www.ninds.nih.gov/. Accessed Nov. 16, 2021."},
        [],
        27,
    ),
    "bad-accessed-date": ({27: "2. Fact sheet. NINDS. Accessed someday."}, [], 27),
    "references-numbered-1-3": ({27: "3. Fact sheet. NINDS. https://www.ninds.nih.gov/."}, [], 27),
    "non-list-line-in-references": ({27: "Fact sheet. NINDS."}, [], 27),
    "heading-after-references": ({}, ["", "## Afterword"], 29),
    "tags-that-are-the-same-tag": ({5: "tags: C++, C"}, [], 5),
    "tag-without-letters-or-digits": ({5: "tags: Iron, ???"}, [], 5),
}

# Every malformed file also names a tag that does not exist yet (and, for an existing
# article, a new title), so that a half-applied import would show in the database.
NEW_TAG = {5: "tags: Iron, Sleep, Never created"}
CHANGED_TITLE_AND_TAGS = {2: "title: A changed title", **NEW_TAG}

# Errors found only while saving, after the image files were written.
FAILS_AFTER_IMAGES_WRITTEN = ["invalid-doi", "reference-without-title-or-source"]


def edited(text: str, replace: dict[int, str | None], append: list[str]) -> str:
    lines = text.splitlines()
    for number in sorted(replace, reverse=True):
        if replace[number] is None:
            del lines[number - 1]
        else:
            lines[number - 1] = replace[number]
    return "\n".join([*lines, *append]) + "\n"


def import_article(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_article", str(path), *args, stdout=out)
    return out.getvalue()


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


PART_MODELS = (Article, Section, Image, Reference, Tag)


def db_state() -> dict:
    """Every row the import touches, enough to see any change."""
    return {
        "counts": {m.__name__: m.objects.count() for m in PART_MODELS},
        "articles": list(
            Article.objects.order_by("pk").values_list(
                "pk", "slug", "title", "status", "intro", "published_at"
            )
        ),
        "sections": list(Section.objects.order_by("pk").values_list("pk", "heading", "anchor")),
        "images": list(Image.objects.order_by("pk").values_list("pk", "file", "alt_text")),
        "references": list(Reference.objects.order_by("pk").values_list("pk", "citation")),
        "tags": list(Tag.objects.order_by("pk").values_list("pk", "name")),
    }


@pytest.fixture
def source_dir(tmp_path) -> Path:
    """A folder with the good article file, its two images and a fake image."""
    folder = tmp_path / "source"
    (folder / "images").mkdir(parents=True)
    PILImage.new("RGB", (4, 3), "red").save(folder / "figure.png")
    PILImage.new("RGB", (6, 5), "blue").save(folder / "images" / "second.png")
    (folder / "notes.png").write_text("not a picture\n")
    (folder / "article.md").write_text(GOOD_FILE, encoding="utf-8")
    return folder


@pytest.fixture
def good_file(source_dir) -> Path:
    return source_dir / "article.md"


def write_malformed(source_dir: Path, case: str, *, changed_title: bool = False) -> Path:
    """Write the malformed ``case`` beside the good file."""
    replace, append, _ = MALFORMED[case]
    base = CHANGED_TITLE_AND_TAGS if changed_title else NEW_TAG
    path = source_dir / "bad.md"
    path.write_text(edited(GOOD_FILE, {**base, **replace}, append), encoding="utf-8")
    return path


# --- A valid file -----------------------------------------------------------------------


def test_import_without_publish_creates_a_draft(good_file):
    import_article(good_file)
    article = Article.objects.get(slug=SLUG)
    assert (article.status, article.is_public) == (Article.Status.DRAFT, False)


def test_draft_import_is_not_in_the_public_queryset(good_file):
    import_article(good_file)
    assert not Article.objects.public().exists()


def test_import_with_publish_creates_a_public_article(good_file):
    import_article(good_file, "--publish")
    assert list(Article.objects.public().values_list("slug", flat=True)) == [SLUG]


def test_import_reads_the_front_matter(good_file):
    import_article(good_file)
    article = Article.objects.get(slug=SLUG)
    assert (article.title, article.byline, str(article.last_reviewed_on)) == (
        "Iron and restless legs",
        "Test desk",
        "2023-11-28",
    )


def test_import_sets_the_tags(good_file):
    import_article(good_file)
    article = Article.objects.get(slug=SLUG)
    assert [tag.slug for tag in article.tags.all()] == ["iron", "sleep"]


def test_import_stores_the_intro(good_file):
    import_article(good_file)
    assert Article.objects.get(slug=SLUG).intro_html == "<p>An intro with <em>emphasis</em>.</p>"


def test_import_creates_the_sections_in_order(good_file):
    import_article(good_file)
    sections = Article.objects.get(slug=SLUG).sections.all()
    assert [(s.heading, s.level, s.anchor, s.body) for s in sections] == [
        ("Iron stores", 2, "iron-stores", "Low ferritin matters."),
        ("Testing ferritin", 3, "ferritin", "Ask for a blood test."),
    ]


def test_import_places_each_image_after_its_section(good_file):
    import_article(good_file)
    images = Article.objects.get(slug=SLUG).images.all()
    assert [(i.alt_text, i.after_section and i.after_section.anchor) for i in images] == [
        ("A small red square.", None),
        ("A second red square.", "ferritin"),
    ]


def test_import_reads_image_caption_credit_and_size(good_file):
    import_article(good_file)
    image = Article.objects.get(slug=SLUG).images.first()
    assert (image.caption, image.credit, image.width, image.height) == (
        "A caption.",
        "Test lab",
        4,
        3,
    )


def test_import_stores_the_image_files_in_media_root(good_file):
    import_article(good_file)
    names = set(Image.objects.values_list("file", flat=True))
    assert media_files() == names
    assert len(names) == 2


def test_import_creates_the_references_in_order(good_file):
    import_article(good_file)
    references = Article.objects.get(slug=SLUG).references.all()
    assert [(r.authors, r.doi, r.url) for r in references] == [
        ("Silber MH, et al", "10.1016/j.mayocp.2020.12.026", ""),
        ("", "", "https://www.ninds.nih.gov/"),
    ]


def test_import_prints_a_summary(good_file):
    assert import_article(good_file) == (
        f"Created '{SLUG}' (draft): 2 sections, 2 images, 2 references.\n"
    )


def test_import_reuses_a_tag_of_the_same_name_under_another_slug(good_file):
    existing = Tag.objects.create(name="Iron", slug="iron-nutrition")
    import_article(good_file)
    article = Article.objects.get(slug=SLUG)
    assert existing in article.tags.all()
    assert Tag.objects.filter(name__iexact="iron").count() == 1


def test_import_derives_the_slug_from_the_title_when_absent(source_dir):
    path = source_dir / "no-slug.md"
    path.write_text(edited(GOOD_FILE, {3: None}, []), encoding="utf-8")
    import_article(path)
    assert Article.objects.filter(slug=SLUG).exists()


# --- Importing again ----------------------------------------------------------------------


def test_importing_twice_updates_the_same_article(good_file):
    import_article(good_file)
    first = Article.objects.get(slug=SLUG)
    import_article(good_file)
    assert list(Article.objects.values_list("pk", flat=True)) == [first.pk]


def test_importing_twice_keeps_the_counts_of_parts(good_file):
    import_article(good_file)
    import_article(good_file)
    assert db_state()["counts"] == {
        "Article": 1,
        "Section": 2,
        "Image": 2,
        "Reference": 2,
        "Tag": 2,
    }


def test_importing_twice_reports_an_update(good_file):
    import_article(good_file)
    assert import_article(good_file).startswith(f"Updated '{SLUG}' (draft):")


def test_importing_twice_keeps_the_first_import_s_files_for_its_revision(
    good_file, django_capture_on_commit_callbacks
):
    import_article(good_file)
    old_files = media_files()
    with django_capture_on_commit_callbacks(execute=True):
        import_article(good_file)
    new_files = set(Image.objects.values_list("file", flat=True))
    assert len(new_files) == 2
    assert not old_files & new_files
    # The first import's revision still shows its images, so their files stay.
    assert media_files() == old_files | new_files


def test_reimport_replaces_the_parts_with_the_file(good_file, source_dir):
    import_article(good_file)
    changed = source_dir / "changed.md"
    changed.write_text(edited(GOOD_FILE, {18: "## Testing ferritin"}, []), encoding="utf-8")
    import_article(changed)
    sections = Section.objects.filter(article__slug=SLUG)
    assert list(sections.values_list("heading", "level")) == [
        ("Iron stores", 2),
        ("Testing ferritin", 2),
    ]


def test_reimport_with_publish_keeps_the_publication_time(good_file):
    import_article(good_file, "--publish")
    published_at = Article.objects.get(slug=SLUG).published_at
    import_article(good_file, "--publish")
    assert Article.objects.get(slug=SLUG).published_at == published_at


def test_reimport_without_publish_saves_a_live_article_s_draft(client, good_file, source_dir):
    import_article(good_file, "--publish")
    changed = source_dir / "changed.md"
    changed.write_text(edited(GOOD_FILE, {2: "title: A changed title"}, []), encoding="utf-8")

    out = import_article(changed)

    assert out.startswith(f"Updated '{SLUG}' (published, with unpublished changes):")
    article = Article.objects.get(slug=SLUG)
    assert (article.status, article.title, article.has_unpublished_changes) == (
        Article.Status.PUBLISHED,
        "A changed title",
        True,
    )
    # Readers keep the published version.
    assert client.get(f"/api/v1/articles/{SLUG}/").json()["title"] == "Iron and restless legs"


def test_reimport_without_publish_keeps_a_never_published_article_a_draft(client, good_file):
    import_article(good_file)
    import_article(good_file)
    article = Article.objects.get(slug=SLUG)
    assert (article.status, article.has_unpublished_changes) == (Article.Status.DRAFT, False)
    assert not LiveArticle.objects.filter(pk=article.pk).exists()
    assert client.get(f"/api/v1/articles/{SLUG}/").status_code == 404


def test_import_leaves_other_articles_alone(good_file):
    other = ArticleFactory()
    import_article(good_file)
    assert Article.objects.get(pk=other.pk).title == other.title


# --- The demo article ---------------------------------------------------------------------


def test_load_demo_imports_the_whole_demo_article(demo_article):
    assert (
        demo_article.sections.count(),
        demo_article.images.count(),
        demo_article.references.count(),
    ) == (11, 2, 15)


def test_load_demo_publishes_the_article(demo_article):
    assert demo_article.is_public


def test_load_demo_twice_keeps_one_article(demo_article):
    call_command("load_demo", stdout=io.StringIO())
    assert list(Article.objects.values_list("pk", flat=True)) == [demo_article.pk]


def test_load_demo_twice_keeps_the_counts_of_parts(demo_article):
    call_command("load_demo", stdout=io.StringIO())
    article = Article.objects.get(slug=DEMO_SLUG)
    assert (
        article.sections.count(),
        article.images.count(),
        article.references.count(),
    ) == (11, 2, 15)


def test_load_demo_twice_keeps_the_first_originals_but_not_their_copies(
    demo_article, django_capture_on_commit_callbacks
):
    before = media_files()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    images = set(Image.objects.values_list("file", flat=True))
    copies = set(ImageRendition.objects.values_list("file", flat=True))
    assert len(images) == 2
    # The first import's originals stay for its revision; its copies go.
    first_originals = {name for name in before if not name.startswith("renditions/")}
    assert media_files() == images | copies | first_originals


# --- A malformed file ---------------------------------------------------------------------


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_error_names_the_file_and_line(source_dir, case):
    path = write_malformed(source_dir, case)
    with pytest.raises(CommandError) as excinfo:
        import_article(path)
    assert str(excinfo.value).startswith(f"{path}:{MALFORMED[case][2]}: ")


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_for_a_new_slug_changes_nothing_in_the_database(source_dir, case):
    ArticleFactory()
    before = db_state()
    path = write_malformed(source_dir, case)
    with pytest.raises(CommandError):
        import_article(path)
    assert db_state() == before


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_for_an_existing_article_changes_nothing_in_the_database(
    good_file, source_dir, case
):
    import_article(good_file, "--publish")
    before = db_state()
    path = write_malformed(source_dir, case, changed_title=True)
    with pytest.raises(CommandError):
        import_article(path)
    assert db_state() == before


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_for_a_new_slug_leaves_no_files(source_dir, case):
    path = write_malformed(source_dir, case)
    with pytest.raises(CommandError):
        import_article(path)
    assert media_files() == set()


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_for_an_existing_article_keeps_its_files_and_adds_none(
    good_file, source_dir, case, django_capture_on_commit_callbacks
):
    import_article(good_file)
    before = media_files()
    path = write_malformed(source_dir, case, changed_title=True)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        import_article(path)
    assert media_files() == before


@pytest.mark.parametrize("case", FAILS_AFTER_IMAGES_WRITTEN)
def test_error_after_images_were_written_removes_those_files(source_dir, case):
    path = write_malformed(source_dir, case)
    with pytest.raises(CommandError):
        import_article(path)
    assert (Path(settings.MEDIA_ROOT) / "articles").is_dir()  # the images were written...
    assert media_files() == set()  # ...and removed again


def test_the_malformed_edits_alone_import_fine(source_dir):
    path = source_dir / "base.md"
    path.write_text(edited(GOOD_FILE, CHANGED_TITLE_AND_TAGS, []), encoding="utf-8")
    import_article(path)
    assert Article.objects.get(slug=SLUG).title == "A changed title"


def test_non_utf8_file_is_refused_naming_the_file(source_dir):
    path = source_dir / "latin1.md"
    path.write_bytes(GOOD_FILE.replace("Test desk", "Caf\u00e9 desk").encode("latin-1"))
    with pytest.raises(CommandError) as excinfo:
        import_article(path)
    assert str(excinfo.value).startswith(f"{path}: cannot read the file")


def test_non_utf8_file_changes_nothing(source_dir):
    path = source_dir / "latin1.md"
    path.write_bytes(GOOD_FILE.replace("Test desk", "Caf\u00e9 desk").encode("latin-1"))
    with pytest.raises(CommandError):
        import_article(path)
    assert (db_state()["counts"], media_files()) == (
        {"Article": 0, "Section": 0, "Image": 0, "Reference": 0, "Tag": 0},
        set(),
    )


def test_missing_file_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "nowhere.md"
    with pytest.raises(CommandError) as excinfo:
        import_article(path)
    assert str(excinfo.value).startswith(f"{path}: cannot read the file")


def test_command_error_exits_with_status_1(source_dir):
    path = write_malformed(source_dir, "no-front-matter")
    with pytest.raises(CommandError) as excinfo:
        import_article(path)
    assert excinfo.value.returncode == 1


def test_command_run_as_a_process_exits_non_zero(source_dir, tmp_path):
    path = write_malformed(source_dir, "heading-level-4")
    env = {
        **os.environ,
        # Never the developer's database or media folder.
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "MEDIA_ROOT": str(tmp_path / "process-media"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "import_article", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        1,
        f"CommandError: {path}:18: heading level 4 is not allowed: use ## for sections and "
        "### for sub-sections (the title comes from the front matter)\n",
    )
