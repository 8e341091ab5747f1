"""Validators for article parts; each error carries a stable code."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from articles.markdown import render_markdown

# Crossref's recommended pattern for modern DOIs: "10." + registrant + "/" + suffix.
DOI_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9<>\[\]]+$")


def validate_doi(value: str) -> None:
    """Reject anything that is not a bare DOI such as 10.1016/j.sleep.2016.01.017."""
    if value and not DOI_RE.match(value):
        raise ValidationError(
            _("Enter a DOI such as 10.1016/j.sleep.2016.01.017."),
            code="invalid_doi",
            params={"value": value},
        )


# What markdownx's upload (articles.editor) writes in the brackets: a
# placeholder the editor must replace with a description.
PLACEHOLDER_ALT = "Describe this image"


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (src, alt)

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "img":
            values = dict(attrs)
            self.found.append((values.get("src") or "", (values.get("alt") or "").strip()))


def images_without_alt_text(markdown_text: str) -> list[str]:
    """The addresses of the images in ``markdown_text`` with no description (or the placeholder)."""
    if "<img" not in markdown_text and "![" not in markdown_text and "]:" not in markdown_text:
        return []
    parser = _Images()
    parser.feed(render_markdown(markdown_text))
    return [src for src, alt in parser.found if not alt or alt == PLACEHOLDER_ALT]


def validate_image_alt_texts(value: str) -> None:
    """Every image written in Markdown needs alt text, as an image of the article does."""
    if missing := images_without_alt_text(value):
        raise ValidationError(
            _(
                "Every image needs alt text: describe the image %(src)s between the "
                "brackets of ![…](%(src)s)."
            ),
            code="image_alt_text_required",
            params={"src": missing[0]},
        )
