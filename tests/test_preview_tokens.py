"""Preview tokens stay out of addresses and logs (issue 18, point 4).

A frontend sends the token in ``Authorization: Bearer``; the reader's page
trades the token of the admin's link for a cookie and a clean address; no log
line names a token. The older form, ``/api/v1/preview/<token>/``, still works.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import logging.config
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from articles.conf import article_settings
from articles.models import Article
from articles.preview import preview_token
from articles.services import articles_delete
from rls_cms.request_log import RedactPreviewTokens
from rls_cms.views import PREVIEW_COOKIE
from tests.factories import ArticleFactory, SectionFactory
from tests.test_reader_view import tree

pytestmark = pytest.mark.django_db

HEADER_FORM = "/api/v1/preview/"
PRIVATE = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
}


@pytest.fixture
def draft(db):
    article = ArticleFactory(draft=True, title="Unpublished iron advice", slug="unpublished")
    SectionFactory(article=article, heading="Draft section")
    return article


def altered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def later_than_a_token_lives():
    return time_machine.travel(
        timezone.now() + dt.timedelta(seconds=article_settings.PREVIEW_MAX_AGE + 60)
    )


def bearer(api_client, token: str):
    return api_client.get(HEADER_FORM, HTTP_AUTHORIZATION=f"Bearer {token}")


# The API: the token in a header.


def test_the_header_form_answers_as_the_path_form_does(api_client, draft):
    token = preview_token(draft)
    response = bearer(api_client, token)
    assert response.status_code == 200
    assert response.json() == api_client.get(f"/api/v1/preview/{token}/").json()
    assert response.json()["status"] == "draft"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_the_header_form_has_its_own_name():
    assert reverse("articles-api:preview") == HEADER_FORM
    assert reverse("articles-api:article-preview", kwargs={"token": "t"}) == "/api/v1/preview/t/"


@pytest.mark.parametrize(
    "authorization", [None, "Token abc", "Basic dXNlcjpwdw==", "Bearer", "Bearer two words"]
)
def test_without_a_bearer_token_the_answer_is_401(api_client, draft, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = api_client.get(HEADER_FORM, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"
    assert response["Cache-Control"] == "private, no-store"


def test_the_scheme_is_read_whatever_its_case(api_client, draft):
    response = api_client.get(HEADER_FORM, HTTP_AUTHORIZATION=f"bearer {preview_token(draft)}")
    assert response.status_code == 200


def test_an_expired_token_in_the_header_is_refused_with_its_code(api_client, draft):
    token = preview_token(draft)
    with later_than_a_token_lives():
        response = bearer(api_client, token)
    assert response.status_code == 403
    assert response.json()["code"] == "preview_expired"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("change", [altered, lambda t: "x" + t, lambda t: "€"])
def test_an_altered_token_in_the_header_is_refused_with_its_code(api_client, draft, change):
    token = change(preview_token(draft))
    # As a WSGI server hands on a header: its bytes read as Latin-1.
    header = f"Bearer {token}".encode().decode("latin-1")
    response = api_client.get(HEADER_FORM, HTTP_AUTHORIZATION=header)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_preview"


def test_a_deleted_article_s_header_preview_is_not_found(api_client, draft):
    token = preview_token(draft)
    articles_delete(queryset=Article.objects.filter(pk=draft.pk))
    response = bearer(api_client, token)
    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"


def test_the_path_form_still_works_and_gives_codes_too(api_client, draft):
    token = preview_token(draft)
    assert api_client.get(f"/api/v1/preview/{token}/").json()["title"] == draft.title
    refused = api_client.get(f"/api/v1/preview/{altered(token)}/")
    assert (refused.status_code, refused.json()["code"]) == (403, "invalid_preview")
    with later_than_a_token_lives():
        expired = api_client.get(f"/api/v1/preview/{token}/")
    assert (expired.status_code, expired.json()["code"]) == (403, "preview_expired")


@pytest.fixture
def schema(api_client) -> dict:
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_documents_the_header_form_as_http_bearer(schema):
    operation = schema["paths"][HEADER_FORM]["get"]
    [requirement] = operation["security"]  # required: no anonymous alternative
    [name] = requirement
    assert schema["components"]["securitySchemes"][name] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"][name]["description"],
    }
    assert not operation.get("deprecated")
    assert {"200", "401", "403", "404"} <= set(operation["responses"])


def test_the_schema_marks_the_path_form_deprecated_in_favour_of_the_header(schema):
    operation = schema["paths"]["/api/v1/preview/{token}/"]["get"]
    assert operation["deprecated"] is True
    assert "Authorization: Bearer" in operation["description"]
    assert HEADER_FORM in operation["description"]


# The reader: the link's token traded for a cookie.


def reader_preview(slug: str) -> str:
    return f"/articles/{slug}/preview/"


def test_a_preview_link_is_answered_303_to_an_address_without_the_token(client, draft):
    token = preview_token(draft)
    response = client.get(f"/articles/{draft.slug}/?preview={token}")
    assert response.status_code == 303
    assert response["Location"] == reader_preview(draft.slug)
    assert token not in response["Location"]
    for name, value in PRIVATE.items():
        assert response[name] == value


def test_the_token_goes_in_a_short_lived_cookie_for_the_preview_address_only(client, draft):
    token = preview_token(draft)
    cookie = client.get(f"/articles/{draft.slug}/?preview={token}").cookies[PREVIEW_COOKIE]
    assert cookie.value == token
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == reader_preview(draft.slug)
    assert cookie["max-age"] == article_settings.PREVIEW_MAX_AGE
    assert not cookie["secure"]  # plain http: a secure cookie would never come back


def test_the_cookie_is_secure_over_https(client, draft):
    response = client.get(f"/articles/{draft.slug}/?preview={preview_token(draft)}", secure=True)
    assert response.cookies[PREVIEW_COOKIE]["secure"] is True


def test_the_cookie_lives_no_longer_than_the_token(client, draft, settings):
    settings.RLS_ARTICLES = {"PREVIEW_MAX_AGE": 60}
    response = client.get(f"/articles/{draft.slug}/?preview={preview_token(draft)}")
    assert response.cookies[PREVIEW_COOKIE]["max-age"] == 60


def test_following_the_redirect_shows_the_draft_privately(client, draft):
    response = client.get(f"/articles/{draft.slug}/?preview={preview_token(draft)}", follow=True)
    assert response.redirect_chain == [(reader_preview(draft.slug), 303)]
    assert response.status_code == 200
    doc = tree(response)
    assert doc.find("h1").text() == "Unpublished iron advice"
    assert doc.find("p", class_="preview-banner")
    for name, value in PRIVATE.items():
        assert response[name] == value


def test_the_admin_s_preview_button_still_leads_to_the_draft(client, staff_user, draft):
    client.force_login(staff_user)
    response = client.get(f"/admin/articles/article/{draft.pk}/preview/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1] == (reader_preview(draft.slug), 303)
    assert b"Unpublished iron advice" in response.content


def test_the_preview_address_without_the_cookie_is_refused(client, draft):
    response = client.get(reader_preview(draft.slug))
    assert response.status_code == 403
    assert tree(response).find("h1").text() == "Preview link not valid"
    for name, value in PRIVATE.items():
        assert response[name] == value


def test_a_cookie_whose_token_expired_is_refused(client, draft):
    client.get(f"/articles/{draft.slug}/?preview={preview_token(draft)}")
    with later_than_a_token_lives():
        response = client.get(reader_preview(draft.slug))
    assert response.status_code == 403
    assert "expired" in tree(response).find("main").text()
    assert b"Unpublished iron advice" not in response.content


@pytest.mark.parametrize("value", ["not-a-token", '"two words"', "ferritin€"])
def test_a_cookie_that_is_no_token_is_refused_not_a_500(client, draft, value):
    # As a WSGI server hands on a header: its bytes read as Latin-1.
    cookie = f"{PREVIEW_COOKIE}={value}".encode().decode("latin-1")
    response = client.get(reader_preview(draft.slug), HTTP_COOKIE=cookie)
    assert response.status_code == 403
    assert tree(response).find("h1").text() == "Preview link not valid"


@pytest.mark.parametrize("change", [altered, lambda t: "€"])
def test_an_invalid_link_is_refused_at_once_without_a_cookie(client, draft, change):
    response = client.get(f"/articles/{draft.slug}/", {"preview": change(preview_token(draft))})
    assert response.status_code == 403
    assert PREVIEW_COOKIE not in response.cookies
    assert response["Cache-Control"] == "private, no-store"


def test_an_expired_link_is_refused_at_once_without_a_cookie(client, draft):
    token = preview_token(draft)
    with later_than_a_token_lives():
        response = client.get(f"/articles/{draft.slug}/?preview={token}")
    assert response.status_code == 403
    assert PREVIEW_COOKIE not in response.cookies


def test_the_public_page_of_a_draft_stays_404_with_the_cookie(client, draft):
    client.get(f"/articles/{draft.slug}/?preview={preview_token(draft)}")
    # The test client sends every cookie, whatever its Path: the worst case.
    assert PREVIEW_COOKIE in client.cookies
    response = client.get(f"/articles/{draft.slug}/")
    assert response.status_code == 404


def test_the_public_page_is_the_same_with_or_without_the_cookie(db):
    article = ArticleFactory(slug="public", title="Public iron advice")
    plain = Client().get("/articles/public/")
    holder = Client()
    holder.get(f"/articles/public/?preview={preview_token(article)}")
    with_cookie = holder.get("/articles/public/")
    assert with_cookie.status_code == plain.status_code == 200
    assert with_cookie.content == plain.content
    assert with_cookie["ETag"] == plain["ETag"]
    assert with_cookie["Cache-Control"] == plain["Cache-Control"]
    assert "Cookie" not in with_cookie.get("Vary", "")
    assert not with_cookie.cookies


def test_under_a_prefix_the_cookie_and_the_address_carry_it(client, draft):
    set_script_prefix("/cms/")
    try:
        response = client.get(f"/articles/{draft.slug}/?preview={preview_token(draft)}")
    finally:
        set_script_prefix("/")
    assert response["Location"] == f"/cms{reader_preview(draft.slug)}"
    assert response.cookies[PREVIEW_COOKIE]["path"] == f"/cms{reader_preview(draft.slug)}"


# Logs.


def secret_parts(token: str) -> list[str]:
    """The token and its signature: neither may appear in a log line."""
    return [token, token.rsplit(":", 1)[1][:-1]]


def logged_texts(records) -> list[str]:
    texts = []
    for record in records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
        # Django's request logger attaches the request itself: never formatted
        # (the JSON formatter reserves it, the text format names no field).
        texts += [repr(v) for k, v in vars(record).items() if k not in {"request", "msg", "args"}]
    return texts


@pytest.mark.parametrize("kind", ["valid", "altered", "expired"])
def test_no_log_record_names_a_token_of_the_path_form(api_client, draft, caplog, kind):
    token = preview_token(draft)
    if kind == "altered":
        token = altered(token)
    with caplog.at_level(logging.INFO):
        if kind == "expired":
            with later_than_a_token_lives():
                api_client.get(f"/api/v1/preview/{token}/")
        else:
            api_client.get(f"/api/v1/preview/{token}/")
    assert caplog.records
    for text in logged_texts(caplog.records):
        for secret in secret_parts(token):
            assert secret not in text
    assert any("/api/v1/preview/<token>/" in r.getMessage() for r in caplog.records)


def test_the_request_line_s_path_field_is_redacted(api_client, draft, caplog):
    with caplog.at_level(logging.INFO, logger="rls_cms.requests"):
        api_client.get(f"/api/v1/preview/{altered(preview_token(draft))}/")
    [line] = [r for r in caplog.records if r.name == "rls_cms.requests"]
    assert line.path == "/api/v1/preview/<token>/"
    assert line.status == 403


def test_no_log_record_names_the_token_of_a_refused_link(client, draft, caplog):
    token = altered(preview_token(draft))
    with caplog.at_level(logging.INFO):
        assert client.get(f"/articles/{draft.slug}/?preview={token}").status_code == 403
    for text in logged_texts(caplog.records):
        for secret in secret_parts(token):
            assert secret not in text


def test_runserver_s_request_line_loses_its_token():
    """django.server logs whole request lines, query string included (4xx as warnings)."""
    token = "MQ:1uAbCd:secret-signature"
    record = logging.makeLogRecord(
        {
            "name": "django.server",
            "msg": '"%s" %s %s',
            "args": (f"GET /articles/a/?preview={token} HTTP/1.1", "403", "120"),
            "status_code": 403,
            "server_time": "now",
        }
    )
    assert logging.getLogger("django.server").filter(record)
    assert record.getMessage() == '"GET /articles/a/?preview=<token> HTTP/1.1" 403 120'


def test_django_s_request_logger_redacts_before_any_handler():
    filters = logging.getLogger("django.request").filters
    assert any(isinstance(f, RedactPreviewTokens) for f in filters)


def test_the_filter_leaves_other_lines_alone():
    record = logging.makeLogRecord({"msg": "Not Found: %s", "args": ("/articles/x/preview/",)})
    RedactPreviewTokens().filter(record)
    assert (record.msg, record.args) == ("Not Found: %s", ("/articles/x/preview/",))


def test_gunicorn_names_no_token_in_its_own_lines():
    # "Error handling request <uri>": gunicorn's error log names the address.
    config: dict = {}
    exec(Path("rls_cms/gunicorn.conf.py").read_text(), config)
    logging.config.dictConfig(config["logconfig_dict"])
    logger = logging.getLogger("gunicorn.error")
    stream = io.StringIO()
    logger.handlers[0].setStream(stream)
    try:
        logger.error("Error handling request %s", "/api/v1/preview/Mg:1abc:sig/?preview=Mg:2x")
    finally:
        logger.handlers.clear()
    assert "/api/v1/preview/<token>/?preview=<token>" in stream.getvalue()
    assert "Mg:" not in stream.getvalue()
