"""Fuzzing every operation of /api/schema/ with schemathesis: no 5xx, no answer off the schema.

Examples are generated from the OpenAPI document the API serves (a bounded
number per operation, the same on every run): public operations called
anonymously, the staff API with a moderator's token. Every answer must be
a documented status, in a documented content type, with a body matching its
schema; none may be a server error.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from comments.models import Comment
from rls_cms.wsgi import application
from tests.factories import ArticleFactory, CommentFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def one_connection():
    """The WSGI app closes connections after each request; the test's must stay open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def moderator_token(moderator) -> str:
    article = ArticleFactory(slug="a")
    CommentFactory(article=article, status=Comment.Status.APPROVED)
    CommentFactory(article=article, status=Comment.Status.PENDING)
    return Token.objects.create(user=moderator).key


@pytest.fixture
def staff_token(staff_user) -> str:
    """A token of staff who may view articles: the review schedule's reader."""
    return Token.objects.create(user=staff_user).key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema(case, moderator_token, staff_token, settings):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0, "THROTTLE_RATE": None}
    headers = {}
    if case.operation.path.startswith("/api/v1/moderation/"):
        headers["Authorization"] = f"Token {moderator_token}"
    if case.operation.path.startswith("/api/v1/review/"):
        headers["Authorization"] = f"Token {staff_token}"
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_every_operation_of_the_api_is_fuzzed():
    operations = {
        f"{result.ok().method.upper()} {result.ok().path}" for result in schema.get_all_operations()
    }
    assert operations == {
        "GET /api/v1/articles/",
        "GET /api/v1/articles/{slug}/",
        "GET /api/v1/articles/{slug}/comments/",
        "OPTIONS /api/v1/articles/{slug}/comments/",
        "POST /api/v1/articles/{slug}/comments/",
        "POST /api/v1/comments/{id}/report/",
        "POST /api/v1/editor/markdownify/",
        "POST /api/v1/editor/upload/",
        "GET /api/v1/moderation/comments/",
        "GET /api/v1/preview/",
        "GET /api/v1/preview/{token}/",
        "GET /api/v1/review/due/",
        "POST /api/v1/moderation/comments/bulk/",
        "POST /api/v1/moderation/comments/{id}/approve/",
        "POST /api/v1/moderation/comments/{id}/remove/",
        "POST /api/v1/moderation/comments/{id}/spam/",
    }
