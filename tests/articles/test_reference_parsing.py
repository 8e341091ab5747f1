"""articles.article_file.parse_reference: one citation line split into its parts."""

from __future__ import annotations

import datetime as dt

import pytest

from articles.article_file import ArticleFileError, parse_reference

NOV_16_2021 = dt.date(2021, 11, 16)
NOV_27_2023 = dt.date(2023, 11, 27)

# The 15 references of articles/demo/what-causes-restless-legs-syndrome.md, verbatim,
# with the parts each must be split into.
SEED_REFERENCES = [
    (
        "Restless legs syndrome fact sheet. National Institute of Neurological Disorders and "
        "Stroke. https://www.ninds.nih.gov/Disorders/Patient-Caregiver-Education/Fact-Sheets/"
        "Restless-Legs-Syndrome-Fact-Sheet. Accessed Nov. 16, 2021.",
        {
            "authors": "",
            "title": "Restless legs syndrome fact sheet",
            "source": "National Institute of Neurological Disorders and Stroke",
            "year": None,
            "date": None,
            "doi": "",
            "url": "https://www.ninds.nih.gov/Disorders/Patient-Caregiver-Education/Fact-Sheets/"
            "Restless-Legs-Syndrome-Fact-Sheet",
            "accessed_on": NOV_16_2021,
        },
    ),
    (
        "Ondo WG. Clinical features and diagnosis of restless legs syndrome and periodic limb "
        "movement disorder in adults. https://www.uptodate.com/contents/search. "
        "Accessed Nov. 16, 2021.",
        {
            "authors": "Ondo WG",
            "title": "Clinical features and diagnosis of restless legs syndrome and periodic "
            "limb movement disorder in adults",
            "source": "",
            "year": None,
            "date": None,
            "doi": "",
            "url": "https://www.uptodate.com/contents/search",
            "accessed_on": NOV_16_2021,
        },
    ),
    (
        "Silber MH. Management of restless legs syndrome and periodic limb movement disorder "
        "in adults. https://www.uptodate.com/contents/search. Accessed Nov. 16, 2021.",
        {
            "authors": "Silber MH",
            "title": "Management of restless legs syndrome and periodic limb movement disorder "
            "in adults",
            "source": "",
            "year": None,
            "date": None,
            "doi": "",
            "url": "https://www.uptodate.com/contents/search",
            "accessed_on": NOV_16_2021,
        },
    ),
    (
        "Garcia-Borreguero D, et al. Guidelines for the first-line treatment of restless legs "
        "syndrome/Willis-Ekbom disease, prevention and treatment of dopaminergic augmentation: "
        "A combined task force of the IRLSSG, EURLSSG, and the RLS-foundation. Sleep Medicine. "
        "2016; doi:10.1016/j.sleep.2016.01.017.",
        {
            "authors": "Garcia-Borreguero D, et al",
            "title": "Guidelines for the first-line treatment of restless legs syndrome/"
            "Willis-Ekbom disease, prevention and treatment of dopaminergic augmentation: "
            "A combined task force of the IRLSSG, EURLSSG, and the RLS-foundation",
            "source": "Sleep Medicine",
            "year": 2016,
            "date": None,
            "doi": "10.1016/j.sleep.2016.01.017",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        "Winkelman JW, et al. Practice guideline summary: Treatment of restless legs syndrome "
        "in adults — Report of the guideline development, dissemination and implementation "
        "subcommittee of the American Academy of Neurology. Neurology. 2016; "
        "doi:10.1212/WNL.0000000000003388.",
        {
            "authors": "Winkelman JW, et al",
            "title": "Practice guideline summary: Treatment of restless legs syndrome in adults "
            "— Report of the guideline development, dissemination and implementation "
            "subcommittee of the American Academy of Neurology",
            "source": "Neurology",
            "year": 2016,
            "date": None,
            "doi": "10.1212/WNL.0000000000003388",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        "Silber MH, et al. The appropriate use of opioids in the treatment of refractory "
        "restless legs syndrome. Mayo Clinic Proceedings. 2018; doi:10.1016/j.mayocp.2017.11.007.",
        {
            "authors": "Silber MH, et al",
            "title": "The appropriate use of opioids in the treatment of refractory restless "
            "legs syndrome",
            "source": "Mayo Clinic Proceedings",
            "year": 2018,
            "date": None,
            "doi": "10.1016/j.mayocp.2017.11.007",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        "Trenkwalder, et al. Comorbidities, treatment and pathophysiology in restless legs "
        "syndrome. The Lancet Neurology. 2018; doi:10.1016/S1474-4422(18)30311-9.",
        {
            "authors": "Trenkwalder, et al",
            "title": "Comorbidities, treatment and pathophysiology in restless legs syndrome",
            "source": "The Lancet Neurology",
            "year": 2018,
            "date": None,
            "doi": "10.1016/S1474-4422(18)30311-9",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        "Ferri FF. Restless legs syndrome. In: Ferri’s Clinical Advisor 2024. Elsevier; 2024. "
        "https://www.clinicalkey.com. Accessed Nov. 27, 2023.",
        {
            "authors": "Ferri FF",
            "title": "Restless legs syndrome",
            "source": "In: Ferri’s Clinical Advisor 2024. Elsevier",
            "year": 2024,
            "date": None,
            "doi": "",
            "url": "https://www.clinicalkey.com",
            "accessed_on": NOV_27_2023,
        },
    ),
    (
        "Ami TR. Allscripts EPSi. Mayo Clinic. Nov. 14, 2023.",
        {
            "authors": "Ami TR",
            "title": "Allscripts EPSi",
            "source": "Mayo Clinic",
            "year": 2023,
            "date": dt.date(2023, 11, 14),
            "doi": "",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        "AskMayoExpert. Restless legs syndrome (RLS). Mayo Clinic; 2020.",
        {
            "authors": "AskMayoExpert",
            "title": "Restless legs syndrome (RLS)",
            "source": "Mayo Clinic",
            "year": 2020,
            "date": None,
            "doi": "",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        "Xu XM, et al. Complementary and alternative therapies for restless legs syndrome: An "
        "evidence-based systematic review. Sleep Medicine Reviews. 2018; "
        "doi:10.1016/j.smrv.2017.06.003.",
        {
            "authors": "Xu XM, et al",
            "title": "Complementary and alternative therapies for restless legs syndrome: An "
            "evidence-based systematic review",
            "source": "Sleep Medicine Reviews",
            "year": 2018,
            "date": None,
            "doi": "10.1016/j.smrv.2017.06.003",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        "Find a sleep facility near you. American Academy of Sleep Medicine. "
        "https://sleepeducation.org/sleep-center/. Accessed Nov. 27, 2023.",
        {
            "authors": "",
            "title": "Find a sleep facility near you",
            "source": "American Academy of Sleep Medicine",
            "year": None,
            "date": None,
            "doi": "",
            "url": "https://sleepeducation.org/sleep-center/",
            "accessed_on": NOV_27_2023,
        },
    ),
    (
        "Gonzalez-Latapi P, et al. Update on restless legs syndrome: From mechanisms to "
        "treatment. Current Neurology and Neuroscience Reports. 2019; "
        "doi:10.1007/s11910-019-0965-4.",
        {
            "authors": "Gonzalez-Latapi P, et al",
            "title": "Update on restless legs syndrome: From mechanisms to treatment",
            "source": "Current Neurology and Neuroscience Reports",
            "year": 2019,
            "date": None,
            "doi": "10.1007/s11910-019-0965-4",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        "Silber MH, et al. The management of restless legs syndrome: An updated algorithm. "
        "Mayo Clinic Proceedings. 2021; doi:10.1016/j.mayocp.2020.12.026.",
        {
            "authors": "Silber MH, et al",
            "title": "The management of restless legs syndrome: An updated algorithm",
            "source": "Mayo Clinic Proceedings",
            "year": 2021,
            "date": None,
            "doi": "10.1016/j.mayocp.2020.12.026",
            "url": "",
            "accessed_on": None,
        },
    ),
    (
        # Names and only one other part: that part is the title (docs/article-format.md).
        "Olson EJ (expert opinion). Mayo Clinic. Nov. 28, 2023.",
        {
            "authors": "Olson EJ (expert opinion)",
            "title": "Mayo Clinic",
            "source": "",
            "year": 2023,
            "date": dt.date(2023, 11, 28),
            "doi": "",
            "url": "",
            "accessed_on": None,
        },
    ),
]


def parts(reference) -> dict:
    return {
        name: getattr(reference, name)
        for name in ("authors", "title", "source", "year", "date", "doi", "url", "accessed_on")
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    SEED_REFERENCES,
    ids=[f"seed-{n}" for n in range(1, len(SEED_REFERENCES) + 1)],
)
def test_seed_reference_is_split_into_its_parts(text, expected):
    assert parts(parse_reference(text, line=1)) == expected


def test_the_seed_list_matches_the_demo_file():
    from articles.management.commands.load_demo import DEMO_ARTICLE

    lines = DEMO_ARTICLE.read_text(encoding="utf-8").split("## References", 1)[1].splitlines()
    items = [line.split(". ", 1)[1] for line in lines if line.strip()]
    assert items == [text for text, _ in SEED_REFERENCES]


def test_parsed_reference_keeps_its_line_number():
    assert parse_reference("A title. A source.", line=42).line == 42


@pytest.mark.parametrize(
    "written",
    ["Nov. 16, 2021", "November 16, 2021", "Nov 16, 2021", "2021-11-16"],
)
def test_accessed_date_is_read_in_each_format(written):
    reference = parse_reference(f"A title. A source. Accessed {written}.", line=1)
    assert reference.accessed_on == NOV_16_2021


def test_accessed_date_with_sept_abbreviation_is_read():
    reference = parse_reference("A title. A source. Accessed Sept. 3, 2020.", line=1)
    assert reference.accessed_on == dt.date(2020, 9, 3)


def test_accessed_date_leaves_title_and_source_intact():
    reference = parse_reference("A title. A source. Accessed November 16, 2021.", line=1)
    assert (reference.title, reference.source) == ("A title", "A source")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Nov. 16, 2021", NOV_16_2021),
        ("November 16, 2021", NOV_16_2021),
        ("Sept. 3, 2020", dt.date(2020, 9, 3)),
        ("May 3, 2020", dt.date(2020, 5, 3)),
    ],
)
def test_trailing_publication_date_sets_date_and_year(written, expected):
    reference = parse_reference(f"Ami TR. Allscripts EPSi. Mayo Clinic. {written}.", line=1)
    assert (reference.date, reference.year, reference.source) == (
        expected,
        expected.year,
        "Mayo Clinic",
    )


def test_trailing_year_alone_sets_year_without_date():
    reference = parse_reference("A title. A source; 2020.", line=1)
    assert (reference.year, reference.date) == (2020, None)


def test_doi_prefix_is_case_insensitive():
    reference = parse_reference("A title. A source. 2016; DOI:10.1016/j.sleep.2016.01.017.", 1)
    assert reference.doi == "10.1016/j.sleep.2016.01.017"


def test_url_loses_the_sentence_full_stop():
    reference = parse_reference("A title. A source. https://example.org/page.", line=1)
    assert reference.url == "https://example.org/page"


def test_single_part_is_the_title():
    reference = parse_reference("Restless legs syndrome fact sheet.", line=1)
    assert (reference.authors, reference.title, reference.source) == (
        "",
        "Restless legs syndrome fact sheet",
        "",
    )


def test_part_that_does_not_read_as_names_is_not_authors():
    reference = parse_reference(
        "Restless legs and the brain. National Institute of Neurological Disorders.", line=1
    )
    assert (reference.authors, reference.title) == ("", "Restless legs and the brain")


def test_unreadable_accessed_date_raises_naming_the_line():
    with pytest.raises(ArticleFileError) as excinfo:
        parse_reference("A title. A source. Accessed someday.", line=27)
    assert excinfo.value.line == 27


def test_unreadable_accessed_date_message_says_which_date():
    with pytest.raises(ArticleFileError) as excinfo:
        parse_reference("A title. A source. Accessed someday.", line=27)
    assert str(excinfo.value).startswith("line 27: accessed date")


def test_impossible_publication_date_raises_naming_the_line():
    with pytest.raises(ArticleFileError) as excinfo:
        parse_reference("Ami TR. Allscripts EPSi. Mayo Clinic. Feb. 30, 2023.", line=9)
    assert excinfo.value.line == 9
