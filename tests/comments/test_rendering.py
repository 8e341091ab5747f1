"""Comment bodies as HTML: escaped text, paragraphs, line breaks and links; nothing else."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from comments.rendering import render_comment
from tests.factories import CommentFactory

REL = "nofollow ugc noopener"

HOSTILE_BODIES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
    'https://example.com/"onmouseover="alert(1)',
    "http://example.com/<b>bold</b>",
    "www.example.com/?q=<script>",
    "javascript:alert(document.cookie)",
    "**bold** _em_ `code` # heading\n\n> quote\n\n- item",
    "[click](javascript:alert(1)) ![img](https://example.com/x.png)",
    "<p onclick=alert(1)>para</p><br onmouseover=alert(1)>",
    "&lt;script&gt; &amp; &#60;script&#62;",
]


class TagCollector(HTMLParser):
    """Every start tag with its attributes, as the browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def tag_names(html: str) -> set[str]:
    return {tag for tag, _ in parse(html)}


def links(html: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in parse(html) if tag == "a"]


class TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> str:
    collector = TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


# Inert markup.


def test_script_tag_is_inert():
    html = render_comment("<script>alert(1)</script>")
    assert tag_names(html) == {"p"}
    assert text_of(html) == "<script>alert(1)</script>"


def test_img_with_onerror_is_inert():
    html = render_comment("<img src=x onerror=alert(1)>")
    assert tag_names(html) == {"p"}
    assert text_of(html) == "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_only_p_br_and_a_tags_ever_appear(body):
    assert tag_names(render_comment(body)) <= {"p", "br", "a"}


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_links_carry_only_an_http_href_and_the_rel(body):
    for attrs in links(render_comment(body)):
        assert set(attrs) <= {"href", "rel"}
        assert attrs.get("href", "").startswith(("http://", "https://"))


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_paragraphs_and_line_breaks_carry_no_attributes(body):
    assert all(attrs == {} for tag, attrs in parse(render_comment(body)) if tag != "a")


# Links.


@pytest.mark.parametrize(
    ("body", "href"),
    [
        ("Read http://example.com/page today.", "http://example.com/page"),
        ("Read https://example.com/page?a=1 today.", "https://example.com/page?a=1"),
        ("Read www.example.com today.", "http://www.example.com"),
    ],
)
def test_url_becomes_a_link(body, href):
    assert [attrs["href"] for attrs in links(render_comment(body))] == [href]


@pytest.mark.parametrize("body", ["http://example.com", "https://example.com", "www.example.com"])
def test_link_has_rel_nofollow_ugc_noopener(body):
    (attrs,) = links(render_comment(body))
    assert set(attrs["rel"].split()) == set(REL.split())


def test_link_text_is_the_url():
    html = render_comment("See https://example.com/page now.")
    assert text_of(html) == "See https://example.com/page now."


def test_javascript_text_never_becomes_a_link():
    assert links(render_comment("Click javascript:alert(document.cookie) now")) == []


def test_javascript_anchor_never_becomes_a_link():
    assert links(render_comment('<a href="javascript:alert(1)">click</a>')) == []


def test_markdown_link_to_javascript_never_becomes_a_link():
    assert links(render_comment("[click](javascript:alert(1))")) == []


def test_email_address_does_not_become_an_anchor():
    assert links(render_comment("Write to someone@example.org please.")) == []


# Text, paragraphs and line breaks.


def test_markdown_is_not_interpreted():
    html = render_comment("**bold** and _emphasis_")
    assert tag_names(html) == {"p"}
    assert text_of(html) == "**bold** and _emphasis_"


def test_blank_line_separates_paragraphs():
    html = render_comment("First paragraph.\n\nSecond paragraph.")
    assert [tag for tag, _ in parse(html)] == ["p", "p"]


def test_single_newline_is_a_line_break():
    html = render_comment("First line.\nSecond line.")
    assert [tag for tag, _ in parse(html)] == ["p", "br"]


def test_text_is_kept_word_for_word():
    body = "Tom & Jerry say 5 < 6 > 4 \"quoted\" 'single'"
    assert text_of(render_comment(body)) == body


# body_html on save.


@pytest.mark.django_db
def test_body_html_is_rendered_on_save():
    comment = CommentFactory(body="See https://example.com.\n\n<script>alert(1)</script>")
    assert comment.body_html == render_comment(comment.body)
    assert tag_names(comment.body_html) == {"p", "a"}


@pytest.mark.django_db
def test_body_html_follows_a_changed_body():
    comment = CommentFactory(body="Before.")
    comment.body = "<img src=x onerror=alert(1)>"
    comment.save()
    comment.refresh_from_db()
    assert tag_names(comment.body_html) == {"p"}
    assert text_of(comment.body_html) == "<img src=x onerror=alert(1)>"


@pytest.mark.django_db
def test_body_html_follows_a_partial_save_of_the_body():
    comment = CommentFactory(body="Before.")
    comment.body = "After, with www.example.com."
    comment.save(update_fields=["body"])
    comment.refresh_from_db()
    assert [attrs["href"] for attrs in links(comment.body_html)] == ["http://www.example.com"]
