"""Every moderation rule, through the API and as a unit, and how their votes combine."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from comments import moderation
from comments.conf import DEFAULTS
from comments.models import Comment, DisallowedTerm
from comments.moderation import Submission, Verdict, Vote
from tests.factories import ArticleFactory, CommentFactory, DisallowedTermFactory

pytestmark = pytest.mark.django_db

THIS_MODULE = "tests.comments.test_moderation_rules"
_addresses = itertools.count(1)


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


def comments_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


def post_comment(client, article, *, ip: str | None = None, headers=None, **fields):
    """POST the comment form; a fresh client IP unless the test is about IPs."""
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "body": f"A thoughtful remark number {next(_addresses)}.",
        **fields,
    }
    return client.post(
        comments_url(article),
        data,
        format="json",
        REMOTE_ADDR=ip or next_ip(),
        headers=headers or {},
    )


def make_submission(article=None, **overrides) -> Submission:
    values = {
        "article": article or ArticleFactory(),
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "website": "",
        "body": "A thoughtful remark.",
        "parent": None,
        "ip_address": "198.51.100.7",
        "user_agent": "test-agent",
        "honeypot": "",
    }
    return Submission(**{**values, **overrides})


# Rules for the RULES setting, referenced by dotted path.


def rule_always_approve(submission: Submission) -> Vote:
    """Approve everything."""
    return Vote(Verdict.APPROVE, "Approved by the test rule.")


def rule_always_hold(submission: Submission) -> Vote:
    """Hold everything."""
    return Vote(Verdict.HOLD, "Held by the test rule.")


def rule_always_spam(submission: Submission) -> Vote:
    """Mark everything as spam."""
    return Vote(Verdict.SPAM, "Spam by the test rule.")


def rule_always_reject(submission: Submission) -> Vote:
    """Refuse everything."""
    return Vote(Verdict.REJECT, "Rejected by the test rule.", status_code=403, code="test_reject")


def rule_spam_on_marker(submission: Submission) -> Vote | None:
    """Mark as spam a body that carries the marker."""
    if "custom-marker" in submission.body:
        return Vote(Verdict.SPAM, "The custom rule saw the marker.")
    return None


def rules_setting(*names: str) -> list[str]:
    return [f"{THIS_MODULE}.{name}" for name in names]


# Comments closed.


def test_disabled_comments_answer_403_comments_closed(api_client):
    article = ArticleFactory(comments_enabled=False)
    response = post_comment(api_client, article)
    assert response.status_code == 403
    assert response.json()["code"] == "comments_closed"


def test_disabled_comments_store_nothing(api_client):
    article = ArticleFactory(comments_enabled=False)
    post_comment(api_client, article)
    assert Comment.objects.count() == 0


def test_comments_closed_rule_rejects_disabled_article():
    vote = moderation.comments_closed(make_submission(ArticleFactory(comments_enabled=False)))
    assert (vote.verdict, vote.status_code, vote.code) == (Verdict.REJECT, 403, "comments_closed")


def test_comments_closed_rule_has_no_opinion_on_open_article():
    assert moderation.comments_closed(make_submission()) is None


def test_article_older_than_close_after_days_is_closed(api_client, settings):
    settings.RLS_COMMENTS = {"CLOSE_AFTER_DAYS": 30}
    article = ArticleFactory(published_at=timezone.now() - dt.timedelta(days=31))
    response = post_comment(api_client, article)
    assert response.status_code == 403
    assert response.json()["code"] == "comments_closed"
    assert Comment.objects.count() == 0


def test_article_younger_than_close_after_days_is_open(api_client, settings):
    settings.RLS_COMMENTS = {"CLOSE_AFTER_DAYS": 30}
    article = ArticleFactory(published_at=timezone.now() - dt.timedelta(days=29))
    assert post_comment(api_client, article).status_code == 201


def test_comments_closed_rule_rejects_article_past_close_after_days(settings):
    settings.RLS_COMMENTS = {"CLOSE_AFTER_DAYS": 30}
    article = ArticleFactory(published_at=timezone.now() - dt.timedelta(days=31))
    assert moderation.comments_closed(make_submission(article)).code == "comments_closed"


def test_comments_closed_rule_accepts_article_within_close_after_days(settings):
    settings.RLS_COMMENTS = {"CLOSE_AFTER_DAYS": 30}
    article = ArticleFactory(published_at=timezone.now() - dt.timedelta(days=29))
    assert moderation.comments_closed(make_submission(article)) is None


def test_old_article_never_closes_by_default(api_client):
    article = ArticleFactory(published_at=timezone.now() - dt.timedelta(days=3650))
    assert post_comment(api_client, article).status_code == 201


# Duplicate.


def test_duplicate_comment_answers_409(api_client):
    article = ArticleFactory()
    assert post_comment(api_client, article, body="Same words.").status_code == 201
    response = post_comment(api_client, article, body="Same words.")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_comment"


def test_duplicate_comment_is_not_stored(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, body="Same words.")
    post_comment(api_client, article, body="Same words.")
    assert Comment.objects.count() == 1


def test_email_is_stored_lower_case(api_client):
    post_comment(api_client, ArticleFactory(), email="Ada@Example.ORG")
    assert Comment.objects.get().email == "ada@example.org"


def test_duplicate_is_detected_whatever_the_email_case(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, email="ada@example.org", body="Same words.")
    response = post_comment(api_client, article, email="ADA@Example.org", body="Same words.")
    assert response.status_code == 409


def test_same_body_on_another_article_is_accepted(api_client):
    post_comment(api_client, ArticleFactory(), body="Same words.")
    assert post_comment(api_client, ArticleFactory(), body="Same words.").status_code == 201


def test_same_body_from_another_email_is_accepted(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, email="ada@example.org", body="Same words.")
    response = post_comment(api_client, article, email="grace@example.org", body="Same words.")
    assert response.status_code == 201


def test_duplicate_rule_rejects_same_article_email_and_body():
    existing = CommentFactory(email="ada@example.org", body="Same words.")
    submission = make_submission(existing.article, email="ada@example.org", body="Same words.")
    vote = moderation.duplicate(submission)
    assert (vote.verdict, vote.status_code, vote.code) == (Verdict.REJECT, 409, "duplicate_comment")


def test_duplicate_rule_has_no_opinion_on_a_new_body():
    existing = CommentFactory(email="ada@example.org", body="Same words.")
    submission = make_submission(existing.article, email="ada@example.org", body="New words.")
    assert moderation.duplicate(submission) is None


# Flood.


def test_second_comment_from_one_ip_within_15_seconds_answers_429(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, ip="203.0.113.5")
    response = post_comment(api_client, article, ip="203.0.113.5")
    assert response.status_code == 429
    assert response.json()["code"] == "flood"


def test_flood_answer_has_retry_after_in_whole_seconds(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, ip="203.0.113.5")
    response = post_comment(api_client, article, ip="203.0.113.5")
    assert 1 <= int(response.headers["Retry-After"]) <= 15


def test_flood_retry_after_counts_the_seconds_left(api_client):
    article = ArticleFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post_comment(api_client, article, ip="203.0.113.5")
        traveller.shift(dt.timedelta(seconds=10))
        response = post_comment(api_client, article, ip="203.0.113.5")
    assert response.headers["Retry-After"] == "5"


def test_flooded_comment_is_not_stored(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, ip="203.0.113.5")
    post_comment(api_client, article, ip="203.0.113.5")
    assert Comment.objects.count() == 1


def test_comment_from_same_ip_after_15_seconds_is_accepted(api_client):
    article = ArticleFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post_comment(api_client, article, ip="203.0.113.5")
        traveller.shift(dt.timedelta(seconds=16))
        response = post_comment(api_client, article, ip="203.0.113.5")
    assert response.status_code == 201


def test_comment_from_another_ip_is_not_flood(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, ip="203.0.113.5")
    assert post_comment(api_client, article, ip="203.0.113.6").status_code == 201


def test_flood_seconds_zero_switches_the_flood_rule_off(api_client, settings):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    article = ArticleFactory()
    post_comment(api_client, article, ip="203.0.113.5")
    assert post_comment(api_client, article, ip="203.0.113.5").status_code == 201


def test_flood_rule_rejects_recent_comment_from_same_ip():
    CommentFactory(ip_address="198.51.100.7", submitted_at=timezone.now())
    vote = moderation.flood(make_submission(ip_address="198.51.100.7"))
    assert (vote.verdict, vote.status_code, vote.code) == (Verdict.REJECT, 429, "flood")
    assert 1 <= vote.retry_after <= 15


def test_flood_rule_has_no_opinion_after_flood_seconds():
    CommentFactory(
        ip_address="198.51.100.7", submitted_at=timezone.now() - dt.timedelta(seconds=16)
    )
    assert moderation.flood(make_submission(ip_address="198.51.100.7")) is None


def test_flood_rule_has_no_opinion_without_an_ip():
    CommentFactory(ip_address=None, submitted_at=timezone.now())
    assert moderation.flood(make_submission(ip_address=None)) is None


# The client IP.


def test_forwarded_for_is_ignored_without_a_trusted_proxy(api_client):
    post_comment(
        api_client,
        ArticleFactory(),
        ip="203.0.113.5",
        headers={"X-Forwarded-For": "198.51.100.99"},
    )
    assert Comment.objects.get().ip_address == "203.0.113.5"


def test_forwarded_for_does_not_dodge_the_flood_rule(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, ip="203.0.113.5", headers={"X-Forwarded-For": "10.9.9.1"})
    response = post_comment(
        api_client, article, ip="203.0.113.5", headers={"X-Forwarded-For": "10.9.9.2"}
    )
    assert response.status_code == 429


def test_last_forwarded_for_entry_is_the_client_behind_one_proxy(api_client, settings):
    settings.RLS_COMMENTS = {**settings.RLS_COMMENTS, "NUM_PROXIES": 1}
    post_comment(
        api_client,
        ArticleFactory(),
        ip="10.0.0.1",
        headers={"X-Forwarded-For": "192.0.2.200, 198.51.100.42"},
    )
    assert Comment.objects.get().ip_address == "198.51.100.42"


def test_distinct_forwarded_for_behind_one_proxy_is_not_flood(api_client, settings):
    settings.RLS_COMMENTS = {**settings.RLS_COMMENTS, "NUM_PROXIES": 1}
    article = ArticleFactory()
    post_comment(api_client, article, ip="10.0.0.1", headers={"X-Forwarded-For": "198.51.100.1"})
    response = post_comment(
        api_client, article, ip="10.0.0.1", headers={"X-Forwarded-For": "198.51.100.2"}
    )
    assert response.status_code == 201


# Honeypot.


def test_honeypot_comment_is_answered_exactly_like_a_pending_comment(api_client):
    article = ArticleFactory()
    normal = post_comment(api_client, article).json()
    trapped = post_comment(api_client, article, homepage="http://spam.example")
    assert trapped.status_code == 201
    body = trapped.json()
    assert set(body) == set(normal) == {"id", "status", "message"}
    assert (body["status"], body["message"]) == ("pending", normal["message"])


def test_honeypot_comment_is_stored_as_spam_with_the_honeypot_reason(api_client):
    post_comment(api_client, ArticleFactory(), homepage="http://spam.example")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.moderation_reason == moderation.honeypot(make_submission(honeypot="x")).reason


def test_honeypot_field_name_comes_from_the_setting(api_client, settings):
    settings.RLS_COMMENTS = {"HONEYPOT_FIELD": "fax_number"}
    post_comment(api_client, ArticleFactory(), fax_number="0123")
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_honeypot_rule_votes_spam_when_filled():
    assert moderation.honeypot(make_submission(honeypot="anything")).verdict == Verdict.SPAM


def test_honeypot_rule_has_no_opinion_when_empty():
    assert moderation.honeypot(make_submission(honeypot="")) is None


# Disallowed terms.

FIELD_CASES = {
    # applies_to: (term, the form fields that carry it, the client IP)
    "name": ("Cheap Pills", {"name": "Cheap Pills Seller"}, None),
    "email": ("pills.example", {"email": "seller@pills.example"}, None),
    "website": ("pills-shop", {"website": "https://pills-shop.example/"}, None),
    "body": ("cheap pills", {"body": "Buy cheap pills today."}, None),
    "ip_address": ("203.0.113.", {}, "203.0.113.77"),
}


@pytest.mark.parametrize("field", FIELD_CASES)
def test_spam_term_in_its_field_marks_comment_as_spam(api_client, field):
    term, fields, ip = FIELD_CASES[field]
    DisallowedTermFactory(term=term, applies_to=field, action=DisallowedTerm.Action.SPAM)
    assert post_comment(api_client, ArticleFactory(), ip=ip, **fields).status_code == 201
    assert Comment.objects.get().status == Comment.Status.SPAM


@pytest.mark.parametrize("field", FIELD_CASES)
def test_hold_term_in_its_field_holds_comment(api_client, field):
    term, fields, ip = FIELD_CASES[field]
    DisallowedTermFactory(term=term, applies_to=field, action=DisallowedTerm.Action.HOLD)
    CommentFactory(email=fields.get("email", "ada@example.org"))  # a known author, else pending
    post_comment(api_client, ArticleFactory(), ip=ip, **fields)
    comment = Comment.objects.latest("pk")
    assert comment.status == Comment.Status.PENDING
    assert term in comment.moderation_reason


@pytest.mark.parametrize("field", FIELD_CASES)
def test_anywhere_term_matches_each_field(field):
    term, fields, ip = FIELD_CASES[field]
    DisallowedTermFactory(term=term, applies_to=DisallowedTerm.Field.ANYWHERE)
    submission = make_submission(**fields, **({"ip_address": ip} if ip else {}))
    assert moderation.disallowed_terms(submission).verdict == Verdict.SPAM


def test_body_only_term_in_the_name_does_nothing(api_client):
    DisallowedTermFactory(term="pills", applies_to=DisallowedTerm.Field.BODY)
    post_comment(api_client, ArticleFactory(), name="Pills Fan", body="Nice article.")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert "pills" not in comment.moderation_reason


def test_disallowed_terms_rule_ignores_term_outside_its_field():
    DisallowedTermFactory(term="pills", applies_to=DisallowedTerm.Field.BODY)
    submission = make_submission(name="Pills Fan", body="Nice article.")
    assert moderation.disallowed_terms(submission) is None


def test_disallowed_term_matches_whatever_the_case(api_client):
    DisallowedTermFactory(term="CheapPills", applies_to=DisallowedTerm.Field.BODY)
    post_comment(api_client, ArticleFactory(), body="visit cheappills now")
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_disallowed_terms_rule_is_case_insensitive():
    DisallowedTermFactory(term="cheappills")
    assert moderation.disallowed_terms(make_submission(body="CHEAPPILLS")).verdict == Verdict.SPAM


def test_spam_term_beats_hold_term(api_client):
    DisallowedTermFactory(term="aardvark", action=DisallowedTerm.Action.HOLD)
    DisallowedTermFactory(term="pills", action=DisallowedTerm.Action.SPAM)
    post_comment(api_client, ArticleFactory(), body="aardvark pills")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert "pills" in comment.moderation_reason


def test_disallowed_terms_rule_prefers_spam_to_hold():
    DisallowedTermFactory(term="aardvark", action=DisallowedTerm.Action.HOLD)
    DisallowedTermFactory(term="zebra", action=DisallowedTerm.Action.SPAM)
    vote = moderation.disallowed_terms(make_submission(body="aardvark zebra"))
    assert vote.verdict == Verdict.SPAM


def test_disallowed_terms_vote_names_the_term():
    DisallowedTermFactory(term="zebra", action=DisallowedTerm.Action.HOLD)
    vote = moderation.disallowed_terms(make_submission(body="a zebra crossing"))
    assert vote.verdict == Verdict.HOLD
    assert "zebra" in vote.reason


# Links.

THREE_LINKS = "See https://a.example, http://b.example and www.c.example for more."
TWO_LINKS = "See https://a.example and www.c.example for more."


def test_three_links_hold_even_a_known_author(api_client):
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    response = post_comment(api_client, ArticleFactory(), body=THREE_LINKS)
    assert response.json()["status"] == "pending"
    comment = Comment.objects.latest("pk")
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason


def test_two_links_do_not_hold_a_known_author(api_client):
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    response = post_comment(api_client, ArticleFactory(), body=TWO_LINKS)
    assert response.json()["status"] == "approved"


def test_too_many_links_rule_holds_three_links():
    vote = moderation.too_many_links(make_submission(body=THREE_LINKS))
    assert vote.verdict == Verdict.HOLD
    assert vote.reason


def test_too_many_links_rule_has_no_opinion_on_two_links():
    assert moderation.too_many_links(make_submission(body=TWO_LINKS)) is None


def test_two_links_with_scheme_and_www_count_as_two():
    body = "See https://www.example.com and https://www.example.org for more."
    assert moderation.too_many_links(make_submission(body=body)) is None


def test_max_links_setting_lowers_the_limit(settings):
    settings.RLS_COMMENTS = {"MAX_LINKS": 0}
    vote = moderation.too_many_links(make_submission(body="See https://a.example."))
    assert vote.verdict == Verdict.HOLD


def test_max_links_setting_raises_the_limit(api_client, settings):
    settings.RLS_COMMENTS = {"MAX_LINKS": 5}
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    response = post_comment(api_client, ArticleFactory(), body=THREE_LINKS)
    assert response.json()["status"] == "approved"


# Known author.


def test_author_with_an_approved_comment_is_approved(api_client):
    CommentFactory(name="Ada Lovelace", email="ada@example.org", status=Comment.Status.APPROVED)
    response = post_comment(api_client, ArticleFactory(), email="ada@example.org")
    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    assert Comment.objects.latest("pk").status == Comment.Status.APPROVED


def test_known_author_is_recognised_whatever_the_email_case(api_client):
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    response = post_comment(api_client, ArticleFactory(), email="ADA@Example.org")
    assert response.json()["status"] == "approved"


@pytest.mark.parametrize(
    "history", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_author_without_an_approved_comment_is_pending(api_client, history):
    CommentFactory(email="ada@example.org", status=history)
    response = post_comment(api_client, ArticleFactory(), email="ada@example.org")
    assert response.json()["status"] == "pending"


def test_known_author_rule_votes_approve():
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    vote = moderation.known_author(make_submission(email="ada@example.org"))
    assert vote.verdict == Verdict.APPROVE


def test_same_email_under_another_name_is_not_a_known_author(api_client):
    # An email alone, guessed, must not publish anything under any name.
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    response = post_comment(api_client, ArticleFactory(), name="Mallory", email="ada@example.org")
    assert response.json()["status"] == "pending"


def test_known_author_name_is_matched_whatever_its_case(api_client):
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    response = post_comment(api_client, ArticleFactory(), name="ada lovelace")
    assert response.json()["status"] == "approved"


def test_known_author_rule_has_no_opinion_on_pending_history():
    CommentFactory(email="ada@example.org", status=Comment.Status.PENDING)
    assert moderation.known_author(make_submission(email="ada@example.org")) is None


# Default.


def test_new_author_is_pending(api_client):
    response = post_comment(api_client, ArticleFactory())
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.reasons == [
        {"rule": "default", "verdict": "hold", "detail": "no rule approved it: held by default"}
    ]


def test_pending_comment_notifies_the_moderators(
    api_client, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(api_client, ArticleFactory())
    assert [message.to for message in mail.outbox] == [[moderator.email]]


def test_moderate_holds_when_no_rule_votes():
    assert moderation.moderate(make_submission()).verdict == Verdict.HOLD


# Strictest wins.


def test_spam_term_beats_known_author(api_client):
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    DisallowedTermFactory(term="pills", action=DisallowedTerm.Action.SPAM)
    post_comment(api_client, ArticleFactory(), body="Cheap pills here.")
    comment = Comment.objects.latest("pk")
    assert comment.status == Comment.Status.SPAM
    assert "pills" in comment.moderation_reason


def test_honeypot_beats_known_author(api_client):
    CommentFactory(name="Ada Lovelace", email="ada@example.org")
    post_comment(api_client, ArticleFactory(), homepage="filled")
    assert Comment.objects.latest("pk").status == Comment.Status.SPAM


def test_reject_beats_every_other_vote(settings):
    settings.RLS_COMMENTS = {
        "RULES": rules_setting(
            "rule_always_approve", "rule_always_spam", "rule_always_reject", "rule_always_hold"
        )
    }
    assert moderation.moderate(make_submission()).verdict == Verdict.REJECT


def test_spam_beats_hold_and_approve(settings):
    settings.RLS_COMMENTS = {
        "RULES": rules_setting("rule_always_hold", "rule_always_spam", "rule_always_approve")
    }
    assert moderation.moderate(make_submission()).verdict == Verdict.SPAM


def test_hold_beats_approve(settings):
    settings.RLS_COMMENTS = {"RULES": rules_setting("rule_always_approve", "rule_always_hold")}
    assert moderation.moderate(make_submission()).verdict == Verdict.HOLD


def test_rejecting_rule_answers_its_status_and_code_and_stores_nothing(api_client, settings):
    settings.RLS_COMMENTS = {"RULES": rules_setting("rule_always_spam", "rule_always_reject")}
    response = post_comment(api_client, ArticleFactory())
    assert response.status_code == 403
    assert response.json()["code"] == "test_reject"
    assert Comment.objects.count() == 0


def test_reason_of_the_deciding_vote_is_stored(api_client, settings):
    settings.RLS_COMMENTS = {"RULES": rules_setting("rule_always_approve", "rule_always_hold")}
    post_comment(api_client, ArticleFactory())
    assert Comment.objects.get().moderation_reason == "Held by the test rule."


# The RULES setting.


def test_custom_rule_in_rules_setting_is_asked(api_client, settings):
    settings.RLS_COMMENTS = {"RULES": [*DEFAULTS["RULES"], *rules_setting("rule_spam_on_marker")]}
    post_comment(api_client, ArticleFactory(), body="Here is the custom-marker.")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.moderation_reason == "The custom rule saw the marker."


def test_rule_removed_from_rules_setting_is_not_asked(api_client, settings):
    without_honeypot = [path for path in DEFAULTS["RULES"] if not path.endswith(".honeypot")]
    settings.RLS_COMMENTS = {"RULES": without_honeypot}
    post_comment(api_client, ArticleFactory(), homepage="filled")
    assert Comment.objects.get().status == Comment.Status.PENDING


# The DRF scoped throttle, a second line behind the flood rule.


def test_eleventh_post_within_a_minute_from_one_ip_is_throttled(api_client, settings):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    article = ArticleFactory()
    statuses = [post_comment(api_client, article, ip="203.0.113.9").status_code for _ in range(11)]
    assert statuses == [201] * 10 + [429]


def test_throttled_post_stores_nothing(api_client, settings):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    article = ArticleFactory()
    for _ in range(11):
        post_comment(api_client, article, ip="203.0.113.9")
    assert Comment.objects.count() == 10


def test_throttle_rate_setting_takes_effect_without_restart(api_client, settings):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0, "THROTTLE_RATE": "3/minute"}
    article = ArticleFactory()
    statuses = [post_comment(api_client, article, ip="203.0.113.9").status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]


def test_listing_comments_is_never_throttled(api_client):
    article = ArticleFactory()
    statuses = {
        api_client.get(comments_url(article), REMOTE_ADDR="203.0.113.9").status_code
        for _ in range(15)
    }
    assert statuses == {200}
