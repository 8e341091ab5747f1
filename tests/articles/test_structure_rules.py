"""Structure an editor cannot break by accident: a sub-section follows a section, and
every image written in Markdown has alt text, in the admin and in the importer."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from articles.models import Article, Section
from articles.validators import PLACEHOLDER_ALT, validate_image_alt_texts
from tests.admin_forms import resubmit
from tests.articles.test_admin import ADD_URL, add_form_data, section_row
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def errors_of(response) -> dict[str, list[str]]:
    """Error codes by inline prefix and field, as the admin shows them."""
    found = {}
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            for field, errors in form.errors.as_data().items():
                found[f"{form.prefix}-{field}"] = [error.code for error in errors]
    for field, errors in response.context["adminform"].form.errors.as_data().items():
        found[field] = [error.code for error in errors]
    return found


def test_a_sub_section_cannot_come_first(editor, prefixes):
    data = add_form_data(
        prefixes,
        sections=[
            section_row("Peripheral neuropathy", level="3", position="1"),
            section_row("Underlying conditions", level="2", position="2"),
        ],
    )
    response = editor.post(ADD_URL, data)
    assert response.status_code == 200
    assert errors_of(response)[f"{prefixes['section']}-0-level"] == ["orphan_subsection"]
    assert "must follow a section (level 2)" in response.content.decode()
    assert not Article.objects.exists()


def test_dragging_a_sub_section_above_its_section_is_refused(editor, prefixes):
    # The rows come in their old order; the positions say the sub-section now leads.
    data = add_form_data(
        prefixes,
        sections=[
            section_row("Underlying conditions", level="2", position="2"),
            section_row("Peripheral neuropathy", level="3", position="1"),
        ],
    )
    response = editor.post(ADD_URL, data)
    assert errors_of(response)[f"{prefixes['section']}-1-level"] == ["orphan_subsection"]


def test_a_sub_section_after_a_section_is_saved(editor, prefixes):
    data = add_form_data(
        prefixes,
        sections=[
            section_row("Peripheral neuropathy", level="3", position="2"),
            section_row("Underlying conditions", level="2", position="1"),
        ],
    )
    assert editor.post(ADD_URL, data).status_code == 302
    assert list(Section.objects.values_list("level", flat=True)) == [2, 3]


@pytest.mark.parametrize(
    "markdown",
    [
        "![](/media/markdownx/a.png)",
        "Text ![ ](/media/markdownx/a.png) more.",
        f"![{PLACEHOLDER_ALT}](/media/markdownx/a.png)",
        '<img src="/media/markdownx/a.png">',
        "![][pic]\n\n[pic]: /media/markdownx/a.png",
    ],
)
def test_an_image_in_markdown_needs_alt_text(markdown):
    with pytest.raises(ValidationError) as raised:
        validate_image_alt_texts(markdown)
    assert raised.value.code == "image_alt_text_required"
    assert "/media/markdownx/a.png" in raised.value.messages[0]


def test_an_image_in_markdown_with_alt_text_passes():
    validate_image_alt_texts("![Legs at night](/media/markdownx/a.png) and text.")


def test_the_admin_refuses_a_section_or_intro_image_without_alt_text(editor):
    article = ArticleFactory(slug="iron")
    SectionFactory(article=article, heading="Causes", position=1)
    url = f"/admin/articles/article/{article.pk}/change/"
    response = resubmit(
        editor,
        url,
        intro="![](/media/markdownx/a.png)",
        **{"sections-0-body": f"![{PLACEHOLDER_ALT}](/media/markdownx/b.png)"},
    )
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors["intro"] == ["image_alt_text_required"]
    assert errors["sections-0-body"] == ["image_alt_text_required"]


def write(tmp_path, body: str):
    path = tmp_path / "article.md"
    path.write_text(f"---\ntitle: Iron\nslug: iron\n---\nIntro.\n\n{body}", encoding="utf-8")
    return path


def test_the_importer_names_the_line_of_an_image_without_alt_text(tmp_path, media_root):
    path = write(tmp_path, "## Causes\n\nLow iron.\nSee ![](/media/markdownx/a.png) here.\n")
    with pytest.raises(CommandError, match=r"article\.md:10: image needs alt text"):
        call_command("import_article", str(path))


def test_the_importer_names_the_line_of_a_sub_section_that_comes_first(tmp_path, media_root):
    path = write(tmp_path, "### Neuropathy\n\nText.\n")
    with pytest.raises(CommandError, match=r"article\.md:7: a ### sub-section must follow"):
        call_command("import_article", str(path))
