"""A commenter's email, IP address and user agent never leave the server publicly.

A reader posts comments with values found nowhere else (an email, a client
address, a forwarded-for address and a user agent, each made unique per test);
one of them is approved so it is on every public page. Then every public
endpoint is asked, anonymously and with those same values in the request, and
no body, header or INFO-or-higher log record may contain any of them.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from articles.models import Article
from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NAME = "Privacy Probe"


def unique_ipv6() -> str:
    """A documentation-range IPv6 address, written as Django stores it, unique per call."""
    groups = [secrets.randbelow(0xEFFF) + 0x1000 for _ in range(6)]
    return "2001:db8:" + ":".join(f"{group:x}" for group in groups)


@dataclass(frozen=True)
class Private:
    token: str
    email: str
    address: str
    forwarded_for: str
    user_agent_token: str

    @property
    def user_agent(self) -> str:
        return f"Mozilla/5.0 (PrivacyProbe; {self.user_agent_token})"

    @property
    def values(self) -> dict[str, str]:
        """What must never appear, by name; the tokens catch an escaped or partial copy."""
        return {
            "email": self.email,
            "email token": self.token,
            "IP address": self.address,
            "X-Forwarded-For address": self.forwarded_for,
            "user agent": self.user_agent,
            "user agent token": self.user_agent_token,
        }

    @property
    def request_meta(self) -> dict[str, str]:
        return {
            "REMOTE_ADDR": self.address,
            "HTTP_X_FORWARDED_FOR": self.forwarded_for,
            "HTTP_USER_AGENT": self.user_agent,
        }


@pytest.fixture
def private() -> Private:
    token = uuid.uuid4().hex
    return Private(
        token=token,
        email=f"probe-{token}@example.org",
        address=unique_ipv6(),
        forwarded_for=unique_ipv6(),
        user_agent_token=uuid.uuid4().hex,
    )


@dataclass
class Scene:
    client: APIClient
    private: Private
    article: Article
    closed: Article

    @property
    def comments_url(self) -> str:
        return f"/api/v1/articles/{self.article.slug}/comments/"

    def form(self, **overrides) -> dict:
        form = {
            "name": NAME,
            "email": self.private.email,
            "website": "https://probe.example.org/",
            "body": "A comment that asks for privacy.",
        }
        form.update(overrides)
        return form

    def post(self, url: str, form: dict):
        return self.client.post(url, form, format="json", **self.private.request_meta)

    @property
    def report_url(self) -> str:
        """The report address of the probe's own (approved) comment."""
        probe = Comment.objects.filter(email=self.private.email).earliest("pk")
        return f"/api/v1/comments/{probe.pk}/report/"

    def get(self, url: str, **extra):
        return self.client.get(url, **self.private.request_meta, **extra)


# Each public request, in the order they run, with the status it must answer.
# The first POST is the comment that gets approved; the ones after it reuse
# its address, so the flood rule and the duplicate rule answer them.
REQUESTS: list[tuple[str, int, Callable[[Scene], object]]] = [
    ("post-201", 201, lambda s: s.post(s.comments_url, s.form())),
    ("post-409-duplicate", 409, lambda s: s.post(s.comments_url, s.form())),
    ("post-429-flood", 429, lambda s: s.post(s.comments_url, s.form(body="Another thought."))),
    (
        "post-400-bad-email",
        400,
        lambda s: s.post(s.comments_url, s.form(email=f"probe-{s.private.token}@@example")),
    ),
    (
        "post-400-bad-website",
        400,
        lambda s: s.post(s.comments_url, s.form(website="javascript:alert(1)")),
    ),
    ("post-400-bad-parent", 400, lambda s: s.post(s.comments_url, s.form(parent=999_999))),
    (
        "post-403-closed",
        403,
        lambda s: s.post(f"/api/v1/articles/{s.closed.slug}/comments/", s.form()),
    ),
    (
        "post-404-unknown-article",
        404,
        lambda s: s.post("/api/v1/articles/no-such-article/comments/", s.form()),
    ),
    (
        "post-429-crisis-with-support",
        429,
        lambda s: s.post(s.comments_url, s.form(body="Some nights I want to end my life.")),
    ),
    (
        "post-400-crisis-with-support",
        400,
        lambda s: s.post(s.comments_url, s.form(email="", body="I want to die.")),
    ),
    ("report-201", 201, lambda s: s.post(s.report_url, {"reason": "abuse", "note": "Rude."})),
    ("report-409-again", 409, lambda s: s.post(s.report_url, {"reason": "spam"})),
    ("report-400-bad-reason", 400, lambda s: s.post(s.report_url, {"reason": "boring"})),
    (
        "report-404-unknown-comment",
        404,
        lambda s: s.post("/api/v1/comments/999999/report/", {"reason": "spam"}),
    ),
    ("get-404-unknown-article", 404, lambda s: s.get("/api/v1/articles/no-such-article/")),
    ("article-list", 200, lambda s: s.get("/api/v1/articles/")),
    ("article-detail", 200, lambda s: s.get(f"/api/v1/articles/{s.article.slug}/")),
    ("comments-list", 200, lambda s: s.get(s.comments_url)),
    (
        "comments-options",
        200,
        lambda s: s.client.options(s.comments_url, **s.private.request_meta),
    ),
    ("schema-yaml", 200, lambda s: s.get("/api/schema/")),
    ("schema-json", 200, lambda s: s.get("/api/schema/?format=json")),
    ("docs", 200, lambda s: s.get("/api/docs/")),
    ("reader-page", 200, lambda s: s.get("/")),
]
EXPECTED_STATUS = {name: status for name, status, _ in REQUESTS}


def make_scene(client: APIClient, private: Private) -> Scene:
    return Scene(
        client=client,
        private=private,
        article=ArticleFactory(),
        closed=ArticleFactory(comments_enabled=False),
    )


def run_public_requests(scene: Scene, capture) -> dict:
    """Every public request in order; the first comment is approved as soon as it is in.

    On-commit callbacks (the notification task) run after each request, as
    they would outside a test transaction.
    """
    answers = {}
    for name, _status, send in REQUESTS:
        with capture(execute=True):
            answers[name] = send(scene)
        if name == "post-201":
            Comment.objects.filter(pk=answers[name].json()["id"]).update(
                status=Comment.Status.APPROVED
            )
    return answers


@pytest.fixture(autouse=True)
def notify_moderators(settings):
    """A moderator address, so the new-comment notification really runs (and could log)."""
    settings.RLS_COMMENTS = {"MODERATOR_EMAILS": ["moderators@example.org"]}


@pytest.fixture
def responses(api_client, private, django_capture_on_commit_callbacks) -> dict:
    return run_public_requests(make_scene(api_client, private), django_capture_on_commit_callbacks)


def leaks(private: Private, text: str) -> list[str]:
    lowered = text.lower()
    return [name for name, value in private.values.items() if value.lower() in lowered]


def header_text(response) -> str:
    headers = [f"{name}: {value}" for name, value in response.items()]
    cookies = [morsel.OutputString() for morsel in response.cookies.values()]
    return "\n".join(headers + cookies)


# The probe means something only if the values were really sent, stored and public.


def test_probe_comment_is_stored_with_the_private_values(responses, private):
    assert Comment.objects.filter(
        email=private.email, ip_address=private.address, user_agent=private.user_agent
    ).exists()


def test_probe_comment_is_on_the_public_comment_list(responses):
    names = [item["name"] for item in responses["comments-list"].json()["results"]]
    assert names == [NAME]


def test_probe_notification_was_sent(responses, mailoutbox):
    assert len(mailoutbox) == 1


def test_probe_flood_answer_carries_retry_after(responses):
    assert int(responses["post-429-flood"]["Retry-After"]) >= 1


def test_every_public_request_answers_its_expected_status(responses):
    assert {name: answer.status_code for name, answer in responses.items()} == EXPECTED_STATUS


# Nothing private anywhere. Each failure names the requests that leaked, and what.


def test_crisis_answers_carry_support_and_the_others_do_not(responses, settings):
    with_support = {
        name for name, r in responses.items() if "support" in (getattr(r, "data", None) or {})
    }
    assert with_support == {"post-429-crisis-with-support", "post-400-crisis-with-support"}


def test_no_public_response_body_reveals_a_private_value(responses, private):
    leaked = {
        name: leaks(private, answer.content.decode("utf-8", "replace"))
        for name, answer in responses.items()
    }
    assert {name: found for name, found in leaked.items() if found} == {}


def test_no_public_response_header_reveals_a_private_value(responses, private):
    leaked = {name: leaks(private, header_text(answer)) for name, answer in responses.items()}
    assert {name: found for name, found in leaked.items() if found} == {}


def record_text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return text


def test_log_records_at_info_or_above_reveal_no_private_value(
    api_client, private, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    run_public_requests(make_scene(api_client, private), django_capture_on_commit_callbacks)
    logged = [record_text(r) for r in caplog.records if r.levelno >= logging.INFO]
    assert [(text, leaks(private, text)) for text in logged if leaks(private, text)] == []


def test_log_check_sees_the_requests_it_guards(
    api_client, private, caplog, django_capture_on_commit_callbacks
):
    # Django logs every 4xx answer at WARNING: the check above has records to read.
    caplog.set_level(logging.INFO)
    run_public_requests(make_scene(api_client, private), django_capture_on_commit_callbacks)
    assert any(r.name == "django.request" for r in caplog.records)


def test_leak_check_finds_the_values_where_moderators_may_see_them(
    responses, private, api_client, moderator
):
    # The staff API shows email, IP and user agent: the check must notice them there.
    api_client.force_authenticate(moderator)
    answer = api_client.get("/api/v1/moderation/comments/", {"status": "approved"})
    assert set(leaks(private, answer.content.decode())) >= {"email", "IP address", "user agent"}
