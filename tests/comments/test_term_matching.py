"""Finding listed terms: text folded before matching, offsets mapped back, the list kept current."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache

from comments.matching import TermMatcher, normalise
from comments.models import Comment, DisallowedTerm
from tests.factories import ArticleFactory, DisallowedTermFactory

_addresses = itertools.count(1)

ZERO_WIDTH_VIAGRA = "v\u200biagra"
CYRILLIC_VIAGRA = "v\u0456agra"  # a Cyrillic і
FULL_WIDTH_VIAGRA = "\uff36\uff29\uff21\uff27\uff32\uff21"  # ＶＩＡＧＲＡ


@pytest.fixture(autouse=True)
def fresh_throttle_and_settings(settings):
    """No throttle history between tests; the app's defaults, whatever the environment says."""
    cache.clear()
    settings.RLS_COMMENTS = {}
    yield
    cache.clear()


def next_ip() -> str:
    """A client address no other request of the test run uses."""
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def post_comment(client, article, **fields):
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "body": f"A thoughtful remark number {next(_addresses)}.",
        **fields,
    }
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/", data, format="json", REMOTE_ADDR=next_ip()
    )


def status_of(response) -> str:
    assert response.status_code == 201
    return Comment.objects.get(pk=response.json()["id"]).status


def found(matcher: TermMatcher, text: str) -> list[tuple[str, int, int]]:
    return [(match.payload, match.start, match.end) for match in matcher.find(normalise(text))]


# normalise: what a disguise folds to.


def test_normalise_drops_a_zero_width_space():
    assert normalise(ZERO_WIDTH_VIAGRA).text == "viagra"


def test_normalise_folds_a_cyrillic_look_alike_to_its_latin_letter():
    assert normalise(CYRILLIC_VIAGRA).text == "viagra"


def test_normalise_folds_full_width_letters():
    assert normalise(FULL_WIDTH_VIAGRA).text == "viagra"


def test_normalise_drops_accents():
    assert normalise("vïágrà").text == "viagra"


def test_normalise_folds_case():
    assert normalise("ViAgRa").text == "viagra"


def test_normalise_makes_a_dash_one_space():
    assert normalise("self-harm").text == "self harm"


def test_normalise_makes_a_run_of_spaces_one_space():
    assert normalise("self  harm").text == "self harm"


def test_normalise_trims_spaces_at_both_ends():
    assert normalise("  viagra \t").text == "viagra"


# Normalised.span: back to where the reader typed it.


def test_span_of_plain_text_is_its_own_offsets():
    text = "buy viagra now"
    assert normalise(text).span(4, 10) == (4, 10)


def test_span_after_a_dropped_zero_width_space_covers_the_original_characters():
    text = "buy " + ZERO_WIDTH_VIAGRA + " now"
    folded = normalise(text)
    start = folded.text.index("viagra")
    begin, end = folded.span(start, start + len("viagra"))
    assert text[begin:end] == ZERO_WIDTH_VIAGRA


def test_span_of_a_letter_after_a_dropped_zero_width_space_skips_it():
    folded = normalise(ZERO_WIDTH_VIAGRA)
    assert folded.span(1, 6) == (2, 7)


def test_span_across_a_run_of_spaces_reaches_the_last_original_letter():
    text = "I self  harm."
    folded = normalise(text)
    start = folded.text.index("self harm")
    begin, end = folded.span(start, start + len("self harm"))
    assert text[begin:end] == "self  harm"


# TermMatcher.


def test_matcher_finds_a_disguised_term_at_its_original_offsets():
    text = "buy " + CYRILLIC_VIAGRA + " now"
    assert found(TermMatcher([("viagra", "spam")]), text) == [("spam", 4, 10)]


def test_matcher_finds_every_listed_term_in_one_text():
    matcher = TermMatcher([("pills", 1), ("casino", 2)])
    assert [payload for payload, _, _ in found(matcher, "pills and casino")] == [1, 2]


def test_matcher_keeps_both_payloads_of_a_term_listed_twice():
    matcher = TermMatcher([("pills", "name"), ("PILLS", "body")])
    assert sorted(payload for payload, _, _ in found(matcher, "pills")) == ["body", "name"]


def test_matcher_finds_a_term_inside_a_word_by_default():
    assert found(TermMatcher([("born", "cue")]), "stubborn") == [("cue", 4, 8)]


def test_whole_words_matcher_ignores_a_term_inside_a_word():
    assert found(TermMatcher([("born", "cue")], whole_words=True), "stubborn") == []


def test_whole_words_matcher_finds_a_term_between_punctuation():
    assert found(TermMatcher([("born", "cue")], whole_words=True), "(born)") == [("cue", 1, 5)]


def test_matcher_of_no_terms_finds_nothing():
    assert found(TermMatcher([]), "anything at all") == []


# Disallowed terms through the API.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "disguise", [ZERO_WIDTH_VIAGRA, CYRILLIC_VIAGRA], ids=["zero_width", "cyrillic"]
)
def test_spam_term_catches_its_disguised_form(api_client, disguise):
    DisallowedTermFactory(term="viagra", action=DisallowedTerm.Action.SPAM)
    response = post_comment(api_client, ArticleFactory(), body=f"Cheap {disguise} here.")
    assert status_of(response) == Comment.Status.SPAM


@pytest.mark.django_db
def test_term_added_after_a_post_applies_to_the_next_post(api_client):
    article = ArticleFactory()
    assert status_of(post_comment(api_client, article, body="Try zorbex.")) == "pending"
    DisallowedTermFactory(term="zorbex", action=DisallowedTerm.Action.SPAM)
    assert status_of(post_comment(api_client, article, body="Try zorbex again.")) == "spam"


@pytest.mark.django_db
def test_term_deleted_after_a_post_no_longer_applies_to_the_next_post(api_client):
    article = ArticleFactory()
    term = DisallowedTermFactory(term="zorbex", action=DisallowedTerm.Action.SPAM)
    assert status_of(post_comment(api_client, article, body="Try zorbex.")) == "spam"
    term.delete()
    assert status_of(post_comment(api_client, article, body="Try zorbex again.")) == "pending"


@pytest.mark.django_db
def test_term_edited_after_a_post_applies_as_edited(api_client):
    article = ArticleFactory()
    term = DisallowedTermFactory(term="zorbex", action=DisallowedTerm.Action.SPAM)
    assert status_of(post_comment(api_client, article, body="Try zorbex.")) == "spam"
    term.term = "quillox"
    term.save()
    assert status_of(post_comment(api_client, article, body="Try zorbex again.")) == "pending"
    assert status_of(post_comment(api_client, article, body="Try quillox.")) == "spam"


@pytest.mark.django_db
def test_name_only_term_in_the_body_does_nothing(api_client):
    DisallowedTermFactory(
        term="viagra", applies_to=DisallowedTerm.Field.NAME, action=DisallowedTerm.Action.SPAM
    )
    response = post_comment(api_client, ArticleFactory(), body="Is viagra safe with iron?")
    assert status_of(response) == Comment.Status.PENDING


@pytest.mark.django_db
def test_name_only_term_in_the_name_marks_spam(api_client):
    DisallowedTermFactory(
        term="viagra", applies_to=DisallowedTerm.Field.NAME, action=DisallowedTerm.Action.SPAM
    )
    response = post_comment(api_client, ArticleFactory(), name="Viagra Shop")
    assert status_of(response) == Comment.Status.SPAM


@pytest.mark.django_db
def test_spam_term_reason_highlights_the_disguised_form_in_the_body(api_client):
    DisallowedTermFactory(term="viagra", action=DisallowedTerm.Action.SPAM)
    body = f"Cheap {ZERO_WIDTH_VIAGRA} here."
    response = post_comment(api_client, ArticleFactory(), body=body)
    comment = Comment.objects.get(pk=response.json()["id"])
    [reason] = [r for r in comment.reasons if r["rule"] == "disallowed_terms"]
    assert [body[start:end] for start, end in reason["spans"]] == [ZERO_WIDTH_VIAGRA]
