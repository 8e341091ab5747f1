"""A host's REST_FRAMEWORK shapes the host's own API, never ours.

The apps install into projects that already have DRF settings. Each key of
``HOST_SETTINGS`` would break or change our endpoints if they read it (JSON
refused, anonymous comments forbidden, the throttle unconfigured, the error
shape replaced, dates reformatted); every test runs under all of them.
"""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from rest_framework import renderers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response

from articles.models import ArticleDocument
from comments.models import Comment
from tests.factories import ArticleFactory, TagFactory


def host_exception_handler(exc, context):
    return Response({"host": "handled"}, status=418)


HOST_SETTINGS = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.FormParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": "1/day"},
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["rest_framework.filters.OrderingFilter"],
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": f"{__name__}.host_exception_handler",
    "DATETIME_FORMAT": "%d/%m/%Y",
    "DATE_FORMAT": "%d/%m/%Y",
    "NUM_PROXIES": 1,
    "NON_FIELD_ERRORS_KEY": "errors_of_the_host",
    "COERCE_BIGINT_TO_STRING": True,
    "VIEW_NAME_FUNCTION": f"{__name__}.host_view_name",
    "URL_FORMAT_OVERRIDE": "output",
}


def host_view_name(view) -> str:
    return "The host's name"


@pytest.fixture
def host_settings(settings):
    settings.REST_FRAMEWORK = HOST_SETTINGS
    return settings


@pytest.fixture
def article(db):
    return ArticleFactory(title="Iron and sleep ü", tags=[TagFactory(name="Iron", slug="iron")])


def detail_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/"


def comments_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


_numbers = itertools.count()


def comment(client, article, ip: str, **headers):
    payload = {"name": "Ada", "email": "ada@example.org", "body": f"Remark {next(_numbers)}."}
    return client.post(comments_url(article), payload, format="json", REMOTE_ADDR=ip, **headers)


def test_the_detail_is_the_same_bytes_as_without_the_host_settings(api_client, article, settings):
    expected = api_client.get(detail_url(article)).content
    ArticleDocument.objects.all().delete()
    cache.clear()
    settings.REST_FRAMEWORK = HOST_SETTINGS

    response = api_client.get(detail_url(article))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == expected
    assert "T" in response.json()["published_at"]  # ISO 8601, not "%d/%m/%Y"


def test_the_list_keeps_its_cursor_pages_and_filters(api_client, article, host_settings):
    ArticleFactory()

    response = api_client.get("/api/v1/articles/")
    filtered = api_client.get("/api/v1/articles/?tag=iron")

    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 2  # the host's PageNumberPagination is not ours
    assert set(body) >= {"next", "previous", "results"}
    assert [a["slug"] for a in filtered.json()["results"]] == [article.slug]


def test_the_host_s_ordering_filter_is_an_unknown_parameter_here(
    api_client, article, host_settings
):
    response = api_client.get("/api/v1/articles/?ordering=title")
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_errors_keep_drf_s_shape_not_the_host_handler_s(api_client, db, host_settings):
    response = api_client.get("/api/v1/articles/no-such-article/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_readers_post_json_comments_without_the_host_s_throttle(api_client, article, host_settings):
    host_settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    statuses = [comment(api_client, article, f"198.51.100.{n}").status_code for n in (1, 2)]
    assert statuses == [201, 201]


def test_a_form_encoded_comment_is_unsupported_media(api_client, article, host_settings):
    payload = {"name": "Ada", "email": "ada@example.org", "body": "Hello."}
    response = api_client.post(comments_url(article), payload, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 415


def test_the_comment_throttle_reads_rls_comments(api_client, article, host_settings):
    host_settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0, "THROTTLE_RATE": "2/minute"}
    statuses = [comment(api_client, article, "198.51.100.7").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_forwarded_for_counts_only_as_rls_comments_says(api_client, article, host_settings):
    comment(api_client, article, "10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert Comment.objects.get().ip_address == "10.0.0.1"  # NUM_PROXIES 1 is the host's


def test_the_comment_form_is_still_described(api_client, article, host_settings):
    response = api_client.options(comments_url(article))
    assert response.status_code == 200
    assert response.json()["actions"]["POST"]["email"]["required"] is True


def test_the_staff_api_takes_tokens_and_refuses_anonymous_calls(
    api_client, article, moderator, host_settings
):
    anonymous = api_client.get("/api/v1/moderation/comments/")
    token = Token.objects.create(user=moderator)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with_token = api_client.get("/api/v1/moderation/comments/")

    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Token")
    assert with_token.status_code == 200


def test_the_detail_bytes_do_not_depend_on_what_drf_read_at_import(
    api_client, article, monkeypatch
):
    # DRF's JSONRenderer took COMPACT_JSON and UNICODE_JSON from the host's
    # settings when it was imported: as if the host had set them so.
    expected = api_client.get(detail_url(article)).content
    ArticleDocument.objects.all().delete()
    cache.clear()
    monkeypatch.setattr(renderers.JSONRenderer, "compact", False)
    monkeypatch.setattr(renderers.JSONRenderer, "ensure_ascii", True)

    assert api_client.get(detail_url(article)).content == expected
    assert "ü".encode() in expected


def test_errors_of_no_field_keep_their_contract_name(api_client, article, host_settings):
    response = api_client.post(comments_url(article), [1, 2], format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_ids_stay_numbers(api_client, article, moderator, host_settings):
    host_settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    comment(api_client, article, "198.51.100.20")
    token = Token.objects.create(user=moderator)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    [queued] = api_client.get("/api/v1/moderation/comments/").json()["results"]
    assert isinstance(queued["id"], int)


def test_the_comment_form_keeps_its_own_name(api_client, article, host_settings):
    assert api_client.options(comments_url(article)).json()["name"] == "Article Comments"


def test_format_stays_the_known_parameter(api_client, article, host_settings):
    assert api_client.get(detail_url(article) + "?format=json").status_code == 200
