"""Moderator emails run on the task queue (django-tasks' database backend), never in the POST."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from tests.factories import ArticleFactory

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
