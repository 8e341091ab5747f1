"""Publish webhooks, delivered to a real HTTP server on the loopback."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import services, webhooks
from articles.models import Article, PeriodicRun, WebhookDelivery
from articles.signals import Reason
from articles.tasks import every_minute
from tests.admin_forms import form_data
from tests.factories import ArticleFactory

SECRET = "webhook-secret-for-tests"


class Endpoint:
    """A frontend's webhook receiver: records each POST, answers as told."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        self.delay = 0.0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                endpoint.received.append({"headers": headers, "body": body})
                time.sleep(endpoint.delay)
                self.send_response(endpoint.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/rls"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[tuple[str, str]]:
        return [
            (json.loads(r["body"])["event"], json.loads(r["body"])["slug"]) for r in self.received
        ]


@pytest.fixture
def endpoint(settings):
    hook = Endpoint()
    settings.RLS_ARTICLES = {"WEBHOOKS": [{"url": hook.url, "secret": SECRET}]}
    yield hook
    hook.server.shutdown()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (tasks, on the immediate backend) as the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


pytestmark = pytest.mark.django_db


def test_publishing_posts_a_signed_published_event(endpoint, committed):
    draft = ArticleFactory(draft=True, slug="iron")
    with committed():
        services.articles_publish(queryset=Article.objects.filter(pk=draft.pk))

    [request] = endpoint.received
    payload = json.loads(request["body"])
    assert payload["event"] == "published" and payload["slug"] == "iron"
    assert payload["updated_at"].endswith("Z")
    expected = hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["x-rls-signature"] == f"sha256={expected}"
    assert request["headers"]["x-rls-event"] == "published"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status_code, delivery.attempts) == (200, 1)
    assert delivery.delivered_at is not None


def test_each_change_of_a_public_article_is_announced_once_as_what_it_is(endpoint, committed):
    draft = ArticleFactory(draft=True, slug="iron")
    queryset = Article.objects.filter(pk=draft.pk)
    with committed():
        services.articles_publish(queryset=queryset)
    with committed():
        services.articles_publish(queryset=queryset)  # published again: nothing new
    with committed():
        services.article_mark_changed(article=draft, reason=Reason.SAVED)
    with committed():
        services.articles_unpublish(queryset=queryset)
    with committed():
        services.articles_publish(queryset=queryset)
    with committed():
        services.articles_delete(queryset=queryset)

    assert endpoint.events() == [
        ("published", "iron"),
        ("updated", "iron"),  # the SAVED mark; publishing again as it was tells nothing
        ("unpublished", "iron"),
        ("published", "iron"),
        ("deleted", "iron"),
    ]


def test_drafts_and_comment_counts_are_not_announced(endpoint, committed):
    draft = ArticleFactory(draft=True)
    public = ArticleFactory()
    with committed():
        services.article_mark_changed(article=draft, reason=Reason.SAVED)
        services.articles_delete(queryset=Article.objects.filter(pk=draft.pk))
        services.article_mark_changed(article=public, reason=Reason.COMMENTS)
    assert endpoint.received == []


def test_an_article_public_before_webhooks_existed_is_updated_not_published(endpoint, committed):
    # The migration recorded public articles as announced; factories go through
    # the funnel with no webhooks configured, just as an old site did.
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(announced_published_at=article.published_at)
    with committed():
        services.article_mark_changed(article=article, reason=Reason.SAVED)
    assert endpoint.events() == [("updated", article.slug)]


# Scheduled articles: announced by the periodic task when their time comes.


def test_a_scheduled_article_is_announced_once_when_its_time_comes(endpoint, committed):
    soon = timezone.now() + dt.timedelta(minutes=10)
    draft = ArticleFactory(draft=True, slug="later")
    Article.objects.filter(pk=draft.pk).update(published_at=soon)
    with committed():
        services.articles_publish(queryset=Article.objects.filter(pk=draft.pk))
    assert endpoint.received == []  # not public yet

    with time_machine.travel(soon + dt.timedelta(seconds=30)), committed():
        every_minute.call()
        webhooks.webhooks_announce_scheduled()  # a second worker's run, the same minute

    assert endpoint.events() == [("published", "later")]
    assert PeriodicRun.objects.count() == 1


def test_the_periodic_task_runs_once_a_minute_however_many_chains(endpoint, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, 10, tzinfo=dt.UTC)):
        every_minute.call()
        every_minute.call()  # another worker's chain: ends without scheduling
    [next_run] = DBTaskResult.objects.filter(task_path="articles.tasks.every_minute")
    assert next_run.run_after == dt.datetime(2026, 6, 1, 12, 1, tzinfo=dt.UTC)


# Failures: recorded, retried, never in the writer's way.


QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_failing_endpoint_is_recorded_and_retried_later(endpoint, settings):
    settings.TASKS = QUEUED
    endpoint.status = 500
    draft = ArticleFactory(draft=True)
    services.articles_publish(queryset=Article.objects.filter(pk=draft.pk))
    before = timezone.now()

    run_worker()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status_code, delivery.attempts, delivery.error) == (500, 1, "HTTP 500")
    assert delivery.delivered_at is None
    retry = DBTaskResult.objects.get(task_path="articles.tasks.deliver_webhook", status="READY")
    assert retry.args_kwargs["args"] == [delivery.pk, 2]
    assert dt.timedelta(seconds=55) < retry.run_after - before < dt.timedelta(seconds=65)


@pytest.mark.django_db(transaction=True)
def test_a_hanging_endpoint_never_slows_publishing_changes(
    endpoint, settings, admin_client, monkeypatch
):
    settings.TASKS = QUEUED
    endpoint.delay = 3  # longer than the delivery's timeout below
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)
    article = ArticleFactory()
    WebhookDelivery.objects.all().delete()  # its publication's, not this test's
    DBTaskResult.objects.all().delete()
    change = f"/admin/articles/article/{article.pk}/change/"
    fields = form_data(admin_client.get(change).content.decode(), title="Saved while it hangs")
    assert admin_client.post(change, fields).status_code == 302
    # The save is the live article's draft: no event for it.
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_webhook").exists()

    started = time.monotonic()
    response = admin_client.post(f"/admin/articles/article/{article.pk}/changes/publish/")
    took = time.monotonic() - started

    assert (response.status_code, response["Location"]) == (302, change)  # not refused
    assert took < 1
    # Nothing was sent from the request: the delivery waits on the queue.
    assert endpoint.received == []
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_webhook").count() == 1
    run_worker()  # the delivery gives up after its timeout, and says so
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "updated" and delivery.delivered_at is None
    assert "timed out" in delivery.error


def test_staff_see_every_delivery_in_the_admin(endpoint, committed, admin_client):
    with committed():
        services.articles_publish(queryset=Article.objects.filter(pk=ArticleFactory(draft=True).pk))
    page = admin_client.get("/admin/articles/webhookdelivery/").content.decode()
    assert endpoint.url in page
    assert admin_client.get("/admin/articles/webhookdelivery/add/").status_code == 403


@pytest.mark.parametrize(
    "hooks",
    [
        "https://example.org/hook",
        [{"url": "ftp://example.org", "secret": "s"}],
        [{"url": "https://example.org"}],
        [{"url": "https://example.org", "secret": ""}],
    ],
)
def test_a_wrong_webhook_setting_is_a_system_check_error(settings, hooks):
    from articles.checks import check_article_settings

    settings.RLS_ARTICLES = {"WEBHOOKS": hooks}
    assert [e.id for e in check_article_settings()] == ["articles.E002"]
