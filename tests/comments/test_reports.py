"""Readers report published comments; moderators triage them, reply as staff, and undo.

POST /api/v1/comments/{id}/report/ takes one report per client and comment and
keeps no address; enough reports put a comment in the Reported tab (and, with
HIDE_REPORTED, off the public pages). The staff API lists comments with their
reasons, reports and author history; the services reply, dismiss and undo.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import services
from comments.models import Comment, CommentReport, client_key
from comments.selectors import comment_queue
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/moderation/comments/"
UNKNOWN_ID = 987654321
# Measured: the session, the user, the user's and the user's groups' permissions,
# the page of comments with their articles and moderators, their open reports,
# their authors' histories.
MODERATION_LIST_QUERIES = 7

_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_throttle_and_settings(settings):
    """No throttle history between tests; the app's defaults, whatever the environment says."""
    cache.clear()
    settings.RLS_COMMENTS = {}
    yield
    cache.clear()


@pytest.fixture
def comment():
    """An approved comment on a public article, by a commenter whose details must stay private."""
    return CommentFactory(email="commenter-3b9d@example.net", ip_address="192.0.2.77")


@pytest.fixture
def as_moderator(api_client, moderator):
    api_client.force_login(moderator)
    return api_client


def next_ip() -> str:
    """A client address no other request of the test run uses."""
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def report_url(comment_id: int) -> str:
    return f"/api/v1/comments/{comment_id}/report/"


def report(client, comment, *, ip: str | None = None, **fields):
    """Report ``comment`` as a reader; a fresh client address unless the test is about one."""
    data = {"reason": "spam", **fields}
    return client.post(report_url(comment.pk), data, format="json", REMOTE_ADDR=ip or next_ip())


def report_by_clients(client, comment, count: int, **fields) -> None:
    for _ in range(count):
        assert report(client, comment, **fields).status_code == 201


def error_codes(response, field: str) -> list[str]:
    return [error.code for error in response.data[field]]


def public_ids(client, article) -> list[int]:
    response = client.get(f"/api/v1/articles/{article.slug}/comments/")
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


def public_count(client, article) -> int:
    response = client.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 200
    return response.json()["comments"]["count"]


def listed(response) -> dict[int, dict]:
    assert response.status_code == 200
    return {item["id"]: item for item in response.json()["results"]}


def add_reports(comment, count: int, **fields) -> None:
    for n in range(count):
        services.comment_report(
            comment=comment,
            reason=fields.get("reason", "abuse"),
            note=fields.get("note", ""),
            client=client_key(f"198.51.100.{n + 1}"),
        )


# Reporting: the answer.


def test_report_with_a_reason_answers_201(api_client, comment):
    response = report(api_client, comment, reason="spam")
    assert response.status_code == 201
    assert response.json()["status"] == "received"


@pytest.mark.parametrize("reason", CommentReport.Reason.values)
def test_every_listed_reason_is_accepted(api_client, comment, reason):
    assert report(api_client, comment, reason=reason).status_code == 201


def test_report_is_stored_with_its_reason_and_note(api_client, comment):
    report(api_client, comment, reason="misinformation", note="Iron does not cure this.")
    stored = CommentReport.objects.get()
    assert (stored.comment, stored.reason, stored.note) == (
        comment,
        "misinformation",
        "Iron does not cure this.",
    )


def test_report_counts_on_the_comment(api_client, comment):
    report(api_client, comment)
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_unknown_reason_answers_400_invalid_choice(api_client, comment):
    response = report(api_client, comment, reason="boring")
    assert response.status_code == 400
    assert error_codes(response, "reason") == ["invalid_choice"]


def test_missing_reason_answers_400_required(api_client, comment):
    response = api_client.post(report_url(comment.pk), {}, format="json", REMOTE_ADDR=next_ip())
    assert response.status_code == 400
    assert error_codes(response, "reason") == ["required"]


def test_note_of_500_characters_is_accepted(api_client, comment):
    assert report(api_client, comment, note="x" * 500).status_code == 201


def test_note_of_501_characters_answers_400(api_client, comment):
    response = report(api_client, comment, note="x" * 501)
    assert response.status_code == 400
    assert error_codes(response, "note") == ["max_length"]


def test_unknown_field_answers_400(api_client, comment):
    response = report(api_client, comment, reasons="spam")
    assert response.status_code == 400
    assert "reasons" in response.json()


def test_refused_report_stores_nothing(api_client, comment):
    report(api_client, comment, reason="boring")
    assert CommentReport.objects.count() == 0


def test_second_report_by_the_same_client_answers_409_already_reported(api_client, comment):
    report(api_client, comment, ip="203.0.113.20")
    response = report(api_client, comment, ip="203.0.113.20", reason="abuse")
    assert response.status_code == 409
    assert response.json()["code"] == "already_reported"


def test_second_report_by_the_same_client_is_not_counted(api_client, comment):
    report(api_client, comment, ip="203.0.113.20")
    report(api_client, comment, ip="203.0.113.20")
    comment.refresh_from_db()
    assert (CommentReport.objects.count(), comment.report_count) == (1, 1)


def test_report_by_another_client_answers_201(api_client, comment):
    report(api_client, comment, ip="203.0.113.20")
    assert report(api_client, comment, ip="203.0.113.21").status_code == 201


def test_same_client_may_report_another_comment(api_client, comment):
    report(api_client, comment, ip="203.0.113.20")
    other = CommentFactory(article=comment.article)
    assert report(api_client, other, ip="203.0.113.20").status_code == 201


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_unpublished_comment_answers_404(api_client, status):
    response = report(api_client, CommentFactory(status=status))
    assert response.status_code == 404


def test_comment_of_a_draft_article_answers_404(api_client):
    response = report(api_client, CommentFactory(article=ArticleFactory(draft=True)))
    assert response.status_code == 404


def test_missing_comment_answers_404(api_client):
    response = api_client.post(
        report_url(UNKNOWN_ID), {"reason": "spam"}, format="json", REMOTE_ADDR=next_ip()
    )
    assert response.status_code == 404


def test_unpublished_comment_report_stores_nothing(api_client):
    report(api_client, CommentFactory(status=Comment.Status.PENDING))
    assert CommentReport.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_answer_405(api_client, comment, method):
    response = getattr(api_client, method)(report_url(comment.pk), REMOTE_ADDR=next_ip())
    assert response.status_code == 405


# Reporting: nothing personal kept or shown.


def test_report_stores_a_client_key_not_the_address(api_client, comment):
    report(api_client, comment, ip="203.0.113.20")
    key = CommentReport.objects.get().client_key
    assert key == client_key("203.0.113.20")
    assert "203.0.113.20" not in key


def test_client_key_differs_per_address():
    assert client_key("203.0.113.20") != client_key("203.0.113.21")


def test_reporter_address_is_stored_nowhere_in_the_database(api_client, comment):
    report(api_client, comment, ip="203.0.113.20", note="See above.")
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert "203.0.113.20" not in dump.getvalue()


def test_report_answer_holds_no_email_or_address(api_client, comment):
    response = report(api_client, comment, ip="203.0.113.20")
    text = response.content.decode()
    for private in ("203.0.113.20", comment.email, comment.ip_address):
        assert private not in text


def test_already_reported_answer_holds_no_email_or_address(api_client, comment):
    report(api_client, comment, ip="203.0.113.20")
    text = report(api_client, comment, ip="203.0.113.20").content.decode()
    for private in ("203.0.113.20", comment.email, comment.ip_address):
        assert private not in text


# Enough reports: the Reported tab, and hidden if the host says so.


def test_comment_reported_by_enough_clients_is_in_the_reported_queue(api_client, comment):
    report_by_clients(api_client, comment, 3)
    assert list(comment_queue(reported=True)) == [comment]


def test_comment_reported_by_fewer_clients_is_not_in_the_reported_queue(api_client, comment):
    report_by_clients(api_client, comment, 2)
    assert list(comment_queue(reported=True)) == []
    assert list(comment_queue(reported=False)) == [comment]


def test_reports_to_review_setting_sets_the_threshold(api_client, comment, settings):
    settings.RLS_COMMENTS = {"REPORTS_TO_REVIEW": 1}
    report_by_clients(api_client, comment, 1)
    assert list(comment_queue(reported=True)) == [comment]


def test_one_client_reporting_twice_does_not_reach_the_threshold(api_client, comment, settings):
    settings.RLS_COMMENTS = {"REPORTS_TO_REVIEW": 2}
    report(api_client, comment, ip="203.0.113.20")
    report(api_client, comment, ip="203.0.113.20")
    assert list(comment_queue(reported=True)) == []


def test_reported_comment_is_in_the_staff_api_reported_list(api_client, moderator, comment):
    report_by_clients(api_client, comment, 3)
    api_client.force_login(moderator)
    response = api_client.get(LIST_URL, {"status": "approved", "reported": "true"})
    assert list(listed(response)) == [comment.pk]


def test_reported_comment_stays_public_by_default(api_client, comment):
    report_by_clients(api_client, comment, 3)
    assert public_ids(api_client, comment.article) == [comment.pk]


def test_reported_comment_leaves_the_public_list_when_hide_reported(
    api_client, comment, settings, django_capture_on_commit_callbacks
):
    settings.RLS_COMMENTS = {"HIDE_REPORTED": True}
    assert public_ids(api_client, comment.article) == [comment.pk]  # a page is cached
    with django_capture_on_commit_callbacks(execute=True):
        report_by_clients(api_client, comment, 3)
    assert public_ids(api_client, comment.article) == []


def test_reported_comment_leaves_the_article_count_when_hide_reported(
    api_client, comment, settings, django_capture_on_commit_callbacks
):
    settings.RLS_COMMENTS = {"HIDE_REPORTED": True}
    assert public_count(api_client, comment.article) == 1  # the document is stored
    with django_capture_on_commit_callbacks(execute=True):
        report_by_clients(api_client, comment, 3)
    assert public_count(api_client, comment.article) == 0


def test_comment_below_the_threshold_stays_public_when_hide_reported(api_client, comment, settings):
    settings.RLS_COMMENTS = {"HIDE_REPORTED": True}
    report_by_clients(api_client, comment, 2)
    assert public_ids(api_client, comment.article) == [comment.pk]
    assert public_count(api_client, comment.article) == 1


def test_hidden_comment_returns_once_its_reports_are_dismissed(
    api_client, comment, moderator, settings, django_capture_on_commit_callbacks
):
    settings.RLS_COMMENTS = {"HIDE_REPORTED": True}
    with django_capture_on_commit_callbacks(execute=True):
        report_by_clients(api_client, comment, 3)
    assert public_ids(api_client, comment.article) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_reports_dismiss(comment=comment, actor=moderator)
    assert public_ids(api_client, comment.article) == [comment.pk]
    assert public_count(api_client, comment.article) == 1


def test_hidden_comment_cannot_be_reported_again(api_client, comment, settings):
    settings.RLS_COMMENTS = {"HIDE_REPORTED": True}
    report_by_clients(api_client, comment, 3)
    assert report(api_client, comment).status_code == 404


# The report throttle.


def test_third_report_within_a_minute_from_one_client_is_throttled(api_client, settings):
    settings.RLS_COMMENTS = {"REPORT_THROTTLE_RATE": "2/minute"}
    comments = CommentFactory.create_batch(3)
    statuses = [report(api_client, c, ip="203.0.113.30").status_code for c in comments]
    assert statuses == [201, 201, 429]


def test_throttled_report_stores_nothing(api_client, settings):
    settings.RLS_COMMENTS = {"REPORT_THROTTLE_RATE": "2/minute"}
    for c in CommentFactory.create_batch(3):
        report(api_client, c, ip="203.0.113.30")
    assert CommentReport.objects.count() == 2


def test_report_throttle_counts_each_client_apart(api_client, settings):
    settings.RLS_COMMENTS = {"REPORT_THROTTLE_RATE": "2/minute"}
    comments = CommentFactory.create_batch(3)
    report(api_client, comments[0], ip="203.0.113.30")
    report(api_client, comments[1], ip="203.0.113.30")
    assert report(api_client, comments[2], ip="203.0.113.31").status_code == 201


def test_report_throttle_does_not_count_comment_posts(api_client, settings):
    settings.RLS_COMMENTS = {"REPORT_THROTTLE_RATE": "2/minute", "FLOOD_SECONDS": 0}
    comment = CommentFactory()
    for n in range(3):
        api_client.post(
            f"/api/v1/articles/{comment.article.slug}/comments/",
            {"name": "Bo", "email": "bo@example.org", "body": f"Remark {n}."},
            format="json",
            REMOTE_ADDR="203.0.113.30",
        )
    assert report(api_client, comment, ip="203.0.113.30").status_code == 201


# The staff API: filters.


def test_staff_list_filters_by_priority_urgent(as_moderator):
    urgent = CommentFactory(status=Comment.Status.PENDING, priority=Comment.Priority.URGENT)
    CommentFactory(status=Comment.Status.PENDING)
    assert list(listed(as_moderator.get(LIST_URL, {"priority": "urgent"}))) == [urgent.pk]


def test_staff_list_filters_by_priority_normal(as_moderator):
    CommentFactory(status=Comment.Status.PENDING, priority=Comment.Priority.URGENT)
    normal = CommentFactory(status=Comment.Status.PENDING)
    assert list(listed(as_moderator.get(LIST_URL, {"priority": "normal"}))) == [normal.pk]


def test_staff_list_reported_true_lists_only_comments_at_the_threshold(as_moderator):
    reported = CommentFactory()
    add_reports(reported, 3)
    add_reports(CommentFactory(), 2)
    params = {"status": "approved", "reported": "true"}
    assert list(listed(as_moderator.get(LIST_URL, params))) == [reported.pk]


def test_staff_list_reported_false_leaves_out_comments_at_the_threshold(as_moderator):
    add_reports(CommentFactory(), 3)
    below = CommentFactory()
    add_reports(below, 2)
    params = {"status": "approved", "reported": "false"}
    assert list(listed(as_moderator.get(LIST_URL, params))) == [below.pk]


@pytest.mark.parametrize(("name", "value"), [("priority", "high"), ("reported", "yes")])
def test_staff_list_bad_filter_value_answers_400(as_moderator, name, value):
    response = as_moderator.get(LIST_URL, {name: value})
    assert response.status_code == 400
    assert name in response.json()


# The staff API: what each item carries.


def test_staff_item_carries_triage_fields(as_moderator):
    CommentFactory(status=Comment.Status.PENDING)
    [item] = as_moderator.get(LIST_URL).json()["results"]
    assert {"priority", "reasons", "reports", "author_history", "staff"} <= set(item)


def test_staff_item_carries_priority_and_reasons(as_moderator):
    reasons = [{"rule": "crisis_language", "verdict": "hold", "detail": "crisis language"}]
    CommentFactory(status=Comment.Status.PENDING, priority=Comment.Priority.URGENT, reasons=reasons)
    [item] = as_moderator.get(LIST_URL).json()["results"]
    assert (item["priority"], item["reasons"]) == ("urgent", reasons)


def test_staff_item_reasons_keep_their_spans(as_moderator):
    reasons = [{"rule": "personal_data", "verdict": "hold", "detail": "d", "spans": [[0, 4]]}]
    CommentFactory(status=Comment.Status.PENDING, reasons=reasons)
    [item] = as_moderator.get(LIST_URL).json()["results"]
    assert item["reasons"] == reasons


def test_staff_item_counts_open_reports_by_reason_with_their_notes(as_moderator):
    comment = CommentFactory()
    add_reports(comment, 2, reason="abuse")
    services.comment_report(
        comment=comment, reason="spam", note="An advert.", client=client_key("x")
    )
    item = listed(as_moderator.get(LIST_URL, {"status": "approved"}))[comment.pk]
    reports = item["reports"]
    assert (reports["count"], reports["reasons"]) == (3, {"abuse": 2, "spam": 1})
    assert [(n["reason"], n["note"]) for n in reports["notes"]] == [("spam", "An advert.")]


def test_staff_item_without_reports_has_empty_reports(as_moderator):
    CommentFactory(status=Comment.Status.PENDING)
    [item] = as_moderator.get(LIST_URL).json()["results"]
    assert item["reports"] == {"count": 0, "reasons": {}, "notes": []}


def test_staff_item_leaves_dismissed_reports_out(as_moderator, moderator):
    comment = CommentFactory()
    add_reports(comment, 2)
    services.comment_reports_dismiss(comment=comment, actor=moderator)
    item = listed(as_moderator.get(LIST_URL, {"status": "approved"}))[comment.pk]
    assert item["reports"]["count"] == 0


def test_staff_item_carries_the_author_history(as_moderator):
    email = "history@example.org"
    CommentFactory.create_batch(2, email=email)
    CommentFactory(email=email, status=Comment.Status.SPAM)
    CommentFactory(email=email, status=Comment.Status.REMOVED)
    CommentFactory(email=email, status=Comment.Status.PENDING)
    [item] = as_moderator.get(LIST_URL).json()["results"]
    assert item["author_history"] == {"approved": 2, "pending": 1, "spam": 1, "removed": 1}


def test_staff_item_history_counts_only_its_own_author(as_moderator):
    CommentFactory(email="someone.else@example.org")
    CommentFactory(status=Comment.Status.PENDING, email="first.timer@example.org")
    [item] = as_moderator.get(LIST_URL).json()["results"]
    assert item["author_history"] == {"approved": 0, "pending": 1, "spam": 0, "removed": 0}


def test_staff_item_of_a_reader_says_staff_false(as_moderator):
    CommentFactory(status=Comment.Status.PENDING)
    [item] = as_moderator.get(LIST_URL).json()["results"]
    assert item["staff"] is False


def test_staff_action_answer_carries_reports_and_history(as_moderator):
    comment = CommentFactory(status=Comment.Status.PENDING, email="acted@example.org")
    response = as_moderator.post(f"/api/v1/moderation/comments/{comment.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["author_history"]["approved"] == 1
    assert response.json()["reports"]["count"] == 0


# The staff API: a fixed number of queries per page.


def add_reported_comments(count: int) -> None:
    """``count`` approved comments by different authors, each with two reports and a note."""
    for _ in range(count):
        comment = CommentFactory(reasons=[{"rule": "default", "verdict": "hold", "detail": "d"}])
        add_reports(comment, 2, note="Please look.")


def moderation_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL, {"status": "approved", "page_size": 200})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_moderation_list_runs_the_pinned_number_of_queries(as_moderator):
    add_reported_comments(1)
    moderation_list_queries(as_moderator)  # warm up: content types, URL resolver
    assert moderation_list_queries(as_moderator) == MODERATION_LIST_QUERIES


def test_moderation_list_of_50_runs_as_many_queries_as_a_list_of_one(as_moderator, moderator):
    add_reported_comments(1)
    moderation_list_queries(as_moderator)
    one = moderation_list_queries(as_moderator)
    add_reported_comments(49)
    Comment.objects.update(moderated_by=moderator)
    many = moderation_list_queries(as_moderator)
    assert one == many == MODERATION_LIST_QUERIES


def test_moderation_list_of_50_serves_every_comment_with_its_reports(as_moderator):
    # The query count above means something only if every comment was serialised.
    add_reported_comments(50)
    items = listed(as_moderator.get(LIST_URL, {"status": "approved", "page_size": 200}))
    assert len(items) == 50
    assert {item["reports"]["count"] for item in items.values()} == {2}
    assert {item["author_history"]["approved"] for item in items.values()} == {1}


# Services: a moderator's reply.


def test_staff_reply_is_published_approved(comment, moderator):
    reply = services.comment_reply(parent=comment, body="Thank you, noted.", author=moderator)
    assert (reply.status, reply.parent, reply.staff_reply) == (
        Comment.Status.APPROVED,
        comment,
        True,
    )


def test_staff_reply_is_public_and_marked_staff(api_client, comment, moderator):
    reply = services.comment_reply(parent=comment, body="Thank you, noted.", author=moderator)
    items = api_client.get(f"/api/v1/articles/{comment.article.slug}/comments/").json()["results"]
    assert [(item["id"], item["staff"]) for item in items] == [
        (comment.pk, False),
        (reply.pk, True),
    ]


def test_staff_reply_appears_on_a_cached_public_list(
    api_client, comment, moderator, django_capture_on_commit_callbacks
):
    assert public_ids(api_client, comment.article) == [comment.pk]
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.comment_reply(parent=comment, body="Noted.", author=moderator)
    assert public_ids(api_client, comment.article) == [comment.pk, reply.pk]


def test_staff_reply_records_its_moderator(comment, moderator):
    reply = services.comment_reply(parent=comment, body="Thank you, noted.", author=moderator)
    assert reply.moderated_by == moderator
    assert reply.moderated_at is not None


def test_staff_reply_approves_a_pending_parent_first(moderator):
    parent = CommentFactory(status=Comment.Status.PENDING)
    services.comment_reply(parent=parent, body="Welcome.", author=moderator)
    parent.refresh_from_db()
    assert (parent.status, parent.moderated_by) == (Comment.Status.APPROVED, moderator)


def test_staff_reply_past_max_depth_is_refused_too_deep(moderator, settings):
    settings.RLS_COMMENTS = {"MAX_DEPTH": 2}
    top = CommentFactory()
    deepest = CommentFactory(article=top.article, parent=top)
    with pytest.raises(services.CommentNotAllowed) as refused:
        services.comment_reply(parent=deepest, body="Too deep.", author=moderator)
    assert refused.value.code == "too_deep"


def test_staff_reply_past_max_depth_stores_nothing(moderator, settings):
    settings.RLS_COMMENTS = {"MAX_DEPTH": 1}
    parent = CommentFactory(status=Comment.Status.PENDING)
    with pytest.raises(services.CommentNotAllowed):
        services.comment_reply(parent=parent, body="Too deep.", author=moderator)
    parent.refresh_from_db()
    assert (Comment.objects.count(), parent.status) == (1, Comment.Status.PENDING)


def test_staff_reply_at_max_depth_is_accepted(moderator, settings):
    settings.RLS_COMMENTS = {"MAX_DEPTH": 2}
    reply = services.comment_reply(parent=CommentFactory(), body="Fine.", author=moderator)
    assert reply.depth == 2


def test_blank_staff_reply_is_refused(comment, moderator):
    with pytest.raises(services.CommentNotAllowed) as refused:
        services.comment_reply(parent=comment, body="   ", author=moderator)
    assert refused.value.code == "blank"


# Services: dismissing reports.


def test_dismissing_reports_clears_the_report_count(comment, moderator):
    add_reports(comment, 3)
    services.comment_reports_dismiss(comment=comment, actor=moderator)
    comment.refresh_from_db()
    assert comment.report_count == 0


def test_dismissing_reports_records_who_and_when(comment, moderator):
    add_reports(comment, 2)
    dismissed = services.comment_reports_dismiss(comment=comment, actor=moderator)
    reports = CommentReport.objects.all()
    assert sorted(dismissed) == sorted(r.pk for r in reports)
    assert {(r.dismissed_by, r.dismissed_at is not None) for r in reports} == {(moderator, True)}


def test_dismissed_comment_leaves_the_reported_queue(comment, moderator):
    add_reports(comment, 3)
    services.comment_reports_dismiss(comment=comment, actor=moderator)
    assert list(comment_queue(reported=True)) == []


def test_same_client_cannot_report_again_after_a_dismissal(api_client, comment, moderator):
    report(api_client, comment, ip="203.0.113.20")
    services.comment_reports_dismiss(comment=comment, actor=moderator)
    assert report(api_client, comment, ip="203.0.113.20").status_code == 409


def test_approving_a_reported_comment_dismisses_its_reports(comment, moderator):
    add_reports(comment, 3)
    services.comments_moderate(
        queryset=Comment.objects.filter(pk=comment.pk),
        status=Comment.Status.APPROVED,
        actor=moderator,
    )
    comment.refresh_from_db()
    assert comment.report_count == 0
    assert not CommentReport.objects.filter(dismissed_at=None).exists()


def test_removing_a_reported_comment_keeps_its_reports_open(comment, moderator):
    add_reports(comment, 3)
    services.comments_moderate(
        queryset=Comment.objects.filter(pk=comment.pk),
        status=Comment.Status.REMOVED,
        actor=moderator,
    )
    assert CommentReport.objects.filter(dismissed_at=None).count() == 3


def test_approving_through_the_staff_api_dismisses_reports(as_moderator, comment):
    add_reports(comment, 3)
    as_moderator.post(f"/api/v1/moderation/comments/{comment.pk}/approve/")
    comment.refresh_from_db()
    assert comment.report_count == 0


# Services: undoing a decision.


def undo_after(comment, status, actor) -> Comment:
    """Record the comment's state, move it to ``status``, then undo; returns it, reread."""
    before = services.decision_state(comment)
    services.comments_moderate(
        queryset=Comment.objects.filter(pk=comment.pk), status=status, actor=actor
    )
    services.comment_decision_undo(comment_id=comment.pk, before=before, actor=actor)
    comment.refresh_from_db()
    return comment


def test_undo_restores_the_status(moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    assert undo_after(comment, Comment.Status.SPAM, moderator).status == Comment.Status.PENDING


def test_undo_restores_who_moderated_and_when(moderator, django_user_model):
    earlier = django_user_model.objects.create_user("earlier", is_staff=True)
    moderated_at = timezone.now() - dt.timedelta(days=2)
    comment = CommentFactory(moderated_by=earlier, moderated_at=moderated_at)
    comment = undo_after(comment, Comment.Status.SPAM, moderator)
    assert (comment.status, comment.moderated_by, comment.moderated_at) == (
        Comment.Status.APPROVED,
        earlier,
        moderated_at,
    )


def test_undo_of_a_first_decision_clears_who_and_when(moderator):
    comment = undo_after(CommentFactory(status=Comment.Status.PENDING), "approved", moderator)
    assert (comment.moderated_by, comment.moderated_at) == (None, None)


def test_undo_reopens_the_reports_an_approval_dismissed(comment, moderator):
    add_reports(comment, 3)
    comment = undo_after(comment, Comment.Status.APPROVED, moderator)
    assert comment.report_count == 3
    assert CommentReport.objects.filter(dismissed_at=None, dismissed_by=None).count() == 3


def test_undone_approval_puts_the_comment_back_in_the_reported_queue(comment, moderator):
    add_reports(comment, 3)
    undo_after(comment, Comment.Status.APPROVED, moderator)
    assert list(comment_queue(reported=True)) == [comment]


def test_undo_leaves_reports_dismissed_before_the_decision_dismissed(comment, moderator):
    add_reports(comment, 2)
    services.comment_reports_dismiss(comment=comment, actor=moderator)
    comment.refresh_from_db()
    comment = undo_after(comment, Comment.Status.APPROVED, moderator)
    assert comment.report_count == 0
    assert CommentReport.objects.filter(dismissed_at=None).count() == 0


def test_undo_of_a_removal_puts_the_comment_back_on_the_public_list(
    api_client, comment, moderator, django_capture_on_commit_callbacks
):
    assert public_ids(api_client, comment.article) == [comment.pk]
    with django_capture_on_commit_callbacks(execute=True):
        undo_after(comment, Comment.Status.REMOVED, moderator)
    assert public_ids(api_client, comment.article) == [comment.pk]
