"""Moderator emails run on the task queue (django-tasks' database backend), never in the POST."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from comments.tasks import ATTEMPTS, retry_delay
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued(settings):
    """The project's own task backend: tasks wait in the database for a worker."""
    settings.TASKS = DATABASE_BACKEND


def post_pending(client, article, capture) -> int:
    with capture(execute=True):
        response = client.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"name": "Bo", "email": "bo@example.org", "body": "First time here."},
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    return response.json()["id"]


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def test_pending_comment_sends_no_mail_in_the_request(
    api_client, moderator, queued, django_capture_on_commit_callbacks
):
    post_pending(api_client, ArticleFactory(), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    task = DBTaskResult.objects.get()
    assert task.task_path == "comments.tasks.notify_moderators"
    assert task.status == "READY"


# The worker opens and closes its own connections: these tests commit for real.
worker_test = pytest.mark.django_db(transaction=True)


@worker_test
def test_the_worker_sends_the_mail(
    api_client, moderator, queued, django_capture_on_commit_callbacks
):
    post_pending(api_client, ArticleFactory(title="Iron"), django_capture_on_commit_callbacks)
    run_worker()
    assert [m.to for m in mail.outbox] == [["moderator@example.org"]]
    assert "Iron" in mail.outbox[0].subject
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@worker_test
def test_a_comment_moderated_before_the_worker_runs_sends_nothing(
    api_client, moderator, queued, django_capture_on_commit_callbacks
):
    pk = post_pending(api_client, ArticleFactory(), django_capture_on_commit_callbacks)
    Comment.objects.filter(pk=pk).update(status=Comment.Status.APPROVED)
    run_worker()
    assert mail.outbox == []


def test_a_rolled_back_comment_enqueues_nothing(
    moderator, queued, django_capture_on_commit_callbacks
):
    from comments.moderation import Submission
    from comments.services import comment_submit

    article = ArticleFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        comment_submit(
            submission=Submission(
                article=article,
                name="Bo",
                email="bo@example.org",
                website="",
                body="Hello.",
                parent=None,
                ip_address="198.51.100.7",
                user_agent="",
            )
        )
        raise RuntimeError("the surrounding write fails")
    assert not DBTaskResult.objects.exists()


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@worker_test
def test_a_failed_run_is_retried_later_and_shown_to_staff(
    api_client, moderator, queued, settings, admin_client, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    pk = post_pending(api_client, ArticleFactory(), django_capture_on_commit_callbacks)
    before = timezone.now()

    run_worker()

    failed = DBTaskResult.objects.get(status="FAILED")
    retry = DBTaskResult.objects.get(status="READY")
    assert failed.args_kwargs["args"] == []
    assert retry.task_path == "comments.tasks.notify_moderators"
    assert retry.args_kwargs["args"] == [2]
    wait = retry.run_after - before
    assert dt.timedelta(seconds=55) < wait < dt.timedelta(seconds=65)  # the first backoff step
    assert Comment.objects.get(pk=pk).moderators_notified_at is None
    # Staff see the failure, with the error, in the admin.
    page = admin_client.get(f"/admin/django_tasks_database/dbtaskresult/{failed.pk}/change/")
    assert page.status_code == 200
    assert b"the mail server is down" in page.content


def test_the_backoff_doubles_and_ends():
    assert [retry_delay(n) for n in (1, 2, 3)] == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=2),
        dt.timedelta(minutes=4),
    ]
    assert ATTEMPTS == 6


@worker_test
def test_one_run_tells_of_every_waiting_comment_and_a_second_run_of_none(
    api_client, moderator, queued, settings, django_capture_on_commit_callbacks
):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    for _ in range(3):
        post_pending(api_client, ArticleFactory(), django_capture_on_commit_callbacks)
    # As if two of the three runs were lost with a crashed worker.
    DBTaskResult.objects.exclude(
        pk=DBTaskResult.objects.order_by("enqueued_at").first().pk
    ).delete()

    run_worker()
    call_command("notify_moderators", stdout=io.StringIO())

    assert len(mail.outbox) == 3
    assert not Comment.objects.filter(moderators_notified_at=None).exists()


def test_the_periodic_task_tells_of_comments_whose_run_was_lost(moderator, settings):
    from articles.tasks import every_minute

    comment = CommentFactory(status=Comment.Status.PENDING, body="Left behind.")
    every_minute.call()
    assert ["Left behind." in m.body for m in mail.outbox] == [True]
    assert Comment.objects.get(pk=comment.pk).moderators_notified_at is not None
