"""Hostile input: forged cursors, absurd JSON, dodged rules. A 4xx, never a 500."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def comments_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


def form(**fields) -> dict:
    return {"name": "Ada", "email": "ada@example.org", "body": "I agree.", **fields}


def forged_cursor(position: str) -> str:
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize("position", ["not-a-date", "9999-12-31T23:59:59-23:59"])
def test_forged_cursor_on_the_comment_list_is_not_found(api_client, position):
    article = CommentFactory().article
    response = api_client.get(comments_url(article), {"cursor": forged_cursor(position)})
    assert response.status_code == 404


def test_unicode_digit_page_size_is_a_bad_request(api_client):
    article = ArticleFactory()
    response = api_client.get(comments_url(article), {"page_size": "²"})
    assert response.status_code == 400


def test_absurdly_nested_json_is_a_bad_request(api_client):
    article = ArticleFactory()
    body = "[" * 30_000 + "]" * 30_000  # deep, yet under the 64 kB body limit
    response = api_client.post(
        comments_url(article), body, content_type="application/json", REMOTE_ADDR="198.51.100.1"
    )
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_bulk_moderation_with_an_id_beyond_64_bits_is_a_bad_request(api_client, moderator):
    api_client.force_authenticate(moderator)
    response = api_client.post(
        "/api/v1/moderation/comments/bulk/", {"ids": [2**63], "action": "approve"}, format="json"
    )
    assert response.status_code == 400


def test_logged_in_reader_can_post_without_a_csrf_token(django_user_model):
    # Comments are anonymous: a session in the same browser must not demand CSRF.
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    response = client.post(
        comments_url(ArticleFactory()),
        form(),
        content_type="application/json",
        REMOTE_ADDR="198.51.100.2",
    )
    assert response.status_code == 201


def test_stale_token_header_does_not_block_reading_comments(api_client):
    article = ArticleFactory()
    response = api_client.get(comments_url(article), HTTP_AUTHORIZATION="Token expired")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "variant", ["I  agree.", "i agree.", "I AGREE.", " I agree.\r\n", "Ｉ agree."]
)
def test_duplicate_differing_only_in_case_width_or_spacing_is_refused(api_client, variant):
    article = ArticleFactory()
    CommentFactory(article=article, email="ada@example.org", body="I agree.")
    response = api_client.post(
        comments_url(article), form(body=variant), format="json", REMOTE_ADDR="198.51.100.3"
    )
    assert response.status_code == 409


def test_junk_forwarded_address_falls_back_to_the_peer_address(api_client, settings):
    settings.RLS_COMMENTS = {**settings.RLS_COMMENTS, "NUM_PROXIES": 1}
    article = ArticleFactory()
    for body in ("First.", "Second."):
        response = api_client.post(
            comments_url(article),
            form(body=body),
            format="json",
            REMOTE_ADDR="198.51.100.4",
            HTTP_X_FORWARDED_FOR="not-an-address",
        )
    # The flood rule saw the real peer both times.
    assert response.status_code == 429
    assert Comment.objects.get().ip_address == "198.51.100.4"


def test_purge_keeps_a_chain_of_old_spam_that_a_real_reply_answers():
    old = timezone.now() - dt.timedelta(days=40)
    article = ArticleFactory()
    spam = CommentFactory(article=article, status=Comment.Status.SPAM, submitted_at=old)
    spam_reply = CommentFactory(
        article=article, parent=spam, status=Comment.Status.SPAM, submitted_at=old
    )
    real = CommentFactory(article=article, parent=spam_reply, status=Comment.Status.APPROVED)
    lone_spam = CommentFactory(article=article, status=Comment.Status.SPAM, submitted_at=old)

    call_command("purge_spam", "--older-than", "30", stdout=io.StringIO())

    remaining = set(Comment.objects.values_list("pk", flat=True))
    assert remaining == {spam.pk, spam_reply.pk, real.pk}
    assert lone_spam.pk not in remaining


def test_purge_removes_a_chain_made_only_of_old_spam():
    old = timezone.now() - dt.timedelta(days=40)
    spam = CommentFactory(status=Comment.Status.SPAM, submitted_at=old)
    CommentFactory(article=spam.article, parent=spam, status=Comment.Status.SPAM, submitted_at=old)
    out = io.StringIO()
    call_command("purge_spam", "--older-than", "30", stdout=out)
    assert Comment.objects.count() == 0
    assert "Deleted 2" in out.getvalue()


def test_moderation_notice_leaves_out_the_commenters_email_and_ip(
    moderator, django_capture_on_commit_callbacks
):
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            comments_url(ArticleFactory()),
            form(email="private-7c1@example.net"),
            format="json",
            REMOTE_ADDR="198.51.100.77",
        )
    assert response.status_code == 201
    [notice] = mail.outbox
    assert "private-7c1@example.net" not in notice.body + notice.subject
    assert "198.51.100.77" not in notice.body + notice.subject
    assert "/admin/comments/pendingcomment/" in notice.body


def test_comment_str_names_its_author_and_article_but_not_its_text():
    comment = CommentFactory(
        name="Zelda Private", body="Very personal text.", article__title="Sleep"
    )
    assert str(comment) == "Comment by Zelda Private on “Sleep”"


def test_erasing_rewrites_the_admin_log_entries_that_name_the_author(admin_user):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from comments import services

    comment = CommentFactory(name="Zelda Private", email="zelda@example.org")
    LogEntry.objects.log_actions(admin_user.pk, [comment], CHANGE, single_object=True)
    services.commenter_data_erase(emails=["zelda@example.org"])
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(comment), object_id=str(comment.pk)
    )
    assert "Zelda" not in entry.object_repr
    assert entry.object_repr.startswith("Comment by Anonymous")
