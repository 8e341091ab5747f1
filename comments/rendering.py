"""A comment body as HTML: escaped text, paragraphs, and links; nothing else."""

from __future__ import annotations

import nh3
from django.utils.html import linebreaks, urlize

LINK_REL = "nofollow ugc noopener"


def render_comment(text: str) -> str:
    """Escape ``text``, turn blank-line-separated blocks into paragraphs and URLs into links."""
    # urlize escapes the text and links URLs; linebreaks makes <p> and <br>;
    # nh3 then keeps only those three tags, http(s) links, and our rel.
    html = linebreaks(urlize(text.strip(), nofollow=False, autoescape=True), autoescape=False)
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )
