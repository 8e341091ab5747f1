"""The offline schema.org validator (tests/schemaorg.py) catches what it should, passes what
schema.org allows, and never touches the network."""

from __future__ import annotations

import socket

import pytest
from pyld import jsonld

from tests.schemaorg import load_document, validate


def page(**properties) -> dict:
    """A valid MedicalWebPage, with ``properties`` added or replaced."""
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": "Iron and restless legs",
        "datePublished": "2026-05-01T09:30:00+02:00",
        "author": {"@type": "Person", "name": "Dr Jane Doe"},
        **properties,
    }


def work(type_: str, **properties) -> dict:
    return {"@context": "https://schema.org", "@type": type_, **properties}


def test_a_valid_medical_web_page_passes():
    assert validate(page()) == []


def test_an_author_given_as_plain_text_is_reported():
    assert validate(page(author="Dr Jane Doe")) == [
        "author: a Text value where Organization, Person is expected (got 'Dr Jane Doe')"
    ]


def test_a_relative_image_is_reported_an_absolute_one_passes():
    # The context makes "image" an @id: pyld's default base would make the path absolute.
    assert validate(page(image=["/media/x.jpg"])) == [
        "image: a reference to '/media/x.jpg' where ImageObject, URL is expected"
        " (not an absolute URL)"
    ]
    assert validate(page(image=["https://example.org/media/x.jpg"])) == []
    assert validate(page(image={"@type": "ImageObject", "url": "https://e.org/x.jpg"})) == []


def test_an_unknown_property_is_reported():
    assert validate(page(colour="red")) == ["colour: not a schema.org property"]


def test_a_property_of_another_type_is_reported():
    person = work("Person", name="Dr Jane Doe", headline="Sleep doctor")
    assert validate(person) == ["headline: not a property of Person (but of CreativeWork)"]


def test_is_part_of_takes_a_creative_work_or_a_url_not_a_journal_s_name():
    assert validate(work("ScholarlyArticle", name="Restless legs", isPartOf="Sleep")) == [
        "isPartOf: a reference to 'Sleep' where CreativeWork, URL is expected (not an absolute URL)"
    ]
    journal = {"@type": "Periodical", "name": "Sleep"}
    assert validate(work("ScholarlyArticle", name="Restless legs", isPartOf=journal)) == []
    url = "https://www.journals.elsevier.com/sleep-medicine"
    assert validate(work("ScholarlyArticle", name="Restless legs", isPartOf=url)) == []


def test_a_medical_reviewer_passes_on_a_medical_web_page_only():
    reviewer = {"@type": "Person", "name": "Dr Jane Doe", "honorificSuffix": "MD"}
    assert validate(page(reviewedBy=reviewer, lastReviewed="2026-05-01")) == []
    assert validate(work("Article", headline="Iron", reviewedBy=reviewer)) == [
        "reviewedBy: not a property of Article (but of WebPage)"
    ]


def test_an_unknown_type_is_reported():
    assert validate(page(author={"@type": "Doctor", "name": "Dr Jane Doe"})) == [
        "author: unknown type 'Doctor'"
    ]
    assert validate(work("HealthArticle", headline="Iron")) == [
        "document: unknown type 'HealthArticle'"
    ]


def test_dates_are_dates_and_date_times_have_a_time():
    assert validate(page(datePublished="2014")) == []  # a year, as references give it
    assert validate(page(datePublished="1 May 2026")) == [
        "datePublished: a Text value where Date, DateTime is expected (got '1 May 2026')"
    ]
    # lastReviewed is a Date only, though the context tags every value of it "Date" anyway.
    assert validate(page(lastReviewed="2026-05-01T09:30:00Z")) == [
        "lastReviewed: a Text value where Date is expected (got '2026-05-01T09:30:00Z')"
    ]


def test_a_node_reference_fits_a_class_and_must_point_somewhere():
    assert validate(page(author={"@id": "https://example.org/people/jane"})) == []
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "#team", "name": "Editorial team"},
            {"@type": "MedicalWebPage", "headline": "Iron", "author": {"@id": "#team"}},
        ],
    }
    assert validate(graph) == []
    assert validate(page(author={"@id": "#nobody"})) == [
        "author: a reference to '#nobody' where Organization, Person is expected"
        " (not an absolute URL)"
    ]


def test_a_node_without_a_type_is_reported():
    assert validate(page(publisher={"name": "Health press"})) == ["publisher: a node without @type"]


def test_a_document_without_schema_org_s_context_is_reported():
    problems = validate({"@type": "MedicalWebPage", "headline": "Iron"})
    assert problems == [
        "document: a key expanding to 'headline' was dropped",
        "document: unknown type 'MedicalWebPage'",
    ]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test, whatever catches the error."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in these tests")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield
    assert attempts == []


@pytest.mark.usefixtures("no_network")
def test_the_loader_refuses_any_context_but_schema_org_s():
    with pytest.raises(jsonld.JsonLdError, match="refused to load https://example.org/ctx"):
        load_document("https://example.org/ctx", {})
    assert validate({"@context": "https://example.org/ctx", "@type": "Thing"}) == [
        "document: not expandable JSON-LD: refused to load https://example.org/ctx:"
        " only schema.org's context is available, offline"
    ]
    for url in (
        "http://schema.org",
        "https://schema.org/",
        "https://schema.org/docs/jsonldcontext.json",
    ):
        assert load_document(url)["document"]["@context"]["@vocab"] == "http://schema.org/"


@pytest.mark.usefixtures("no_network")
def test_what_structured_data_emits_is_schema_org():
    """The shapes articles.api.serializers.structured_data builds, all in one document."""
    person = {"@type": "Person", "name": "Dr Jane Doe", "honorificSuffix": "MD"}
    team = {"@type": "Organization", "name": "Editorial team", "url": "https://e.org/"}
    logo = {"@type": "ImageObject", "url": "https://e.org/logo.png"}
    doi = {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1016/j.sleep.2014.03.025"}
    document = page(
        description="Why iron matters.",
        inLanguage="en",
        dateModified="2026-05-02T10:00:00Z",
        keywords=["Iron", "Sleep"],
        image=["https://e.org/media/legs.jpg"],
        url="https://e.org/articles/iron/",
        mainEntityOfPage={"@type": "WebPage", "@id": "https://e.org/articles/iron/"},
        author=team,
        publisher={**team, "logo": logo},
        lastReviewed="2026-05-01",
        reviewedBy=person,
        citation=[
            {
                "@type": "ScholarlyArticle",
                "name": "Restless legs",
                "author": [{"@type": "Person", "name": "Allen RP"}],
                "isPartOf": {"@type": "Periodical", "name": "Sleep"},
                "datePublished": "2014",
                "identifier": doi,
                "sameAs": "https://doi.org/10.1016/j.sleep.2014.03.025",
            },
            {
                "@type": "CreativeWork",
                "name": "Iron guidance",
                "publisher": {"@type": "Organization", "name": "NHS"},
                "datePublished": "2020-01-31",
                "url": "https://www.nhs.uk/iron",
            },
        ],
    )
    assert validate(document) == []
