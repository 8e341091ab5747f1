"""The staff moderation API: the queue with private fields, and recorded actions.

Only staff users holding ``comments.moderate_comment`` may read the queue or
move a comment, by session or by token; every move records who and when.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comments.models import Comment
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/moderation/comments/"
BULK_URL = "/api/v1/moderation/comments/bulk/"
STATUS_OF_ACTION = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "remove": Comment.Status.REMOVED,
}
UNKNOWN_ID = 987654321


def action_url(comment_id: int, action: str) -> str:
    return f"/api/v1/moderation/comments/{comment_id}/{action}/"


def public_ids(comment: Comment) -> list[int]:
    response = APIClient().get(f"/api/v1/articles/{comment.article.slug}/comments/")
    assert response.status_code == 200
    return [c["id"] for c in response.json()["results"]]


def listed_ids(response) -> list[int]:
    assert response.status_code == 200
    return [c["id"] for c in response.json()["results"]]


def post_action(client, comment: Comment, action: str):
    """Move ``comment`` with one of the write endpoints (``bulk`` or a single action)."""
    if action == "bulk":
        return client.post(BULK_URL, {"ids": [comment.pk], "action": "approve"}, format="json")
    return client.post(action_url(comment.pk, action))


def assert_unchanged(comment: Comment) -> None:
    status = comment.status
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.moderated_by is None
    assert comment.moderated_at is None


@pytest.fixture
def pending():
    return CommentFactory(status=Comment.Status.PENDING)


@pytest.fixture
def as_moderator(api_client, moderator):
    api_client.force_login(moderator)
    return api_client


@pytest.fixture
def as_reader(api_client, django_user_model):
    """Logged in, not staff (holding the permission does not make up for it)."""
    reader = django_user_model.objects.create_user("reader", password="pw")
    reader.user_permissions.set(
        Permission.objects.filter(content_type__app_label="comments", codename="moderate_comment")
    )
    api_client.force_login(reader)
    return api_client


@pytest.fixture
def as_staff_without_permission(api_client, django_user_model):
    """Staff who may view and change comments, but not moderate them."""
    user = django_user_model.objects.create_user("comment-editor", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="comments", codename__in=["view_comment", "change_comment"]
        )
    )
    api_client.force_login(user)
    return api_client


WRITES = ["approve", "spam", "remove", "bulk"]


# Who may use it --------------------------------------------------------------------


def test_anonymous_cannot_list_queue(api_client, pending):
    response = api_client.get(LIST_URL)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("action", WRITES)
def test_anonymous_action_is_refused_and_changes_nothing(api_client, pending, action):
    response = post_action(api_client, pending, action)

    assert response.status_code == 401
    assert_unchanged(pending)


def test_non_staff_user_cannot_list_queue(as_reader, pending):
    assert as_reader.get(LIST_URL).status_code == 403


@pytest.mark.parametrize("action", WRITES)
def test_non_staff_user_action_is_refused_and_changes_nothing(as_reader, pending, action):
    response = post_action(as_reader, pending, action)

    assert response.status_code == 403
    assert_unchanged(pending)


def test_staff_without_moderate_permission_cannot_list_queue(as_staff_without_permission, pending):
    assert as_staff_without_permission.get(LIST_URL).status_code == 403


@pytest.mark.parametrize("action", WRITES)
def test_staff_without_moderate_permission_action_is_refused_and_changes_nothing(
    as_staff_without_permission, pending, action
):
    response = post_action(as_staff_without_permission, pending, action)

    assert response.status_code == 403
    assert_unchanged(pending)


def test_staff_with_article_permissions_only_is_refused(api_client, staff_user, pending):
    api_client.force_login(staff_user)

    response = post_action(api_client, pending, "approve")

    assert response.status_code == 403
    assert_unchanged(pending)


def test_moderator_session_can_list_queue(as_moderator, pending):
    assert listed_ids(as_moderator.get(LIST_URL)) == [pending.pk]


def test_moderator_session_can_approve(as_moderator, pending):
    response = as_moderator.post(action_url(pending.pk, "approve"))

    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED


def test_moderator_session_without_csrf_token_is_refused(moderator, pending):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(moderator)

    response = client.post(action_url(pending.pk, "approve"))

    assert response.status_code == 403
    assert_unchanged(pending)


def test_moderator_token_can_list_queue(api_client, moderator, pending):
    token = Token.objects.create(user=moderator)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert listed_ids(api_client.get(LIST_URL)) == [pending.pk]


def test_moderator_token_can_approve(moderator, pending):
    token = Token.objects.create(user=moderator)
    # Token auth needs no CSRF token: there is no cookie to ride on.
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(action_url(pending.pk, "approve"))

    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED


def test_invalid_token_is_refused(api_client, pending):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = post_action(api_client, pending, "approve")

    assert response.status_code == 401
    assert_unchanged(pending)


# The list ---------------------------------------------------------------------------


def test_list_shows_private_fields_to_moderators(as_moderator):
    CommentFactory(
        status=Comment.Status.PENDING,
        email="private@example.org",
        ip_address="203.0.113.9",
        user_agent="Mozilla/5.0 (queue test)",
        moderation_reason="Contains 3 links; more than 2 are held.",
    )

    [item] = as_moderator.get(LIST_URL).json()["results"]

    assert item["email"] == "private@example.org"
    assert item["ip_address"] == "203.0.113.9"
    assert item["user_agent"] == "Mozilla/5.0 (queue test)"
    assert item["moderation_reason"] == "Contains 3 links; more than 2 are held."


def test_list_defaults_to_pending(as_moderator):
    pending = CommentFactory(status=Comment.Status.PENDING)
    for status in (Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.REMOVED):
        CommentFactory(status=status)

    assert listed_ids(as_moderator.get(LIST_URL)) == [pending.pk]


def test_list_filters_by_status(as_moderator):
    spam = CommentFactory(status=Comment.Status.SPAM)
    CommentFactory(status=Comment.Status.PENDING)
    CommentFactory(status=Comment.Status.APPROVED)

    assert listed_ids(as_moderator.get(LIST_URL, {"status": "spam"})) == [spam.pk]


def test_list_is_oldest_first(as_moderator):
    now = timezone.now()
    newer = CommentFactory(status=Comment.Status.PENDING, submitted_at=now)
    older = CommentFactory(status=Comment.Status.PENDING, submitted_at=now - dt.timedelta(hours=1))

    assert listed_ids(as_moderator.get(LIST_URL)) == [older.pk, newer.pk]


def test_list_unknown_status_is_400(as_moderator):
    response = as_moderator.get(LIST_URL, {"status": "bogus"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_list_unknown_query_parameter_is_400(as_moderator):
    response = as_moderator.get(LIST_URL, {"statuss": "spam"})

    assert response.status_code == 400
    assert "statuss" in response.json()


# Single actions ---------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "spam", "remove"])
def test_action_moves_comment(as_moderator, pending, action):
    response = as_moderator.post(action_url(pending.pk, action))

    assert response.status_code == 200
    assert response.json()["status"] == STATUS_OF_ACTION[action]
    pending.refresh_from_db()
    assert pending.status == STATUS_OF_ACTION[action]


@pytest.mark.parametrize("action", ["approve", "spam", "remove"])
def test_action_records_moderator_and_time(as_moderator, moderator, pending, action):
    before = timezone.now()

    response = as_moderator.post(action_url(pending.pk, action))

    assert response.json()["moderated_by"] == "moderator"
    assert response.json()["moderated_at"] is not None
    pending.refresh_from_db()
    assert pending.moderated_by == moderator
    assert before <= pending.moderated_at <= timezone.now()


def test_approved_comment_appears_in_public_list(as_moderator, pending):
    assert pending.pk not in public_ids(pending)

    as_moderator.post(action_url(pending.pk, "approve"))

    assert pending.pk in public_ids(pending)


def test_removed_comment_leaves_public_list(as_moderator):
    comment = CommentFactory(status=Comment.Status.APPROVED)
    assert comment.pk in public_ids(comment)

    as_moderator.post(action_url(comment.pk, "remove"))

    assert comment.pk not in public_ids(comment)


@pytest.mark.parametrize("action", ["approve", "spam", "remove"])
def test_action_on_unknown_comment_is_404(as_moderator, action):
    assert as_moderator.post(action_url(UNKNOWN_ID, action)).status_code == 404


# Bulk ---------------------------------------------------------------------------------


def test_bulk_applies_action_to_every_id_and_returns_count(as_moderator, moderator):
    chosen = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    untouched = CommentFactory(status=Comment.Status.PENDING)

    response = as_moderator.post(
        BULK_URL, {"ids": [c.pk for c in chosen], "action": "approve"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["updated"] == 3
    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == Comment.Status.APPROVED
        assert comment.moderated_by == moderator
        assert comment.moderated_at is not None
    untouched.refresh_from_db()
    assert untouched.status == Comment.Status.PENDING


def test_bulk_with_unknown_id_is_400_and_changes_nothing(as_moderator, pending):
    response = as_moderator.post(
        BULK_URL, {"ids": [pending.pk, UNKNOWN_ID], "action": "approve"}, format="json"
    )

    assert response.status_code == 400
    assert "ids" in response.json()
    assert_unchanged(pending)


def test_bulk_with_unknown_action_is_400(as_moderator, pending):
    response = as_moderator.post(
        BULK_URL, {"ids": [pending.pk], "action": "publish"}, format="json"
    )

    assert response.status_code == 400
    assert "action" in response.json()
    assert_unchanged(pending)


def test_bulk_with_empty_ids_is_400(as_moderator):
    response = as_moderator.post(BULK_URL, {"ids": [], "action": "approve"}, format="json")

    assert response.status_code == 400
    assert "ids" in response.json()


def test_bulk_with_non_integer_ids_is_400(as_moderator, pending):
    response = as_moderator.post(
        BULK_URL, {"ids": [pending.pk, "all"], "action": "approve"}, format="json"
    )

    assert response.status_code == 400
    assert "ids" in response.json()
    assert_unchanged(pending)
