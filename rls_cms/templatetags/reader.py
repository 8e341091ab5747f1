"""Template helpers for the reader's pages: dates, links from data, JSON-LD."""

from __future__ import annotations

import json

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from articles.conf import content_language as article_language
from rls_cms.pages import when

register = template.Library()

# As the reader's script wrote dates: "December 3, 2026".
DATE_FORMAT = "F j, Y"

# The characters that could end a <script> block or start markup, escaped in
# JSON as JSON allows (what Django's json_script escapes).
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def content_language() -> str:
    return article_language()


@register.simple_tag
def time_tag(value: str | None) -> str:
    """``<time>`` for an API date or date-time, in the site's time zone."""
    moment = when(value)
    if moment is None:
        return ""
    if hasattr(moment, "tzinfo") and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return format_html('<time datetime="{}">{}</time>', value, date_format(moment, DATE_FORMAT))


@register.simple_tag
def safe_link(url: str | None, text: str, rel: str = "") -> str:
    """A link to ``url`` only if it is a web address; otherwise the text alone.

    A javascript: or data: address stored by any route must never become clickable.
    """
    if url and url.startswith(("https://", "http://", "/")) and not url.startswith("//"):
        if rel:
            return format_html('<a href="{}" rel="{}">{}</a>', url, rel, text)
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html("{}", text)


@register.filter
def json_ld_script(data: dict) -> SafeString:
    """A JSON-LD data block for the head: never run, and unable to end its own element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
