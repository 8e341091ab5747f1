"""Stored HTML is rendered from Markdown and sanitised: nothing executable reaches it."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "form", "body", "math"}
FORBIDDEN_SCHEMES = ("javascript:", "vbscript:", "data:")

PAYLOADS = {
    "script-tag": "<script>alert(1)</script>",
    "script-tag-inline": "Text <script>alert(1)</script> more text.",
    "script-tag-mixed-case": "<ScRiPt>alert(1)</ScRiPt>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "a-onclick": '<a href="https://example.org" onclick="alert(1)">x</a>',
    "div-onclick": "<div onclick=alert(1)>x</div>",
    "body-onload": "<body onload=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "p-onmouseover": '<p onmouseover="alert(1)">x</p>',
    "md-link-javascript": "[x](javascript:alert(1))",
    "md-link-javascript-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "md-link-javascript-entity": "[x](java&#115;cript:alert(1))",
    "md-link-javascript-angle": "[x](<javascript:alert(1)>)",
    "md-reference-link-javascript": "[x][1]\n\n[1]: javascript:alert(1)",
    "md-autolink-javascript": "<javascript:alert(1)>",
    "a-javascript": '<a href="javascript:alert(1)">x</a>',
    "a-javascript-entity": '<a href="java&#115;cript:alert(1)">x</a>',
    "a-javascript-hex-entity": '<a href="&#x6A;avascript:alert(1)">x</a>',
    "a-javascript-colon-entity": '<a href="javascript&colon;alert(1)">x</a>',
    "a-javascript-tab-entity": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "a-javascript-leading-space": '<a href="&#x20;javascript:alert(1)">x</a>',
    "md-link-data": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-image-data": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "img-data": '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "img-data-upper-case": '<img src="DATA:image/png;base64,iVBORw0KGgo=">',
    "img-javascript": '<img src="javascript:alert(1)">',
    "md-link-vbscript": "[x](vbscript:msgbox(1))",
    "a-vbscript-mixed-case": '<a href="VBScript:msgbox(1)">x</a>',
    "iframe": '<iframe src="https://example.org"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "style-tag": "<style>body { display: none }</style>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "form": '<form action="javascript:alert(1)"><button>x</button></form>',
}


class _Collector(HTMLParser):
    """Collect every start tag and its attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def dangers(stored: str) -> list[str]:
    """Everything in ``stored`` that could run script or smuggle content."""
    parser = _Collector()
    parser.feed(stored)
    parser.close()
    found = []
    if "<script" in stored.lower():
        found.append("<script")
    for tag, attrs in parser.tags:
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                found.append(f"{tag}[{name}]")
            # Browsers drop ASCII whitespace and control characters inside a scheme.
            url = re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower()
            if url.startswith(FORBIDDEN_SCHEMES):
                found.append(f"{tag}[{name}={value!r}]")
    return found


def stored_html(field: str, markdown: str) -> str:
    """Save ``markdown`` in the article intro or a section body; return the stored HTML."""
    if field == "Article.intro_html":
        article = ArticleFactory(intro=markdown)
        article.refresh_from_db()
        return article.intro_html
    section = SectionFactory(body=markdown)
    section.refresh_from_db()
    return section.body_html


FIELDS = ["Article.intro_html", "Section.body_html"]


def test_the_danger_check_notices_each_kind_of_danger():
    assert dangers(
        '<script>x</script><img src=x onerror=y><a href="java&#115;cript:y">a</a>'
        '<img src="DATA:x"><a href="vbscript:y">b</a>'
    ) == [
        "<script",
        "<script>",
        "img[onerror]",
        "a[href='javascript:y']",
        "img[src='DATA:x']",
        "a[href='vbscript:y']",
    ]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_dangerous_markup_never_reaches_stored_html(field, payload):
    assert dangers(stored_html(field, payload)) == []


@pytest.mark.parametrize("field", FIELDS)
def test_text_around_a_script_survives(field):
    assert stored_html(field, PAYLOADS["script-tag-inline"]) == "<p>Text  more text.</p>"


@pytest.mark.parametrize("field", FIELDS)
def test_link_with_javascript_url_keeps_its_text_without_href(field):
    assert stored_html(field, "[click me](javascript:alert(1))") == (
        '<p><a rel="noopener noreferrer">click me</a></p>'
    )


@pytest.mark.parametrize("field", FIELDS)
def test_emphasis_survives(field):
    assert stored_html(field, "Some *emphasis* and **strength**.") == (
        "<p>Some <em>emphasis</em> and <strong>strength</strong>.</p>"
    )


@pytest.mark.parametrize("field", FIELDS)
def test_https_link_survives(field):
    assert stored_html(field, "[NINDS](https://www.ninds.nih.gov/)") == (
        '<p><a href="https://www.ninds.nih.gov/" rel="noopener noreferrer">NINDS</a></p>'
    )


@pytest.mark.parametrize("field", FIELDS)
def test_relative_link_survives(field):
    assert 'href="/articles/iron/"' in stored_html(field, "[Iron](/articles/iron/)")


@pytest.mark.parametrize("field", FIELDS)
def test_lists_survive(field):
    assert stored_html(field, "- one\n- two\n\n1. first\n2. second") == (
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>"
    )


@pytest.mark.parametrize("field", FIELDS)
def test_tables_survive(field):
    stored = stored_html(field, "| Cause | Risk |\n|---|---|\n| Iron | High |")
    assert stored == (
        "<table>\n<thead>\n<tr>\n<th>Cause</th>\n<th>Risk</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>Iron</td>\n<td>High</td>\n</tr>\n</tbody>\n</table>"
    )


@pytest.mark.parametrize("field", FIELDS)
def test_https_image_survives_with_alt_text(field):
    stored = stored_html(field, "![A nerve cell](https://example.org/nerve.png)")
    assert stored == '<p><img alt="A nerve cell" src="https://example.org/nerve.png"></p>'


@pytest.mark.parametrize("field", FIELDS)
def test_mailto_link_survives(field):
    assert 'href="mailto:editor@example.org"' in stored_html(
        field, "[Write to us](mailto:editor@example.org)"
    )


@pytest.mark.parametrize("field", FIELDS)
def test_code_block_shows_markup_as_text(field):
    stored = stored_html(field, "```\n<script>alert(1)</script>\n```")
    assert stored == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"


def test_intro_html_is_sanitised_when_saved_with_update_fields():
    article = ArticleFactory(intro="Harmless.")
    article.intro = PAYLOADS["img-onerror"]
    article.save(update_fields=["intro"])
    article.refresh_from_db()
    assert dangers(article.intro_html) == []


def test_empty_markdown_stores_empty_html():
    assert stored_html("Article.intro_html", "") == ""


# Ids the author writes cannot pose as the page's own or a reference's anchor.


@pytest.mark.parametrize(
    "markdown",
    [
        '<a id="ref-1">forged reference</a>',
        '<span id="_main">x</span>',
        '<span id="_json_ld">x</span>',
        "## Heading {#ref-1}",
        "Text\n{: #_main}",
    ],
)
def test_ids_written_in_markdown_come_out_prefixed(markdown):
    section = SectionFactory(body=markdown)
    ids = re.findall(r'id="([^"]*)"', section.body_html)
    assert ids and all(value.startswith("user-content-") for value in ids)
    assert 'id="ref-1"' not in section.body_html and 'id="_main"' not in section.body_html


def test_the_renderers_own_anchors_keep_their_names():
    section = SectionFactory(body="Iron helps [^1].\n\nSee [causes](#causes).")
    assert '<a href="#ref-1" title="Reference 1"' in section.body_html
    assert 'href="#causes"' in section.body_html  # another section's anchor


def test_links_to_an_id_of_the_same_text_follow_its_prefix():
    section = SectionFactory(body="A claim[^note].\n\n[^note]: A footnote.")
    assert 'id="user-content-fn:note"' in section.body_html
    assert 'href="#user-content-fn:note"' in section.body_html
    assert 'href="#user-content-fnref:note"' in section.body_html
