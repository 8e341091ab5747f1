"""The content model: validation, constraints, derived fields, the public queryset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, Reference, Section
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    ReferenceFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

DOI = "10.1016/j.sleep.2016.01.017"


def error_codes(instance, **kwargs) -> dict[str, list[str | None]]:
    """Run full_clean() on ``instance``; return the error codes by field."""
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean(**kwargs)
    return {field: [e.code for e in errors] for field, errors in excinfo.value.error_dict.items()}


# --- Reference: DOI, URL, emptiness, dates ------------------------------------------------


@pytest.mark.parametrize("doi", ["10.abc/x", "sleep.2016.01.017", "10.1016", "10.1016/with space"])
def test_invalid_doi_is_rejected_with_code(doi):
    reference = ReferenceFactory.build(article=ArticleFactory(), doi=doi)
    assert error_codes(reference) == {"doi": ["invalid_doi"]}


def test_bare_doi_passes_validation():
    reference = ReferenceFactory.build(article=ArticleFactory(), doi=DOI)
    reference.full_clean()
    assert reference.doi == DOI


@pytest.mark.parametrize(
    "written",
    [f"doi:{DOI}", f"DOI: {DOI}", f"https://doi.org/{DOI}", f"http://dx.doi.org/{DOI}"],
)
def test_prefixed_doi_is_normalised_by_full_clean(written):
    reference = ReferenceFactory.build(article=ArticleFactory(), doi=written)
    reference.full_clean()
    assert reference.doi == DOI


@pytest.mark.parametrize("written", [f"doi:{DOI}", f"https://doi.org/{DOI}"])
def test_prefixed_doi_is_stored_bare_on_save(written):
    reference = ReferenceFactory(doi=written)
    reference.refresh_from_db()
    assert reference.doi == DOI


def test_doi_url_points_at_the_resolver():
    assert ReferenceFactory.build(doi=DOI).doi_url == f"https://doi.org/{DOI}"


def test_reference_without_doi_has_no_doi_url():
    assert ReferenceFactory.build(doi="").doi_url == ""


def test_invalid_reference_url_is_rejected():
    reference = ReferenceFactory.build(article=ArticleFactory(), url="not a url")
    assert error_codes(reference) == {"url": ["invalid"]}


def test_javascript_reference_url_is_rejected():
    reference = ReferenceFactory.build(article=ArticleFactory(), url="javascript:alert(1)")
    assert error_codes(reference) == {"url": ["invalid"]}


def test_reference_without_title_or_source_is_rejected():
    reference = ReferenceFactory.build(article=ArticleFactory(), title="", source="")
    assert error_codes(reference) == {NON_FIELD_ERRORS: ["empty_reference"]}


@pytest.mark.parametrize(("title", "source"), [("A title", ""), ("", "A source")])
def test_reference_with_title_or_source_alone_is_valid(title, source):
    reference = ReferenceFactory.build(article=ArticleFactory(), title=title, source=source)
    reference.full_clean()


def test_year_that_disagrees_with_date_is_rejected():
    reference = ReferenceFactory.build(
        article=ArticleFactory(), year=2020, date=dt.date(2021, 11, 16)
    )
    assert error_codes(reference) == {"year": ["year_date"]}


def test_year_that_agrees_with_date_is_valid():
    reference = ReferenceFactory.build(
        article=ArticleFactory(), year=2021, date=dt.date(2021, 11, 16)
    )
    reference.full_clean()


def test_year_is_taken_from_the_date_on_save():
    reference = ReferenceFactory(year=None, date=dt.date(2023, 11, 14))
    assert reference.year == 2023


@pytest.mark.parametrize("year", [999, 10000])
def test_year_outside_four_digits_is_rejected(year):
    reference = ReferenceFactory.build(article=ArticleFactory(), year=year)
    assert list(error_codes(reference)) == ["year"]


# --- Reference: the formatted citation ----------------------------------------------------


def test_citation_with_all_parts_lists_them_in_order():
    reference = ReferenceFactory(
        authors="Silber MH, et al",
        title="The management of restless legs syndrome: An updated algorithm",
        source="Mayo Clinic Proceedings",
        year=2021,
        doi="10.1016/j.mayocp.2020.12.026",
        url="https://example.org/study",
        accessed_on=dt.date(2023, 11, 27),
    )
    assert reference.citation == (
        "Silber MH, et al. The management of restless legs syndrome: An updated algorithm. "
        "Mayo Clinic Proceedings; 2021. doi:10.1016/j.mayocp.2020.12.026. "
        "https://example.org/study. Accessed Nov. 27, 2023."
    )


def test_citation_of_seed_reference_4():
    title = (
        "Guidelines for the first-line treatment of restless legs syndrome/Willis-Ekbom "
        "disease, prevention and treatment of dopaminergic augmentation: A combined task "
        "force of the IRLSSG, EURLSSG, and the RLS-foundation"
    )
    reference = ReferenceFactory(
        authors="Garcia-Borreguero D, et al",
        title=title,
        source="Sleep Medicine",
        year=2016,
        doi=DOI,
        url="",
        accessed_on=None,
    )
    assert reference.citation == (
        f"Garcia-Borreguero D, et al. {title}. Sleep Medicine; 2016. doi:{DOI}."
    )


def test_citation_prints_the_accessed_date_ap_style():
    reference = ReferenceFactory(accessed_on=dt.date(2021, 11, 16))
    assert reference.citation.endswith(" Accessed Nov. 16, 2021.")


def test_citation_prints_the_publication_date_instead_of_the_year():
    reference = ReferenceFactory(
        authors="Ami TR",
        title="Allscripts EPSi",
        source="Mayo Clinic",
        year=None,
        date=dt.date(2023, 11, 14),
        doi="",
        url="",
        accessed_on=None,
    )
    assert reference.citation == "Ami TR. Allscripts EPSi. Mayo Clinic; Nov. 14, 2023."


def test_citation_does_not_double_a_title_question_mark():
    reference = ReferenceFactory(title="What causes RLS?", source="", year=None, doi="", url="")
    assert reference.citation.startswith("Silber MH, et al. What causes RLS? Accessed")


def test_citation_of_prefixed_doi_prints_it_once():
    reference = ReferenceFactory(doi=f"https://doi.org/{DOI}")
    assert f" doi:{DOI}. " in reference.citation


def test_reference_save_with_update_fields_rebuilds_the_citation():
    reference = ReferenceFactory(title="Old title")
    reference.title = "New title"
    reference.save(update_fields=["title"])
    reference.refresh_from_db()
    assert "New title." in reference.citation


def test_citation_is_rebuilt_when_the_reference_changes():
    reference = ReferenceFactory(title="Old title")
    reference.title = "New title"
    reference.save()
    reference.refresh_from_db()
    assert "New title." in reference.citation


# --- Image ------------------------------------------------------------------------------


@pytest.mark.parametrize("alt_text", ["", "   ", "\t\n"])
def test_image_without_alt_text_is_rejected_on_alt_text(alt_text):
    image = ImageFactory.build(article=ArticleFactory(), alt_text=alt_text)
    assert "alt_text" in error_codes(image)


def test_image_alt_text_is_stripped_by_full_clean():
    image = ImageFactory.build(article=ArticleFactory(), alt_text="  A figure.  ")
    image.full_clean()
    assert image.alt_text == "A figure."


def test_empty_alt_text_is_refused_by_the_database():
    with transaction.atomic(), pytest.raises(IntegrityError):
        ImageFactory(alt_text="")


def test_image_after_a_section_of_another_article_is_rejected():
    article = ArticleFactory()
    image = ImageFactory.build(article=article, after_section=SectionFactory())
    assert error_codes(image) == {"after_section": ["foreign_section"]}


def test_image_records_its_dimensions():
    image = ImageFactory()
    assert (image.width, image.height) == (40, 30)


# --- Section ------------------------------------------------------------------------------


def test_two_sections_with_the_same_anchor_fail_constraint_validation():
    article = ArticleFactory()
    SectionFactory(article=article, anchor="same")
    section = SectionFactory.build(article=article, anchor="same")
    with pytest.raises(ValidationError) as excinfo:
        section.validate_constraints()
    assert list(excinfo.value.error_dict) == [NON_FIELD_ERRORS]


def test_two_sections_with_the_same_anchor_fail_full_clean():
    article = ArticleFactory()
    SectionFactory(article=article, anchor="same")
    section = SectionFactory.build(article=article, anchor="same")
    assert list(error_codes(section)) == [NON_FIELD_ERRORS]


def test_two_sections_with_the_same_anchor_are_refused_by_the_database():
    article = ArticleFactory()
    Section.objects.create(article=article, heading="One", anchor="same")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Section.objects.create(article=article, heading="Two", anchor="same")


def test_sections_of_different_articles_may_share_an_anchor():
    SectionFactory(anchor="same")
    section = SectionFactory.build(article=ArticleFactory(), anchor="same")
    section.full_clean()


def test_section_level_outside_2_and_3_is_rejected():
    section = SectionFactory.build(article=ArticleFactory(), level=5)
    assert error_codes(section) == {"level": ["invalid_choice"]}


@pytest.mark.parametrize("level", [1, 4, 5])
def test_section_level_outside_2_and_3_is_refused_by_the_database(level):
    article = ArticleFactory()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Section.objects.create(article=article, heading="Too deep", level=level)


def test_blank_anchor_is_derived_from_the_heading_on_save():
    section = SectionFactory(heading="Iron & Dopamine: What’s Known?", anchor="")
    assert section.anchor == "iron-dopamine-whats-known"


def test_blank_anchor_is_derived_from_the_heading_by_full_clean():
    section = SectionFactory.build(article=ArticleFactory(), heading="Iron deficiency", anchor="")
    section.full_clean()
    assert section.anchor == "iron-deficiency"


def test_derived_anchor_gets_a_suffix_when_taken_in_the_same_article():
    article = ArticleFactory()
    SectionFactory(article=article, heading="Iron")
    section = SectionFactory(article=article, heading="Iron")
    assert section.anchor == "iron-2"


def test_derived_anchor_counts_up_past_each_taken_suffix():
    article = ArticleFactory()
    SectionFactory(article=article, anchor="iron")
    SectionFactory(article=article, anchor="iron-2")
    section = SectionFactory(article=article, heading="Iron")
    assert section.anchor == "iron-3"


def test_derived_anchor_avoids_an_explicit_anchor_of_the_same_article():
    article = ArticleFactory()
    SectionFactory(article=article, heading="Something else", anchor="iron")
    section = SectionFactory.build(article=article, heading="Iron", anchor="")
    section.full_clean()
    assert section.anchor == "iron-2"


def test_derived_anchor_ignores_sections_of_other_articles():
    SectionFactory(heading="Iron")
    section = SectionFactory(article=ArticleFactory(), heading="Iron")
    assert section.anchor == "iron"


def test_resaving_a_section_keeps_its_anchor():
    section = SectionFactory(heading="Iron")
    section.save()
    assert section.anchor == "iron"


def test_heading_without_letters_gets_a_generic_anchor():
    section = SectionFactory(heading="???")
    assert section.anchor == "section"


def test_section_save_with_update_fields_rerenders_body_html():
    section = SectionFactory(body="old")
    section.body = "*new*"
    section.save(update_fields=["body"])
    section.refresh_from_db()
    assert section.body_html == "<p><em>new</em></p>"


# --- Article ------------------------------------------------------------------------------


def test_duplicate_article_slug_is_rejected():
    ArticleFactory(slug="taken")
    article = ArticleFactory.build(slug="taken")
    assert error_codes(article) == {"slug": ["unique"]}


def test_article_slug_with_spaces_is_rejected():
    article = ArticleFactory.build(slug="not a slug")
    assert error_codes(article) == {"slug": ["invalid"]}


def test_article_save_renders_intro_html():
    article = ArticleFactory(intro="An *intro*.")
    article.refresh_from_db()
    assert article.intro_html == "<p>An <em>intro</em>.</p>"


def test_article_save_with_update_fields_rerenders_intro_html():
    article = ArticleFactory(intro="old")
    article.intro = "*new*"
    article.save(update_fields=["intro"])
    article.refresh_from_db()
    assert article.intro_html == "<p><em>new</em></p>"


def test_publishing_without_a_time_sets_it_to_now():
    before = timezone.now()
    article = ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)
    assert before <= article.published_at <= timezone.now()


def test_draft_keeps_an_empty_publication_time():
    article = ArticleFactory(draft=True)
    assert article.published_at is None


def test_public_includes_published_article_with_past_time():
    article = ArticleFactory()
    assert list(Article.objects.public()) == [article]


def test_public_includes_article_published_without_a_time():
    article = ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)
    assert list(Article.objects.public()) == [article]


def test_public_excludes_drafts():
    ArticleFactory(draft=True)
    assert not Article.objects.public().exists()


def test_public_excludes_draft_with_past_publication_time():
    ArticleFactory(status=Article.Status.DRAFT, published_at=timezone.now() - dt.timedelta(days=1))
    assert not Article.objects.public().exists()


def test_public_excludes_scheduled_articles():
    ArticleFactory(scheduled=True)
    assert not Article.objects.public().exists()


def test_scheduled_article_is_public_once_its_time_has_come(time_machine):
    ArticleFactory(scheduled=True)
    time_machine.move_to(timezone.now() + dt.timedelta(hours=2))
    assert Article.objects.public().count() == 1


@pytest.mark.parametrize(
    ("traits", "expected"),
    [({}, True), ({"draft": True}, False), ({"scheduled": True}, False)],
)
def test_is_public_agrees_with_the_public_queryset(traits, expected):
    article = ArticleFactory(**traits)
    assert article.is_public is expected
    assert Article.objects.public().filter(pk=article.pk).exists() is expected


def test_deleting_an_article_deletes_its_parts():
    article = ArticleFactory()
    SectionFactory(article=article)
    ReferenceFactory(article=article)
    article.delete()
    assert (Section.objects.count(), Reference.objects.count()) == (0, 0)


def test_image_file_gets_a_random_name_keeping_its_extension():
    image = ImageFactory(file__filename="nerve-signals.png")
    name = Path(image.file.name)
    assert name.suffix == ".png"
    assert "nerve-signals" not in name.name
    assert len(name.stem) == 32


def test_image_file_with_an_extension_outside_the_image_types_is_rejected():
    image = ImageFactory.build(
        article=ArticleFactory(), file__filename="figure.html", file__format="PNG"
    )
    with pytest.raises(ValidationError) as excinfo:
        image.full_clean()
    assert excinfo.value.error_dict["file"][0].code == "invalid_extension"
