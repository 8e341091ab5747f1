"""Markdown to safe HTML: the one renderer for stored HTML and the editor preview."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from articles.citations import CITATION_RE, reference_anchor


class CitationProcessor(InlineProcessor):
    """``[^3]`` becomes a superscript link to reference 3: ``<sup><a href="#ref-3">3</a></sup>``."""

    def handleMatch(self, match, data):  # noqa: N802  (Python-Markdown's name)
        number = int(match.group(1))
        sup = ET.Element("sup")
        link = ET.SubElement(sup, "a", href=f"#{reference_anchor(number)}")
        link.set("title", f"Reference {number}")
        link.text = str(number)
        return sup, match.start(0), match.end(0)


class CitationExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802  (Python-Markdown's name)
        # Before footnotes (175), which would take "[^3]" only with a definition.
        md.inlinePatterns.register(CitationProcessor(CITATION_RE.pattern, md), "citation", 176)


# Ids an author writes (attribute lists, footnotes, raw HTML) are prefixed, as
# GitHub does, so none can pose as the page's own (``_main``, ``_json_ld``) or
# as a reference's anchor (``ref-1``). The renderer's own anchors are not ids
# in the body: headings' anchors and ``#ref-n`` links keep their names.
USER_ID_PREFIX = "user-content-"


class LocalLinksProcessor(Treeprocessor):
    """Point links to ids of the same text (footnotes, attribute lists) at their prefixed ids."""

    def run(self, root):
        ids = {element.get("id") for element in root.iter() if element.get("id")}
        for link in root.iter("a"):
            href = link.get("href", "")
            if href.startswith("#") and href[1:] in ids:
                link.set("href", f"#{USER_ID_PREFIX}{href[1:]}")


class LocalLinksExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802  (Python-Markdown's name)
        # Last, after attribute lists (8) and footnotes (50) have set their ids.
        md.treeprocessors.register(LocalLinksProcessor(md), "local_links", 1)


MARKDOWN_EXTENSIONS = ["extra", "sane_lists", CitationExtension(), LocalLinksExtension()]

# Only what articles need; everything else (script, style, iframes, forms,
# event handlers, inline styles) is dropped.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title"},
    "a": {"href"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
}
# Relative URLs stay allowed; javascript:, data:, vbscript: and friends do not.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def prefix_ids(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and not value.startswith(USER_ID_PREFIX):
        return USER_ID_PREFIX + value
    return value


def sanitize_html(html: str) -> str:
    """Strip everything from ``html`` that is not on the allow-lists above; prefix ids."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=prefix_ids,
    )


def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML (also markdownx's preview function)."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitize_html(html)
