"""Bad input, kept as data in ``tests/bad_input/cases.json``, against the real endpoints.

Every case gets either a 4xx whose message names the problem, or, for a
comment, a stored comment that is pending or spam; never a 500, never an
approved comment with live markup, never a commenter's email or address in
a public answer. A case's request is ``json``, ``text``, ``base64`` bytes or
``repeat`` (a body of that many bytes); ``{slug}``-style names are filled in.
"""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from articles.models import Article
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

CASES = json.loads((Path(__file__).parent / "bad_input" / "cases.json").read_text())["cases"]
# Elements that run or restyle: none may come out of a comment.
SAFE_SCHEMES = {"http:", "https:", "mailto:"}
LIVE_ELEMENTS = {"script", "iframe", "object", "embed", "style", "form", "base", "meta", "link"}


class _LiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in LIVE_ELEMENTS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            url = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            scheme, colon, _ = url.partition(":")
            if name in {"href", "src", "action"} and colon and "/" not in scheme:
                if f"{scheme}:" in SAFE_SCHEMES:
                    continue
                self.found.append(f"{tag} {name}={value}")


def live_markup(html: str) -> list[str]:
    """The elements and attributes of ``html`` that would run in a browser."""
    parser = _LiveMarkup()
    parser.feed(html)
    return parser.found


pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    article = ArticleFactory(slug="iron-and-sleep")
    approved = CommentFactory(article=article, status=Comment.Status.APPROVED)
    return {
        "slug": article.slug,
        "draft": ArticleFactory(status=Article.Status.DRAFT).slug,
        "scheduled": ArticleFactory(scheduled=True).slug,
        "comment": approved.pk,
        "pending": CommentFactory(article=article, status=Comment.Status.PENDING).pk,
        "elsewhere": CommentFactory(status=Comment.Status.APPROVED).pk,
    }


def fill(value, places: dict):
    """The case's data with ``"{name}"`` strings replaced by the places' ids and slugs."""
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return places[value[1:-1]]
    if isinstance(value, list):
        return [fill(item, places) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, places) for key, item in value.items()}
    return value


def body_of(case: dict, places: dict) -> bytes | None:
    if "json" in case:
        return json.dumps(fill(case["json"], places), ensure_ascii=False).encode()
    if "text" in case:
        return case["text"].encode("utf-8", "surrogatepass")
    if "base64" in case:
        return base64.b64decode(case["base64"])
    if "repeat" in case:
        unit = case["repeat"]["unit"].encode()
        return unit * (case["repeat"]["bytes"] // len(unit))
    return None


def test_the_corpus_is_large_and_every_case_named_once():
    ids = [case["id"] for case in CASES]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input(api_client, settings, places, moderator, case):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0, "THROTTLE_RATE": None}
    if case.get("as") == "moderator":
        token = Token.objects.create(user=moderator)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    path = case["path"].format(**places)
    if case.get("query"):
        path += "?" + case["query"]
    body = body_of(case, places)
    content_type = case.get("content_type", "application/json")
    before = set(Comment.objects.values_list("pk", flat=True))

    response = api_client.generic(
        case["method"],
        path,
        data=body or b"",
        content_type=content_type,
        REMOTE_ADDR="198.51.100.23",
    )

    expect = case["expect"]
    assert response.status_code < 500
    new = Comment.objects.exclude(pk__in=before)
    if expect.get("stored"):
        assert response.status_code == 201, response.content[:300]
        [comment] = new
        assert comment.status == expect.get("status", Comment.Status.PENDING)
        # What the public sees says "pending", whatever the rules decided.
        assert response.json()["status"] == "pending"
    else:
        assert response.status_code == expect["status"], response.content[:300]
        assert expect["mentions"].lower() in response.content.decode().lower()
        assert not new.exists()
    for comment in Comment.objects.filter(status=Comment.Status.APPROVED):
        assert live_markup(comment.body_html) == []


def test_an_approved_author_s_markup_is_published_inert(api_client, settings, places):
    # The known-author rule approves at once: the rendering is what protects.
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    url = f"/api/v1/articles/{places['slug']}/comments/"
    author = {"name": "Ada", "email": "ada@example.org"}
    CommentFactory(status=Comment.Status.APPROVED, **author)
    hostile = [case["json"]["body"] for case in CASES if case["id"].startswith("comment-body-html")]
    for n, text in enumerate(hostile):
        response = api_client.post(
            url, {**author, "body": f"{text} {n}"}, format="json", REMOTE_ADDR="198.51.100.24"
        )
        assert response.json()["status"] == "approved"

    public = api_client.get(url)

    assert len(hostile) == 3
    assert len(public.json()["results"]) == 4
    for comment in public.json()["results"]:
        assert live_markup(comment["body_html"]) == []
    assert "ada@example.org" not in public.content.decode()
    assert "198.51.100.24" not in public.content.decode()


def test_the_markup_check_sees_live_markup():
    assert live_markup('<p>x</p><a href="https://example.org">y</a>') == []
    assert live_markup("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == []
    assert live_markup("<script>alert(1)</script>") == ["<script>"]
    assert live_markup('<img src="x" onerror="alert(1)">') == ["img onerror"]
    assert live_markup('<a href=" javascript:alert(1)">x</a>') == ["a href= javascript:alert(1)"]
    assert live_markup('<a href="mailto:ada@example.org">Ada</a><a href="/x?a=b:c">x</a>') == []
