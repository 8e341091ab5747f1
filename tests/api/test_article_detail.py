"""The article detail endpoint, shown on the demo article against its seed.

The expected values below are copied from the seed the demo article comes from
(shared/seeds/000_b0c45ec849f03d5f.txt): they are the acceptance criteria, so
they are written out here rather than derived from the importer under test.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.validators import URLValidator

from tests.api.contract import ARTICLE_KEYS, IMAGE_KEYS, REFERENCE_KEYS, SECTION_KEYS
from tests.conftest import DEMO_SLUG
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    ReferenceFactory,
    SectionFactory,
    TagFactory,
)
from tests.seed import SEED_HEADINGS, SEED_IMAGES, SEED_TITLE

pytestmark = pytest.mark.django_db

DEMO_URL = f"/api/v1/articles/{DEMO_SLUG}/"

SEED_DOIS = {
    4: "10.1016/j.sleep.2016.01.017",
    5: "10.1212/WNL.0000000000003388",
    6: "10.1016/j.mayocp.2017.11.007",
    7: "10.1016/S1474-4422(18)30311-9",
    11: "10.1016/j.smrv.2017.06.003",
    13: "10.1007/s11910-019-0965-4",
    14: "10.1016/j.mayocp.2020.12.026",
}

SEED_URLS = {
    1: (
        "https://www.ninds.nih.gov/Disorders/Patient-Caregiver-Education/Fact-Sheets/"
        "Restless-Legs-Syndrome-Fact-Sheet",
        "2021-11-16",
    ),
    2: ("https://www.uptodate.com/contents/search", "2021-11-16"),
    3: ("https://www.uptodate.com/contents/search", "2021-11-16"),
    8: ("https://www.clinicalkey.com", "2023-11-27"),
    12: ("https://sleepeducation.org/sleep-center/", "2023-11-27"),
}

SEED_REFERENCE_COUNT = 15

SEED_INTRO = (
    "Restless legs syndrome (RLS), also known as Willis-Ekbom disease, is characterized "
    "by an irresistible urge to move the legs, often accompanied by uncomfortable "
    "sensations. This urge typically intensifies during periods of rest, especially in "
    "the evening or at night, making relaxation and sleep incredibly challenging. While "
    "the exact mechanisms of RLS are still being investigated, significant progress has "
    "been made in understanding the potential causes of restless legs. This article "
    "delves into the current understanding of what triggers this condition, exploring "
    "various factors from brain chemistry imbalances to underlying health issues."
)

# The seed's paragraphs, by section heading.
SEED_PARAGRAPHS = {
    "The Role of Dopamine: A Key Suspect": [
        (
            "One of the primary theories regarding What Causes Restless Legs points to an"
            " imbalance of dopamine in the brain. Dopamine is a neurotransmitter crucial "
            "for a wide range of functions, including muscle movement and pleasure "
            "sensation. It acts as a chemical messenger, transmitting signals between "
            "nerve cells."
        ),
        (
            "Researchers believe that disruptions in the dopamine pathways in the brain "
            "may be a central factor in RLS. Dopamine is known to be involved in "
            "controlling muscle activity, and an imbalance could lead to the involuntary "
            "movements and sensations characteristic of RLS. Medications that affect "
            "dopamine levels in the brain are often effective in managing RLS symptoms, "
            "further supporting this theory."
        ),
    ],
    "Genetic Predisposition: Is RLS Hereditary?": [
        (
            "For many individuals, especially those who experience the onset of RLS "
            "before the age of 40, heredity appears to play a significant role in what "
            "causes restless legs. Studies have shown that RLS often runs in families, "
            "suggesting a genetic component."
        ),
        (
            "Scientists have identified specific locations on chromosomes that may harbor"
            " genes associated with RLS. While the exact genes responsible are still "
            "being investigated, the familial link is strong. If you have a family "
            "history of RLS, you are more likely to develop the condition yourself. "
            "Understanding this genetic predisposition can be crucial for early diagnosis"
            " and management, particularly within families with a known history of RLS."
        ),
    ],
    "Pregnancy and Hormonal Changes: A Temporary Trigger": [
        (
            "Pregnancy is another factor that can contribute to what causes restless "
            "legs, or at least exacerbate its symptoms. Hormonal fluctuations during "
            "pregnancy, particularly in the later trimesters, are thought to play a role."
            " Many women experience RLS for the first time during pregnancy, often "
            "reporting a worsening of symptoms as their pregnancy progresses."
        ),
        (
            "While the precise mechanism is not fully understood, it’s believed that "
            "hormonal changes, along with potential vitamin or mineral deficiencies "
            "common in pregnancy, can contribute to RLS symptoms. Fortunately, in most "
            "cases, pregnancy-related RLS is temporary, and symptoms typically subside "
            "after childbirth as hormone levels return to normal and nutritional balance "
            "is restored."
        ),
    ],
    "Underlying Health Conditions: Risk Factors for RLS": [
        (
            "In some instances, restless legs syndrome is not an isolated condition but "
            "rather linked to or exacerbated by other underlying health issues. These "
            "conditions are considered significant risk factors that can shed light on "
            "what causes restless legs in certain individuals."
        ),
    ],
    "Peripheral Neuropathy": [
        (
            "Peripheral neuropathy, a condition involving damage to the nerves in the "
            "hands and feet, is one such risk factor. This nerve damage can result from "
            "chronic diseases like diabetes and alcohol use disorder. When nerves are "
            "damaged, they may misfire or send incorrect signals, potentially "
            "contributing to the uncomfortable sensations and urge to move associated "
            "with RLS."
        ),
    ],
    "Iron Deficiency": [
        (
            "Iron deficiency, or having too little iron in the body, is another "
            "well-established risk factor for RLS. Iron is essential for the production "
            "of dopamine and other neurotransmitters. Low iron levels can disrupt these "
            "processes, potentially leading to RLS symptoms. Individuals with a history "
            "of bleeding, heavy menstrual periods, or frequent blood donation are at "
            "higher risk of iron deficiency and, consequently, RLS."
        ),
    ],
    "Kidney Failure": [
        (
            "Kidney failure can also contribute to RLS. When kidneys are not functioning "
            "properly, it can lead to imbalances in electrolytes and iron deficiency, "
            "often accompanied by anemia. These physiological changes can disrupt nerve "
            "function and increase the likelihood or severity of RLS symptoms."
        ),
    ],
    "Spinal Cord Conditions": [
        (
            "Damage or injury to the spinal cord has been linked to an increased risk of "
            "developing RLS. Spinal cord issues can disrupt the nerve pathways that "
            "control movement and sensation in the legs, potentially triggering RLS. Even"
            " procedures involving spinal anesthesia, such as spinal blocks, have been "
            "associated with a higher risk of RLS."
        ),
    ],
    "Parkinson’s Disease and Related Medications": [
        (
            "Parkinson’s disease itself and certain medications used to treat it, "
            "particularly dopaminergic agonists, can paradoxically increase the risk of "
            "RLS. While dopamine is implicated in both conditions, the complex interplay "
            "of dopamine pathways and medication effects can sometimes trigger or worsen "
            "RLS in individuals with Parkinson’s disease."
        ),
    ],
    "Seeking Medical Advice": [
        (
            "If you are experiencing symptoms of restless legs syndrome, it is essential "
            "to consult with a healthcare professional. While this article provides "
            "insights into what causes restless legs, a proper diagnosis is crucial to "
            "determine the underlying cause and receive appropriate management "
            "strategies. RLS can significantly impact sleep and overall quality of life, "
            "but effective treatments are available. Talking to your doctor is the first "
            "step towards finding relief and managing your symptoms."
        ),
    ],
    "Conclusion: Unraveling the Causes of RLS": [
        (
            "While the precise causes of restless legs syndrome are not completely "
            "understood, research has identified several key contributing factors. "
            "Dopamine imbalance in the brain, genetic predisposition, hormonal changes "
            "during pregnancy, and underlying health conditions like peripheral "
            "neuropathy, iron deficiency, kidney failure, spinal cord issues, and "
            "Parkinson’s disease all play a role. By understanding these potential "
            "causes, individuals and healthcare providers can work together to "
            "effectively diagnose and manage RLS, improving sleep and overall well-being."
        ),
    ],
}


@pytest.fixture
def demo(api_client, demo_article):
    """The demo article's detail document, as the API serves it."""
    response = api_client.get(DEMO_URL)
    assert response.status_code == 200
    return response.json()


def detail(api_client, article):
    response = api_client.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 200
    return response.json()


def section_named(data: dict, heading: str) -> dict:
    return next(section for section in data["sections"] if section["heading"] == heading)


def reference_numbered(data: dict, number: int) -> dict:
    return next(ref for ref in data["references"] if ref["number"] == number)


def as_html_paragraph(text: str) -> str:
    # Only &, < and > need escaping in text; the typographic apostrophe stays as it is.
    return f"<p>{html.escape(text, quote=False)}</p>"


# The document and its items: the contract's names.


def test_detail_has_every_contract_key(demo):
    assert ARTICLE_KEYS - demo.keys() == set()


def test_every_section_item_has_the_contract_keys(demo):
    assert demo["sections"]
    assert [SECTION_KEYS - s.keys() for s in demo["sections"]] == [set()] * len(demo["sections"])


def test_every_image_item_has_the_contract_keys(demo):
    assert demo["images"]
    assert [IMAGE_KEYS - i.keys() for i in demo["images"]] == [set()] * len(demo["images"])


def test_every_reference_item_has_the_contract_keys(demo):
    assert demo["references"]
    assert [REFERENCE_KEYS - r.keys() for r in demo["references"]] == [set()] * len(
        demo["references"]
    )


def test_every_toc_entry_has_anchor_heading_and_level(demo):
    assert all(entry.keys() >= {"anchor", "heading", "level"} for entry in demo["toc"])


def test_detail_is_served_as_json(api_client, demo_article):
    response = api_client.get(DEMO_URL)
    assert response["Content-Type"].startswith("application/json")


# The demo article against its seed.


def test_demo_title_is_the_seed_title(demo):
    assert demo["title"] == SEED_TITLE


def test_demo_slug_is_the_requested_slug(demo):
    assert demo["slug"] == DEMO_SLUG


def test_sections_are_the_seed_headings_in_order_with_their_levels(demo):
    assert [(s["level"], s["heading"]) for s in demo["sections"]] == SEED_HEADINGS


def test_references_heading_is_not_served_as_a_section(demo):
    assert all(not s["heading"].lower().startswith("references") for s in demo["sections"])


def test_section_anchors_are_unique(demo):
    anchors = [section["anchor"] for section in demo["sections"]]
    assert all(anchors)
    assert len(set(anchors)) == len(anchors)


def test_toc_lists_every_section_with_its_anchor_heading_and_level(demo):
    expected = [
        {"anchor": s["anchor"], "heading": s["heading"], "level": s["level"]}
        for s in demo["sections"]
    ]
    assert [{k: e[k] for k in ("anchor", "heading", "level")} for e in demo["toc"]] == expected


def test_toc_has_the_seed_headings_in_order(demo):
    assert [(e["level"], e["heading"]) for e in demo["toc"]] == SEED_HEADINGS


def test_intro_html_contains_the_seed_first_paragraph(demo):
    assert as_html_paragraph(SEED_INTRO) in demo["intro_html"]


@pytest.mark.parametrize("heading", list(SEED_PARAGRAPHS))
def test_every_seed_paragraph_of_a_section_is_in_its_body_html(demo, heading):
    body_html = section_named(demo, heading)["body_html"]
    for paragraph in SEED_PARAGRAPHS[heading]:
        assert as_html_paragraph(paragraph) in body_html


@pytest.mark.parametrize("heading", list(SEED_PARAGRAPHS))
def test_section_body_html_has_exactly_the_seed_paragraphs(demo, heading):
    # No image line, credit line or neighbouring paragraph leaks into a section.
    body_html = section_named(demo, heading)["body_html"]
    assert body_html.count("<p>") == len(SEED_PARAGRAPHS[heading])


def test_typographic_apostrophe_is_served_unescaped(demo):
    body_html = section_named(demo, "Parkinson’s Disease and Related Medications")["body_html"]
    assert "Parkinson’s disease itself" in body_html
    assert "&rsquo;" not in body_html
    assert "&#8217;" not in body_html


def test_body_markdown_is_the_section_source_text(demo):
    section = section_named(demo, "Kidney Failure")
    assert section["body_markdown"] == SEED_PARAGRAPHS["Kidney Failure"][0]


# Images.


def test_demo_has_the_two_seed_images_with_their_alt_text_in_order(demo):
    assert [image["alt_text"] for image in demo["images"]] == [alt for alt, _ in SEED_IMAGES]


@pytest.mark.parametrize("index", range(len(SEED_IMAGES)))
def test_image_follows_the_section_the_seed_puts_it_after(demo, index):
    _, heading = SEED_IMAGES[index]
    assert demo["images"][index]["after_section"] == section_named(demo, heading)["anchor"]


def test_first_image_follows_the_dopamine_section(demo):
    dopamine = section_named(demo, "The Role of Dopamine: A Key Suspect")
    assert demo["images"][0]["after_section"] == dopamine["anchor"]


def test_second_image_follows_the_peripheral_neuropathy_section(demo):
    neuropathy = section_named(demo, "Peripheral Neuropathy")
    assert demo["images"][1]["after_section"] == neuropathy["anchor"]


def test_image_urls_are_media_paths_by_default(demo, settings):
    for image in demo["images"]:
        assert image["url"].startswith(settings.MEDIA_URL)


def test_image_urls_are_absolute_under_the_configured_base_url(api_client, demo_article, settings):
    settings.RLS_ARTICLES = {"BASE_URL": "https://cms.example.org"}
    images = api_client.get(f"/api/v1/articles/{DEMO_SLUG}/").json()["images"]
    for image in images:
        parts = urlsplit(image["url"])
        assert (parts.scheme, parts.netloc) == ("https", "cms.example.org")
        assert parts.path.startswith(settings.MEDIA_URL)


def test_image_dimensions_are_positive(demo):
    for image in demo["images"]:
        assert image["width"] > 0
        assert image["height"] > 0


def test_image_url_points_to_the_stored_file_of_the_served_size(demo, settings):
    from PIL import Image as PILImage

    for image in demo["images"]:
        name = unquote(urlsplit(image["url"]).path).removeprefix(settings.MEDIA_URL)
        stored = Path(settings.MEDIA_ROOT) / name
        assert stored.is_file()
        with PILImage.open(stored) as picture:
            assert picture.size == (image["width"], image["height"])


# References.


def test_demo_has_the_seed_references_numbered_from_one(demo):
    assert [ref["number"] for ref in demo["references"]] == list(range(1, SEED_REFERENCE_COUNT + 1))


@pytest.mark.parametrize("number", sorted(SEED_DOIS))
def test_reference_carries_the_seed_doi(demo, number):
    assert reference_numbered(demo, number)["doi"] == SEED_DOIS[number]


@pytest.mark.parametrize("number", sorted(SEED_DOIS))
def test_reference_doi_url_is_the_doi_org_resolver_url(demo, number):
    assert reference_numbered(demo, number)["doi_url"] == "https://doi.org/" + SEED_DOIS[number]


@pytest.mark.parametrize("number", sorted(SEED_DOIS))
def test_reference_doi_url_is_a_valid_url(demo, number):
    doi_url = reference_numbered(demo, number)["doi_url"]
    URLValidator(schemes=["https"])(doi_url)


def test_doi_with_parentheses_keeps_them_in_its_url_path(demo):
    parts = urlsplit(reference_numbered(demo, 7)["doi_url"])
    assert (parts.scheme, parts.netloc) == ("https", "doi.org")
    assert parts.path == "/10.1016/S1474-4422(18)30311-9"
    assert not parts.query
    assert not parts.fragment


@pytest.mark.parametrize("number", sorted(SEED_URLS))
def test_reference_carries_the_seed_url(demo, number):
    assert reference_numbered(demo, number)["url"] == SEED_URLS[number][0]


@pytest.mark.parametrize("number", sorted(SEED_URLS))
def test_reference_accessed_on_is_the_seed_date_in_iso_form(demo, number):
    assert reference_numbered(demo, number)["accessed_on"] == SEED_URLS[number][1]


@pytest.mark.parametrize(
    "number", [n for n in range(1, SEED_REFERENCE_COUNT + 1) if n not in SEED_DOIS]
)
def test_reference_without_doi_has_empty_doi_and_doi_url(demo, number):
    ref = reference_numbered(demo, number)
    assert ref["doi"] == ""
    assert ref["doi_url"] == ""


def test_every_reference_has_a_citation(demo):
    assert all(ref["citation"].strip() for ref in demo["references"])


@pytest.mark.parametrize("number", sorted(SEED_DOIS))
def test_citation_of_a_reference_with_doi_names_the_doi(demo, number):
    assert f"doi:{SEED_DOIS[number]}" in reference_numbered(demo, number)["citation"]


def test_references_without_url_have_no_accessed_date(demo):
    for ref in demo["references"]:
        if ref["number"] not in SEED_URLS:
            assert ref["accessed_on"] is None


def test_published_at_is_an_aware_iso_datetime_of_the_article(demo, demo_article):
    published_at = dt.datetime.fromisoformat(demo["published_at"])
    assert published_at == demo_article.published_at


# Detail behaviour beyond the demo article, on factory-made articles.


def test_reference_numbers_follow_position_not_creation_order(api_client):
    article = ArticleFactory()
    for position, title in [(2, "third"), (0, "first"), (1, "second")]:
        ReferenceFactory(article=article, position=position, title=title)
    refs = detail(api_client, article)["references"]
    assert [(ref["number"], ref["title"]) for ref in refs] == [
        (1, "first"),
        (2, "second"),
        (3, "third"),
    ]


def test_reference_numbers_start_at_one_in_every_article(api_client):
    other = ArticleFactory()
    ReferenceFactory.create_batch(3, article=other)
    article = ArticleFactory()
    ReferenceFactory.create_batch(2, article=article)
    refs = detail(api_client, article)["references"]
    assert [ref["number"] for ref in refs] == [1, 2]


def test_sections_follow_position_not_creation_order(api_client):
    article = ArticleFactory()
    SectionFactory(article=article, position=1, heading="Later")
    SectionFactory(article=article, position=0, heading="Earlier")
    sections = detail(api_client, article)["sections"]
    assert [s["heading"] for s in sections] == ["Earlier", "Later"]


def test_image_placed_after_the_intro_has_null_after_section(api_client):
    article = ArticleFactory()
    ImageFactory(article=article, after_section=None)
    assert detail(api_client, article)["images"][0]["after_section"] is None


def test_image_width_and_height_are_those_of_the_file(api_client):
    article = ArticleFactory()
    ImageFactory(article=article, file__width=64, file__height=48)
    image = detail(api_client, article)["images"][0]
    assert (image["width"], image["height"]) == (64, 48)


def test_section_body_html_is_rendered_from_its_markdown(api_client):
    article = ArticleFactory()
    SectionFactory(article=article, body="Some **section** text.")
    section = detail(api_client, article)["sections"][0]
    assert section["body_markdown"] == "Some **section** text."
    assert "<strong>section</strong>" in section["body_html"]


def test_section_body_html_drops_script_tags(api_client):
    article = ArticleFactory()
    SectionFactory(article=article, body='Text.\n\n<script>alert("x")</script>')
    assert "<script" not in detail(api_client, article)["sections"][0]["body_html"]


def test_detail_tags_have_name_and_slug(api_client):
    tag = TagFactory(name="Sleep", slug="sleep")
    article = ArticleFactory(tags=[tag])
    assert detail(api_client, article)["tags"] == [{"name": "Sleep", "slug": "sleep"}]


def test_reference_without_doi_has_empty_doi_url(api_client):
    article = ArticleFactory()
    ReferenceFactory(article=article, doi="")
    ref = detail(api_client, article)["references"][0]
    assert (ref["doi"], ref["doi_url"]) == ("", "")


def test_reference_doi_given_as_resolver_url_is_served_bare(api_client):
    article = ArticleFactory()
    ReferenceFactory(article=article, doi="https://doi.org/10.1016/j.sleep.2016.01.017")
    ref = detail(api_client, article)["references"][0]
    assert ref["doi"] == "10.1016/j.sleep.2016.01.017"
    assert ref["doi_url"] == "https://doi.org/10.1016/j.sleep.2016.01.017"


def test_doi_url_of_a_doi_with_url_unsafe_characters_is_a_valid_url(api_client):
    article = ArticleFactory()
    ReferenceFactory(article=article, doi="10.1002/(SICI)1097-4571<3::AID>1.0.CO;2-#")
    doi_url = detail(api_client, article)["references"][0]["doi_url"]
    URLValidator(schemes=["https"])(doi_url)
    assert not urlsplit(doi_url).fragment
