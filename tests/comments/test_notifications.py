"""Moderators hear of a new pending comment by email, after commit; a mail failure loses nothing."""

from __future__ import annotations

import io
import itertools
import logging
import smtplib

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from comments import notifications, services
from comments.models import Comment
from comments.moderation import Submission
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

COMMENTER_EMAIL = "commenter-7f3a@example.net"
_addresses = itertools.count(1)


class FailingEmailBackend(BaseEmailBackend):
    """An email backend whose mail server is always down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server is down.")


@pytest.fixture(autouse=True)
def fresh_state(settings):
    cache.clear()
    settings.RLS_COMMENTS = {}
    yield
    cache.clear()


@pytest.fixture
def moderate_permission():
    return Permission.objects.get(content_type__app_label="comments", codename="moderate_comment")


def post_comment(client, article=None, **fields):
    article = article or ArticleFactory()
    data = {
        "name": "Commenter",
        "email": COMMENTER_EMAIL,
        "body": f"Remark number {next(_addresses)}.",
        **fields,
    }
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        data,
        format="json",
        REMOTE_ADDR=f"198.51.100.{next(_addresses) % 250 + 1}",
    )


def post_and_commit(client, capture, **fields):
    """POST a comment and run what waits for the commit, as a real request would."""
    with capture(execute=True):
        return post_comment(client, **fields)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# Who is told.


def test_pending_comment_sends_one_email(api_client, moderator, django_capture_on_commit_callbacks):
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_moderator_with_the_permission_is_told(
    api_client, moderator, django_capture_on_commit_callbacks
):
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert recipients() == [moderator.email]


def test_moderator_by_group_permission_is_told(
    api_client, django_user_model, moderate_permission, django_capture_on_commit_callbacks
):
    group = Group.objects.create(name="Moderators")
    group.permissions.add(moderate_permission)
    user = django_user_model.objects.create_user(
        "grouped", email="grouped@example.org", is_staff=True
    )
    user.groups.add(group)
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert recipients() == ["grouped@example.org"]


def test_superuser_is_told(api_client, django_user_model, django_capture_on_commit_callbacks):
    django_user_model.objects.create_superuser("root", email="root@example.org", password="pw")
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert recipients() == ["root@example.org"]


def test_every_moderator_is_told(
    api_client, moderator, django_user_model, django_capture_on_commit_callbacks
):
    django_user_model.objects.create_superuser("root", email="root@example.org", password="pw")
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert recipients() == sorted([moderator.email, "root@example.org"])


def test_inactive_moderator_is_not_told(api_client, moderator, django_capture_on_commit_callbacks):
    moderator.is_active = False
    moderator.save()
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_staff_without_the_permission_is_not_told(
    api_client, staff_user, django_capture_on_commit_callbacks
):
    staff_user.email = "editor@example.org"
    staff_user.save()
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_non_staff_user_with_the_permission_is_not_told(
    api_client, django_user_model, moderate_permission, django_capture_on_commit_callbacks
):
    user = django_user_model.objects.create_user("reader", email="reader@example.org")
    user.user_permissions.add(moderate_permission)
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_moderator_without_an_email_is_skipped(
    api_client, moderator, django_capture_on_commit_callbacks
):
    moderator.email = ""
    moderator.save()
    response = post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert response.status_code == 201
    assert mail.outbox == []


def test_moderator_emails_setting_overrides_the_users(
    api_client, moderator, settings, django_capture_on_commit_callbacks
):
    settings.RLS_COMMENTS = {"MODERATOR_EMAILS": ["desk@example.org", "chief@example.org"]}
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert recipients() == ["chief@example.org", "desk@example.org"]


def test_empty_moderator_emails_setting_sends_nothing(
    api_client, moderator, settings, django_capture_on_commit_callbacks
):
    settings.RLS_COMMENTS = {"MODERATOR_EMAILS": []}
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert mail.outbox == []


# Which comments.


def test_approved_comment_sends_no_email(api_client, moderator, django_capture_on_commit_callbacks):
    CommentFactory(name="Commenter", email=COMMENTER_EMAIL, status=Comment.Status.APPROVED)
    response = post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert response.json()["status"] == "approved"
    assert mail.outbox == []


def test_spam_comment_sends_no_email(api_client, moderator, django_capture_on_commit_callbacks):
    post_and_commit(api_client, django_capture_on_commit_callbacks, homepage="filled")
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert mail.outbox == []


def test_rejected_comment_sends_no_email(api_client, moderator, django_capture_on_commit_callbacks):
    closed = ArticleFactory(comments_enabled=False)
    response = post_and_commit(api_client, django_capture_on_commit_callbacks, article=closed)
    assert response.status_code == 403
    assert mail.outbox == []


# When.


def test_email_waits_for_the_commit(api_client, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_comment(api_client)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_rolled_back_comment_sends_no_email(moderator, django_capture_on_commit_callbacks):
    submission = Submission(
        article=ArticleFactory(),
        name="Commenter",
        email=COMMENTER_EMAIL,
        website="",
        body="Rolled back.",
        parent=None,
        ip_address="198.51.100.200",
        user_agent="test-agent",
    )
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.comment_submit(submission=submission)
        raise RuntimeError("roll back")
    assert callbacks == []
    assert mail.outbox == []


# What it says.


def test_email_subject_names_the_article(api_client, moderator, django_capture_on_commit_callbacks):
    article = ArticleFactory(title="Iron and restless legs")
    post_and_commit(api_client, django_capture_on_commit_callbacks, article=article)
    assert "Iron and restless legs" in mail.outbox[0].subject


def test_email_links_to_the_moderation_queue(
    api_client, moderator, django_capture_on_commit_callbacks
):
    post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert reverse("admin:comments_pendingcomment_changelist") in mail.outbox[0].body


def test_email_quotes_the_comment(api_client, moderator, django_capture_on_commit_callbacks):
    post_and_commit(api_client, django_capture_on_commit_callbacks, body="Quote me <b>please</b>.")
    assert "Quote me <b>please</b>." in mail.outbox[0].body


# A mail server outage.


def test_failing_mail_keeps_the_comment(
    api_client, moderator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    response = post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert response.status_code == 201
    assert Comment.objects.filter(pk=response.json()["id"]).exists()


def test_failing_mail_is_logged_as_a_failed_task(
    api_client, moderator, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    with caplog.at_level(logging.ERROR):
        post_and_commit(api_client, django_capture_on_commit_callbacks)
    [record] = caplog.records
    assert record.name.startswith("django_tasks")
    assert record.levelno == logging.ERROR
    assert "notify_moderators" in record.getMessage()


def test_a_comment_whose_mail_failed_is_told_of_by_the_next_run(
    api_client, moderator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    first = post_and_commit(api_client, django_capture_on_commit_callbacks).json()["id"]
    assert Comment.objects.get(pk=first).moderators_notified_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("notify_moderators", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert Comment.objects.get(pk=first).moderators_notified_at is not None


def test_failing_mail_log_leaves_out_the_commenter_email(
    api_client, moderator, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    with caplog.at_level(logging.DEBUG):
        post_and_commit(api_client, django_capture_on_commit_callbacks)
    assert caplog.records
    assert all(COMMENTER_EMAIL not in record.getMessage() for record in caplog.records)
    assert COMMENTER_EMAIL not in caplog.text


class PoisonRefusingEmailBackend(BaseEmailBackend):
    """A mail server that refuses one message (a content filter) and takes the rest."""

    def send_messages(self, messages):
        for message in messages:
            if "poison" in message.body:
                raise smtplib.SMTPDataError(554, b"5.7.1 Message rejected")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_refused_mail_does_not_hold_up_the_others(moderator, settings):
    settings.EMAIL_BACKEND = f"{__name__}.PoisonRefusingEmailBackend"
    refused = CommentFactory(status=Comment.Status.PENDING, body="A poison pill.")
    sent = CommentFactory(status=Comment.Status.PENDING, body="An ordinary remark.")

    with pytest.raises(notifications.NotificationsFailed):
        notifications.comments_notify_moderators()

    assert ["An ordinary remark." in m.body for m in mail.outbox] == [True]
    assert Comment.objects.get(pk=sent.pk).moderators_notified_at is not None
    assert Comment.objects.get(pk=refused.pk).moderators_notified_at is None
