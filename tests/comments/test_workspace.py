"""The moderation workspace's server side: tabs, decisions, Undo, bulk actions, who may do what.

The browser's side (keys, no page load, 390 px) is tests/e2e/test_moderation.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments import workspace
from comments.models import Comment, CommentReport
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

WORKSPACE = reverse("admin:comments_pendingcomment_changelist")
JSON = {"Accept": "application/json"}
# Measured: session, user, permissions (own and group), the comment, its
# open reports (for the Undo), the decision in a savepoint (the ids, the
# update, the articles, their slugs and versions: 4 + 2 savepoint
# statements), the status for the Undo token, and the six tabs' capped
# counts for the page's badges.
DECIDE_QUERIES = 20


def decide_url(comment: Comment) -> str:
    return reverse("admin:comments_pendingcomment_decide", args=[comment.pk])


def shown(response) -> list[Comment]:
    assert response.status_code == 200
    return [row.comment for row in response.context["rows"]]


@pytest.fixture
def moderating(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def viewer(client, django_user_model):
    """Staff who may view comments but not moderate them."""
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="comments", codename="view_comment")
    )
    client.force_login(user)
    return client


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


# Tabs ---------------------------------------------------------------------------------


def test_the_pending_tab_puts_crisis_language_first_then_the_oldest(moderating):
    old = CommentFactory(status=Comment.Status.PENDING, submitted_at=ago(60))
    new = CommentFactory(status=Comment.Status.PENDING, submitted_at=ago(1))
    urgent = CommentFactory(
        status=Comment.Status.PENDING, priority=Comment.Priority.URGENT, submitted_at=ago(5)
    )
    assert shown(moderating.get(WORKSPACE)) == [urgent, old, new]


def test_each_tab_holds_its_comments(moderating, settings):
    settings.RLS_COMMENTS = {"REPORTS_TO_REVIEW": 2}
    urgent = CommentFactory(status=Comment.Status.PENDING, priority=Comment.Priority.URGENT)
    approved = CommentFactory(status=Comment.Status.APPROVED, submitted_at=ago(10))
    reported = CommentFactory(status=Comment.Status.APPROVED, report_count=2)
    spam = CommentFactory(status=Comment.Status.SPAM)
    removed = CommentFactory(status=Comment.Status.REMOVED)
    expected = {
        "urgent": [urgent],
        "pending": [urgent],
        "reported": [reported],
        "approved": [reported, approved],  # newest first
        "spam": [spam],
        "removed": [removed],
    }
    for tab, comments in expected.items():
        assert shown(moderating.get(WORKSPACE, {"tab": tab})) == comments, tab


def test_tab_counts_and_the_summary_read_as_english(moderating):
    CommentFactory(status=Comment.Status.PENDING)
    response = moderating.get(WORKSPACE)
    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts == {
        "urgent": "0",
        "pending": "1",
        "reported": "0",
        "approved": "0",
        "spam": "0",
        "removed": "0",
    }
    assert response.context["summary"] == "1 pending comment"
    assert "<title>1 pending comment |" in response.content.decode()
    assert "<h1>Moderation queue</h1>" in response.content.decode()


def test_counts_stop_at_the_cap(moderating, monkeypatch):
    monkeypatch.setattr(workspace, "COUNT_CAP", 3)
    CommentFactory.create_batch(5, status=Comment.Status.PENDING)
    response = moderating.get(WORKSPACE)
    assert response.context["summary"] == "3+ pending comments"
    assert {tab["key"]: tab["count"] for tab in response.context["tabs"]}["pending"] == "3+"


def test_pages_follow_each_other_without_gaps_or_repeats(moderating, monkeypatch):
    monkeypatch.setattr(workspace, "PAGE_SIZE", 2)
    same_time = ago(5)
    comments = [
        CommentFactory(status=Comment.Status.PENDING, submitted_at=same_time) for _ in range(3)
    ]
    urgent = CommentFactory(status=Comment.Status.PENDING, priority=Comment.Priority.URGENT)
    seen, url = [], WORKSPACE
    while url:
        response = moderating.get(url)
        seen += shown(response)
        url = response.context["next_url"]
    assert seen == [urgent, *comments]


def test_search_finds_words_in_the_text(moderating):
    found = CommentFactory(status=Comment.Status.PENDING, body="Ferritin was low.")
    CommentFactory(status=Comment.Status.PENDING, body="Magnesium helped.")
    assert shown(moderating.get(WORKSPACE, {"q": "ferritin low"})) == [found]


def test_the_article_filter_shows_that_articles_comments(moderating):
    found = CommentFactory(status=Comment.Status.PENDING)
    CommentFactory(status=Comment.Status.PENDING)
    assert shown(moderating.get(WORKSPACE, {"article": found.article_id})) == [found]


def test_an_article_id_no_column_holds_shows_an_empty_tab(moderating):
    CommentFactory(status=Comment.Status.PENDING)
    assert shown(moderating.get(WORKSPACE, {"article": str(2**64)})) == []


def test_a_row_shows_every_reason_the_reply_it_answers_the_history_and_the_reports(moderating):
    article = ArticleFactory(title="Iron and sleep")
    parent = CommentFactory(
        article=article, status=Comment.Status.APPROVED, name="Asker", body="Does iron help?"
    )
    reply = CommentFactory(
        article=article,
        parent=parent,
        status=Comment.Status.APPROVED,
        email="repeat@example.org",
        body="Call 0161 496 0000 for tips.",
        reasons=[
            {"rule": "known_author", "verdict": "approve", "detail": "known author"},
            {
                "rule": "personal_data",
                "verdict": "hold",
                "detail": "personal data: phone number",
                "spans": [[5, 18]],
            },
        ],
        report_count=3,
    )
    CommentFactory(email="repeat@example.org", status=Comment.Status.SPAM)
    CommentReport.objects.create(comment=reply, reason="spam", note="Ads.", client_key="a")
    CommentReport.objects.create(comment=reply, reason="spam", client_key="b")
    CommentReport.objects.create(comment=reply, reason="abuse", client_key="c")

    content = moderating.get(WORKSPACE, {"tab": "reported"}).content.decode()

    assert "Comment by " in content and "Iron and sleep" in content
    assert '<li class="mq-chip mq-chip-approve">known author</li>' in content
    assert '<li class="mq-chip mq-chip-hold">personal data: phone number</li>' in content
    assert "Call <mark>0161 496 0000</mark> for tips." in content
    assert "In reply to Asker:" in content and "Does iron help?" in content
    assert "History: 1 approved, 1 spam, 0 removed" in content
    assert "3 open reports" in content
    assert "Spam × 2" in content and "Abuse or harassment × 1" in content
    assert "Ads." in content
    assert f'href="/articles/{article.slug}/#_comment-{reply.pk}"' in content


def test_a_comment_held_by_default_says_so(moderating, api_client):
    article = ArticleFactory()
    api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"name": "New", "email": "new@example.org", "body": "Hello."},
        format="json",
    )
    content = moderating.get(WORKSPACE).content.decode()
    assert "no rule approved it: held by default" in content


def test_text_is_escaped_marks_and_all(moderating):
    CommentFactory(
        status=Comment.Status.PENDING,
        body="<script>x()</script> call 555",
        reasons=[{"rule": "t", "verdict": "hold", "detail": "d", "spans": [[0, 8]]}],
    )
    content = moderating.get(WORKSPACE).content.decode()
    assert "<mark>&lt;script&gt;</mark>x()&lt;/script&gt; call 555" in content
    assert "<script>x()" not in content


# Decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", Comment.Status.APPROVED, "Approved the comment by Ada."),
        ("spam", Comment.Status.SPAM, "Marked as spam the comment by Ada."),
        ("remove", Comment.Status.REMOVED, "Removed the comment by Ada."),
    ],
)
def test_a_decision_answers_json_with_an_undo_and_fresh_counts(
    moderating, moderator, action, status, message
):
    comment = CommentFactory(status=Comment.Status.PENDING, name="Ada")
    response = moderating.post(decide_url(comment), {"action": action}, headers=JSON)
    assert response.status_code == 200
    answer = response.json()
    assert answer["message"] == message
    assert answer["counts"]["pending"] == "0"
    assert answer["summary"] == "0 pending comments"
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (status, moderator)

    undone = moderating.post(
        decide_url(comment), {"action": "undo", "token": answer["undo"]}, headers=JSON
    )
    assert undone.status_code == 200
    assert undone.json()["counts"]["pending"] == "1"
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by, comment.moderated_at) == (
        Comment.Status.PENDING,
        None,
        None,
    )


def test_a_decision_without_javascript_redirects_to_the_tab_and_offers_undo(moderating):
    comment = CommentFactory(status=Comment.Status.PENDING, name="Ada")
    response = moderating.post(
        decide_url(comment), {"action": "approve", "tab": "urgent"}, follow=True
    )
    assert response.redirect_chain == [(f"{WORKSPACE}?tab=urgent", 302)]
    undo = response.context["undo"]
    assert undo["message"] == "Approved the comment by Ada."
    assert undo["url"] == decide_url(comment)
    again = moderating.post(undo["url"], {"action": "undo", "token": undo["token"]}, follow=True)
    assert [str(m) for m in again.context["messages"]] == ["Undone: the comment by Ada is back."]
    assert again.context["undo"] is None  # offered once
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_undo_of_a_dismissal_reopens_the_reports(moderating):
    comment = CommentFactory(status=Comment.Status.APPROVED, report_count=1)
    CommentReport.objects.create(comment=comment, reason="abuse", client_key="k")
    answer = moderating.post(decide_url(comment), {"action": "dismiss"}, headers=JSON).json()
    assert Comment.objects.get(pk=comment.pk).report_count == 0
    moderating.post(decide_url(comment), {"action": "undo", "token": answer["undo"]})
    assert Comment.objects.get(pk=comment.pk).report_count == 1
    assert CommentReport.objects.get().dismissed_at is None


def test_dismissing_a_comment_without_reports_is_refused(moderating):
    comment = CommentFactory(status=Comment.Status.APPROVED)
    response = moderating.post(decide_url(comment), {"action": "dismiss"}, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": "This comment has no open reports."}


def test_a_staff_reply_is_published_and_its_undo_takes_it_back(moderating, moderator):
    question = CommentFactory(status=Comment.Status.PENDING, name="Asker")
    answer = moderating.post(
        decide_url(question), {"action": "reply", "body": " Ask your GP. "}, headers=JSON
    ).json()
    reply = Comment.objects.get(parent=question)
    assert (reply.body, reply.staff_reply, reply.status) == (
        "Ask your GP.",
        True,
        Comment.Status.APPROVED,
    )
    assert Comment.objects.get(pk=question.pk).status == Comment.Status.APPROVED
    moderating.post(decide_url(question), {"action": "undo", "token": answer["undo"]})
    assert not Comment.objects.filter(pk=reply.pk).exists()
    assert Comment.objects.get(pk=question.pk).status == Comment.Status.PENDING


@pytest.mark.parametrize(("body", "detail"), [("   ", "Write the reply first.")])
def test_an_empty_reply_is_refused(moderating, body, detail):
    question = CommentFactory(status=Comment.Status.PENDING)
    response = moderating.post(
        decide_url(question), {"action": "reply", "body": body}, headers=JSON
    )
    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert Comment.objects.count() == 1


def test_an_unknown_action_is_refused(moderating):
    comment = CommentFactory(status=Comment.Status.PENDING)
    response = moderating.post(decide_url(comment), {"action": "publish"}, headers=JSON)
    assert response.status_code == 400
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_an_undo_token_works_only_for_its_comment_unaltered_and_in_time(moderating):
    first, second = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    token = moderating.post(decide_url(first), {"action": "approve"}, headers=JSON).json()["undo"]

    def undo(comment, token):
        return moderating.post(
            decide_url(comment), {"action": "undo", "token": token}, headers=JSON
        )

    assert undo(second, token).json() == {"detail": "This undo link belongs to another comment."}
    assert undo(first, token[:-2] + "xx").json() == {"detail": "This undo link is not valid."}
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=workspace.UNDO_MAX_AGE + 1)):
        assert undo(first, token).json() == {"detail": "Too late to undo: decide again instead."}
    assert Comment.objects.get(pk=first.pk).status == Comment.Status.APPROVED


def test_an_undo_does_not_overwrite_another_moderators_later_decision(moderating):
    comment = CommentFactory(status=Comment.Status.PENDING)
    token = moderating.post(decide_url(comment), {"action": "approve"}, headers=JSON).json()["undo"]
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.SPAM)
    response = moderating.post(
        decide_url(comment), {"action": "undo", "token": token}, headers=JSON
    )
    assert response.status_code == 400
    assert "changed since" in response.json()["detail"]
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.SPAM


def test_a_decision_costs_the_same_queries_with_many_comments_waiting(moderating):
    comments = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    moderating.post(decide_url(comments[0]), {"action": "approve"}, headers=JSON)  # warm up

    def queries(comment) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = moderating.post(decide_url(comment), {"action": "spam"}, headers=JSON)
        assert response.status_code == 200
        return len(captured)

    few = queries(comments[1])
    CommentFactory.create_batch(60, status=Comment.Status.PENDING)
    assert few == queries(comments[2]) == DECIDE_QUERIES


# Who may do what, and every method ------------------------------------------------------


def test_a_moderator_without_delete_permission_is_not_offered_delete(moderating):
    CommentFactory(status=Comment.Status.PENDING)
    assert "delete_selected" not in dict(moderating.get(WORKSPACE).context["bulk_actions"])


def test_a_viewer_sees_the_workspace_without_buttons_and_cannot_decide(viewer):
    comment = CommentFactory(status=Comment.Status.PENDING)
    response = viewer.get(WORKSPACE)
    assert shown(response) == [comment]
    assert response.context["can_moderate"] is False
    assert 'name="action" value="approve"' not in response.content.decode()
    assert viewer.post(decide_url(comment), {"action": "approve"}).status_code == 403
    refused = viewer.post(decide_url(comment), {"action": "approve"}, headers=JSON)
    assert refused.status_code == 403
    assert "moderate_comment" in refused.json()["detail"]
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_staff_without_comment_permissions_cannot_open_the_workspace(client, staff_user):
    client.force_login(staff_user)
    assert client.get(WORKSPACE).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    for response in (client.get(WORKSPACE), client.post(decide_url(comment), {"action": "a"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert Comment.objects.get().status == Comment.Status.PENDING


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_workspace_answers_405_to_other_methods(moderating, method):
    assert getattr(moderating, method)(WORKSPACE).status_code == 405


@pytest.mark.parametrize("method", ["get", "head", "put", "patch", "delete"])
def test_a_decision_is_a_post_and_nothing_else(moderating, method):
    comment = CommentFactory(status=Comment.Status.PENDING)
    assert getattr(moderating, method)(decide_url(comment)).status_code == 405
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_decision_on_a_missing_comment_is_404(moderating):
    url = reverse("admin:comments_pendingcomment_decide", args=[999_999])
    assert moderating.post(url, {"action": "approve"}).status_code == 404


# Bulk ------------------------------------------------------------------------------------


def test_the_bulk_menu_names_comments_in_english(admin_client):
    CommentFactory(status=Comment.Status.PENDING)
    labels = dict(admin_client.get(WORKSPACE).context["bulk_actions"])
    assert labels["delete_selected"] == "Delete selected comments"
    assert labels["approve"] == "Approve the selected comments"


def test_bulk_delete_asks_first_speaking_of_comments_then_deletes(admin_client):
    moderating = admin_client
    chosen = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    kept = CommentFactory(status=Comment.Status.PENDING)
    data = {"action": "delete_selected", "_selected_action": [c.pk for c in chosen]}
    confirm = moderating.post(WORKSPACE, data)
    assert confirm.status_code == 200
    assert "Are you sure you want to delete the selected comments?" in confirm.content.decode()
    assert Comment.objects.count() == 3
    done = moderating.post(WORKSPACE, {**data, "post": "yes"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == ["Successfully deleted 2 comments."]
    assert list(Comment.objects.all()) == [kept]


def test_bulk_without_a_selection_changes_nothing_and_says_so(moderating):
    CommentFactory(status=Comment.Status.PENDING)
    response = moderating.post(WORKSPACE, {"action": "approve"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Select comments first: none were changed."
    ]
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_bulk_with_an_action_not_offered_changes_nothing(viewer):
    comment = CommentFactory(status=Comment.Status.PENDING)
    viewer.post(WORKSPACE, {"action": "approve", "_selected_action": [comment.pk]})
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_the_undo_token_is_signed_with_its_own_salt(moderating):
    comment = CommentFactory(status=Comment.Status.PENDING)
    forged = signing.dumps(
        {"comment": comment.pk, "before": {"status": "approved"}, "after": "pending"}
    )  # signed, but not for this purpose
    response = moderating.post(
        decide_url(comment), {"action": "undo", "token": forged}, headers=JSON
    )
    assert response.json() == {"detail": "This undo link is not valid."}
