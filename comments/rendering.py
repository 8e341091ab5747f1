"""A comment body as HTML: escaped text, paragraphs, and links; nothing else."""

from __future__ import annotations

import re

import nh3
from django.utils.html import linebreaks, urlize

LINK_REL = "nofollow ugc noopener"
MAILTO_LINK_RE = re.compile(r'<a href="mailto:[^"]*">([^<]*)</a>')


def render_comment(text: str) -> str:
    """Escape ``text``, turn blank-line-separated blocks into paragraphs and URLs into links."""
    # urlize escapes the text and links URLs; linebreaks makes <p> and <br>;
    # nh3 then keeps only those three tags, http(s) links, and our rel.
    linked = urlize(text.strip(), nofollow=False, autoescape=True)
    # urlize links email addresses too; a comment's links are web links only.
    linked = MAILTO_LINK_RE.sub(r"\1", linked)
    html = linebreaks(linked, autoescape=False)
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )
