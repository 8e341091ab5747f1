"""Rules for a health site: crisis language held as urgent with support shown, personal data held,
every vote kept as a reason, and the settings these rules read checked."""

from __future__ import annotations

import itertools

import pytest
from django.core import mail
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from comments import notifications
from comments.checks import check_comment_settings
from comments.conf import DEFAULTS
from comments.models import Comment, DisallowedTerm
from comments.tasks import URGENT_PRIORITY
from tests.factories import ArticleFactory, CommentFactory, DisallowedTermFactory

pytestmark = pytest.mark.django_db

_addresses = itertools.count(1)

SUPPORT_MESSAGE = DEFAULTS["SUPPORT_MESSAGE"]
CRISIS_BODY = "Some nights I want to die; the restless legs never stop."
THREE_LINKS = "See https://a.example, http://b.example and www.c.example for more."


@pytest.fixture(autouse=True)
def fresh_throttle_and_settings(settings):
    """No throttle history between tests; the app's defaults, whatever the environment says."""
    cache.clear()
    settings.RLS_COMMENTS = {}
    yield
    cache.clear()


@pytest.fixture
def known_author():
    """Ada has an approved comment: the known_author rule approves her next one."""
    return CommentFactory(name="Ada Lovelace", email="ada@example.org")


def next_ip() -> str:
    """A client address no other request of the test run uses."""
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def post_comment(client, article=None, *, ip: str | None = None, **fields):
    """POST the comment form; a fresh client IP unless the test is about IPs."""
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "body": f"A thoughtful remark number {next(_addresses)}.",
        **fields,
    }
    return client.post(
        f"/api/v1/articles/{(article or ArticleFactory()).slug}/comments/",
        data,
        format="json",
        REMOTE_ADDR=ip or next_ip(),
    )


def stored(response) -> Comment:
    assert response.status_code == 201
    return Comment.objects.get(pk=response.json()["id"])


def reasons_of(comment: Comment, rule: str) -> list[dict]:
    return [reason for reason in comment.reasons if reason["rule"] == rule]


def error_ids() -> list[str]:
    return [error.id for error in check_comment_settings()]


# Crisis language: the answer.


def test_crisis_comment_answers_201_pending(api_client):
    response = post_comment(api_client, body=CRISIS_BODY)
    assert response.status_code == 201
    assert response.json()["status"] == "pending"


def test_crisis_comment_answer_carries_the_support_message(api_client):
    response = post_comment(api_client, body=CRISIS_BODY)
    assert response.json()["support"] == SUPPORT_MESSAGE


def test_support_message_comes_from_the_setting(api_client, settings):
    settings.RLS_COMMENTS = {"SUPPORT_MESSAGE": "Call 116 123 (Samaritans), day or night."}
    response = post_comment(api_client, body=CRISIS_BODY)
    assert response.json()["support"] == "Call 116 123 (Samaritans), day or night."


def test_disguised_crisis_phrase_is_found(api_client):
    response = post_comment(api_client, body="I think about s\u200buicide every day.")
    assert stored(response).priority == Comment.Priority.URGENT
    assert response.json()["support"] == SUPPORT_MESSAGE


def test_dashed_crisis_phrase_matches_the_spaced_term(api_client):
    response = post_comment(api_client, body="I have started to self-harm again.")
    assert stored(response).priority == Comment.Priority.URGENT


# Crisis language: the stored comment.


def test_crisis_comment_is_stored_pending_and_urgent(api_client):
    comment = stored(post_comment(api_client, body=CRISIS_BODY))
    assert (comment.status, comment.priority) == (Comment.Status.PENDING, Comment.Priority.URGENT)


def test_crisis_comment_has_a_crisis_language_reason(api_client):
    comment = stored(post_comment(api_client, body=CRISIS_BODY))
    [reason] = reasons_of(comment, "crisis_language")
    assert reason["verdict"] == "hold"
    assert "want to die" in reason["detail"]


def test_crisis_language_reason_spans_slice_the_body_to_the_phrase(api_client):
    comment = stored(post_comment(api_client, body=CRISIS_BODY))
    [reason] = reasons_of(comment, "crisis_language")
    assert [CRISIS_BODY[start:end] for start, end in reason["spans"]] == ["want to die"]


def test_ordinary_comment_is_normal_priority(api_client):
    assert stored(post_comment(api_client)).priority == Comment.Priority.NORMAL


def test_crisis_beats_a_spam_term(api_client):
    DisallowedTermFactory(term="restless legs", action=DisallowedTerm.Action.SPAM)
    comment = stored(post_comment(api_client, body=CRISIS_BODY))
    assert (comment.status, comment.priority) == (Comment.Status.PENDING, Comment.Priority.URGENT)


def test_crisis_beats_the_honeypot(api_client):
    comment = stored(post_comment(api_client, body=CRISIS_BODY, homepage="http://spam.example"))
    assert (comment.status, comment.priority) == (Comment.Status.PENDING, Comment.Priority.URGENT)


def test_crisis_holds_a_known_author(api_client, known_author):
    response = post_comment(api_client, body=CRISIS_BODY)
    assert response.json()["status"] == "pending"
    assert stored(response).priority == Comment.Priority.URGENT


def test_crisis_comment_keeps_the_spam_vote_among_its_reasons(api_client):
    DisallowedTermFactory(term="restless legs", action=DisallowedTerm.Action.SPAM)
    comment = stored(post_comment(api_client, body=CRISIS_BODY))
    assert [r["verdict"] for r in reasons_of(comment, "disallowed_terms")] == ["spam"]


def test_admin_crisis_term_holds_as_urgent(api_client):
    DisallowedTermFactory(term="lost all hope", action=DisallowedTerm.Action.CRISIS)
    comment = stored(post_comment(api_client, body="I have lost all hope."))
    assert (comment.status, comment.priority) == (Comment.Status.PENDING, Comment.Priority.URGENT)


def test_admin_crisis_term_shows_support(api_client):
    DisallowedTermFactory(term="lost all hope", action=DisallowedTerm.Action.CRISIS)
    response = post_comment(api_client, body="I have lost all hope.")
    assert response.json()["support"] == SUPPORT_MESSAGE


def test_crisis_terms_setting_adds_a_phrase(api_client, settings):
    settings.RLS_COMMENTS = {"CRISIS_TERMS": ["lost all hope"]}
    comment = stored(post_comment(api_client, body="I have lost all hope."))
    assert comment.priority == Comment.Priority.URGENT


def test_crisis_terms_setting_replaces_the_shipped_list(api_client, settings):
    settings.RLS_COMMENTS = {"CRISIS_TERMS": ["lost all hope"]}
    response = post_comment(api_client, body=CRISIS_BODY)
    assert stored(response).priority == Comment.Priority.NORMAL
    assert "support" not in response.json()


def test_empty_crisis_terms_setting_switches_the_shipped_list_off(api_client, settings):
    settings.RLS_COMMENTS = {"CRISIS_TERMS": []}
    assert stored(post_comment(api_client, body=CRISIS_BODY)).priority == Comment.Priority.NORMAL


# Support in every answer to a crisis comment, refusals too.


def test_flooded_crisis_comment_answers_429_with_support(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, ip="203.0.113.5")
    response = post_comment(api_client, article, ip="203.0.113.5", body=CRISIS_BODY)
    assert response.status_code == 429
    assert response.json()["code"] == "flood"
    assert response.json()["support"] == SUPPORT_MESSAGE


def test_crisis_comment_without_an_email_answers_400_with_support(api_client):
    response = api_client.post(
        f"/api/v1/articles/{ArticleFactory().slug}/comments/",
        {"name": "Ada Lovelace", "body": CRISIS_BODY},
        format="json",
        REMOTE_ADDR=next_ip(),
    )
    assert response.status_code == 400
    assert [error.code for error in response.data["email"]] == ["required"]
    assert response.json()["support"] == SUPPORT_MESSAGE


def test_crisis_comment_on_a_closed_article_answers_403_with_support(api_client):
    response = post_comment(api_client, ArticleFactory(comments_enabled=False), body=CRISIS_BODY)
    assert response.status_code == 403
    assert response.json()["code"] == "comments_closed"
    assert response.json()["support"] == SUPPORT_MESSAGE


def test_duplicate_crisis_comment_answers_409_with_support(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, body=CRISIS_BODY)
    response = post_comment(api_client, article, body=CRISIS_BODY)
    assert response.status_code == 409
    assert response.json()["support"] == SUPPORT_MESSAGE


def test_refused_crisis_comment_stores_nothing(api_client):
    post_comment(api_client, ArticleFactory(comments_enabled=False), body=CRISIS_BODY)
    assert Comment.objects.count() == 0


def test_ordinary_comment_answer_carries_no_support(api_client):
    response = post_comment(api_client)
    assert response.status_code == 201
    assert "support" not in response.json()


def test_ordinary_refused_comment_answer_carries_no_support(api_client):
    article = ArticleFactory()
    post_comment(api_client, article, ip="203.0.113.5")
    response = post_comment(api_client, article, ip="203.0.113.5")
    assert response.status_code == 429
    assert "support" not in response.json()


def test_crisis_phrase_in_the_name_only_shows_no_support(api_client):
    response = post_comment(api_client, name="Suicide Squad Fan")
    assert "support" not in response.json()


# Crisis language: the moderators are told at once.


def test_crisis_comment_enqueues_the_urgent_task_only(
    api_client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        comment = stored(post_comment(api_client, body=CRISIS_BODY))
    task = DBTaskResult.objects.get()
    assert task.task_path == "comments.tasks.notify_urgent_comment"
    assert task.args_kwargs["args"] == [comment.pk]


def test_urgent_task_is_queued_ahead_of_other_tasks(
    api_client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(api_client, body=CRISIS_BODY)
    assert DBTaskResult.objects.get().priority == URGENT_PRIORITY


def test_ordinary_pending_comment_enqueues_the_queue_task(
    api_client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(api_client)
    assert DBTaskResult.objects.get().task_path == "comments.tasks.notify_moderators"


def test_crisis_comment_sends_one_urgent_mail_to_the_moderators(
    api_client, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(api_client, ArticleFactory(title="Restless legs"), body=CRISIS_BODY)
    [message] = mail.outbox
    assert message.to == [moderator.email]
    assert message.subject.startswith("Urgent:")
    assert "Restless legs" in message.subject


def test_crisis_comment_is_marked_as_told(
    api_client, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = stored(post_comment(api_client, body=CRISIS_BODY))
    comment.refresh_from_db()
    assert comment.moderators_notified_at is not None


def test_regular_notification_run_does_not_mail_an_urgent_comment_twice(
    api_client, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(api_client, body=CRISIS_BODY)
    assert notifications.comments_notify_moderators() == 0
    assert len(mail.outbox) == 1


def test_urgent_task_after_a_regular_run_sends_nothing_more(
    api_client, moderator, django_capture_on_commit_callbacks
):
    # The queue's run told of it first (with the urgent mail): the urgent task sends nothing.
    comment = stored(post_comment(api_client, body=CRISIS_BODY))
    assert notifications.comments_notify_moderators() == 1
    assert notifications.comment_notify_urgent(comment_id=comment.pk) == 0
    assert [m.subject.startswith("Urgent:") for m in mail.outbox] == [True]


# Personal data.

PERSONAL_DATA = {
    # case: (body, PHONE_REGION, kind named in the reason, what the span covers)
    "uk_mobile": ("Call me on 07700 900123 any time.", "GB", "phone number", "07700 900123"),
    "uk_mobile_in_service": (
        "Call me on 07911 123456 any time.",
        "GB",
        "phone number",
        "07911 123456",
    ),
    "international": (
        "My cell is +1 212 555 0123, text me.",
        "GB",
        "phone number",
        "+1 212 555 0123",
    ),
    "email": (
        "Write to me at jo.bloggs@example.com please.",
        "US",
        "email address",
        "jo.bloggs@example.com",
    ),
    "born": ("I was born 3/4/1961 and had it since.", "US", "date of birth", "3/4/1961"),
    "dob": ("DOB: April 3, 1961. Diagnosed last year.", "US", "date of birth", "April 3, 1961"),
    "street": (
        "Come by 221B Baker Street if you like.",
        "US",
        "street address",
        "221B Baker Street",
    ),
}


@pytest.mark.parametrize("case", PERSONAL_DATA)
def test_personal_data_holds_a_known_author_s_comment(api_client, settings, known_author, case):
    body, region, _, _ = PERSONAL_DATA[case]
    settings.RLS_COMMENTS = {"PHONE_REGION": region}
    assert stored(post_comment(api_client, body=body)).status == Comment.Status.PENDING


@pytest.mark.parametrize("case", PERSONAL_DATA)
def test_personal_data_reason_names_the_kind(api_client, settings, case):
    body, region, kind, _ = PERSONAL_DATA[case]
    settings.RLS_COMMENTS = {"PHONE_REGION": region}
    [reason] = reasons_of(stored(post_comment(api_client, body=body)), "personal_data")
    assert reason["verdict"] == "hold"
    assert kind in reason["detail"]


@pytest.mark.parametrize("case", PERSONAL_DATA)
def test_personal_data_spans_slice_the_body_to_the_match(api_client, settings, case):
    body, region, _, match = PERSONAL_DATA[case]
    settings.RLS_COMMENTS = {"PHONE_REGION": region}
    [reason] = reasons_of(stored(post_comment(api_client, body=body)), "personal_data")
    assert [body[start:end] for start, end in reason["spans"]] == [match]


def test_personal_data_of_a_known_author_keeps_the_approve_vote_as_a_reason(
    api_client, known_author
):
    comment = stored(post_comment(api_client, body="Email me: ada.home@example.net"))
    assert [r["verdict"] for r in reasons_of(comment, "known_author")] == ["approve"]


def test_personal_data_is_not_shown_publicly_or_told_to_the_reader(api_client):
    response = post_comment(api_client, body="Email me: ada.home@example.net")
    assert "ada.home@example.net" not in response.content.decode()


@pytest.mark.parametrize(
    "body",
    ["I walked 5 miles down the road", "My husband is stubborn.", "take 2 tablets at 10 mg"],
)
def test_no_false_positive_for_personal_data(api_client, known_author, body):
    response = post_comment(api_client, body=body)
    assert response.json()["status"] == "approved"
    assert reasons_of(stored(response), "personal_data") == []


def test_uk_mobile_without_country_code_is_not_read_as_a_us_number(api_client, known_author):
    # PHONE_REGION defaults to "US": a GB number without +44 is not a phone number there.
    response = post_comment(api_client, body="Call me on 07911 123456 any time.")
    assert response.json()["status"] == "approved"


# Reasons: every vote, with a short detail.


def test_too_many_links_reason_says_how_many_and_the_limit(api_client):
    comment = stored(post_comment(api_client, body=THREE_LINKS))
    assert reasons_of(comment, "too_many_links") == [
        {"rule": "too_many_links", "verdict": "hold", "detail": "3 links, limit 2"}
    ]


def test_honeypot_reason_says_honeypot_filled(api_client):
    comment = stored(post_comment(api_client, homepage="http://spam.example"))
    assert reasons_of(comment, "honeypot") == [
        {"rule": "honeypot", "verdict": "spam", "detail": "honeypot filled"}
    ]


def test_known_author_reason_is_kept_when_approved(api_client, known_author):
    comment = stored(post_comment(api_client))
    assert comment.reasons == [
        {"rule": "known_author", "verdict": "approve", "detail": "known author: approved before"}
    ]


def test_every_voting_rule_is_a_reason_not_only_the_decider(api_client, known_author):
    comment = stored(post_comment(api_client, body=THREE_LINKS))
    assert comment.status == Comment.Status.PENDING
    assert {(r["rule"], r["verdict"]) for r in comment.reasons} == {
        ("too_many_links", "hold"),
        ("known_author", "approve"),
    }


def test_moderation_reason_is_the_deciding_vote(api_client, known_author):
    comment = stored(post_comment(api_client, body=THREE_LINKS))
    assert comment.moderation_reason == "3 links, limit 2"


def test_spam_comment_keeps_the_hold_vote_among_its_reasons(api_client):
    comment = stored(post_comment(api_client, body=THREE_LINKS, homepage="filled"))
    assert {(r["rule"], r["verdict"]) for r in comment.reasons} == {
        ("honeypot", "spam"),
        ("too_many_links", "hold"),
    }


# System checks of the new settings (E002).


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("REPORTS_TO_REVIEW", 0),
        ("REPORTS_TO_REVIEW", -3),
        ("REPORTS_TO_REVIEW", "3"),
        ("REPORTS_TO_REVIEW", True),
        ("HIDE_REPORTED", "yes"),
        ("HIDE_REPORTED", 1),
        ("HIDE_REPORTED", None),
        ("SUPPORT_MESSAGE", ""),
        ("SUPPORT_MESSAGE", "   "),
        ("SUPPORT_MESSAGE", None),
        ("SUPPORT_MESSAGE", ["Call 988."]),
        ("CRISIS_TERMS", "suicide"),
        ("CRISIS_TERMS", ["suicide", ""]),
        ("CRISIS_TERMS", ["suicide", "  "]),
        ("CRISIS_TERMS", ["suicide", 7]),
        ("CRISIS_TERMS", None),
        ("PHONE_REGION", "UK"),
        ("PHONE_REGION", "gb"),
        ("PHONE_REGION", ""),
        ("PHONE_REGION", 44),
        ("REPORT_THROTTLE_RATE", "2"),
        ("REPORT_THROTTLE_RATE", "0/minute"),
    ],
)
def test_wrong_new_setting_is_error_E002(settings, key, value):
    settings.RLS_COMMENTS = {key: value}
    assert error_ids() == ["comments.E002"]


def test_wrong_new_setting_error_names_the_key(settings):
    settings.RLS_COMMENTS = {"PHONE_REGION": "UK"}
    assert "PHONE_REGION" in check_comment_settings()[0].msg


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("REPORTS_TO_REVIEW", 1),
        ("HIDE_REPORTED", True),
        ("HIDE_REPORTED", False),
        ("SUPPORT_MESSAGE", "Call 988 in the US, 116 123 in the UK."),
        ("CRISIS_TERMS", ["je veux mourir"]),
        ("CRISIS_TERMS", ("suicide",)),
        ("CRISIS_TERMS", []),
        ("PHONE_REGION", "GB"),
        ("PHONE_REGION", None),
        ("REPORT_THROTTLE_RATE", None),
        ("REPORT_THROTTLE_RATE", "2/minute"),
    ],
)
def test_valid_new_setting_gives_no_error(settings, key, value):
    settings.RLS_COMMENTS = {key: value}
    assert error_ids() == []
