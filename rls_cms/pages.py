"""What the reader's templates show, shaped from the API's JSON (and nothing else).

The templates stay simple: nesting (contents, figures after their section,
comment threads) and joined text (a reference's line) are arranged here.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import strip_tags

# Search engines show about this much of a description.
DESCRIPTION_LENGTH = 160


def description(text: str) -> str:
    """Plain text for a meta description: whole words, at most DESCRIPTION_LENGTH characters."""
    plain = " ".join(strip_tags(text).split())
    if len(plain) <= DESCRIPTION_LENGTH:
        return plain
    # Cut at the last space that leaves room for the ellipsis.
    return plain[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def when(value: str | None):
    """An API date or date-time as a Python value, for the templates' date filters."""
    if not value:
        return None
    return parse_datetime(value) if "T" in value else parse_date(value)


def same_day(first: str | None, second: str | None) -> bool:
    a, b = when(first), when(second)
    return a is not None and b is not None and a.date() == b.date()


def table_of_contents(toc: list[dict]) -> list[dict]:
    """Sub-sections nested under the section before them, as the article nests them."""
    top: list[dict] = []
    for entry in toc:
        item = {**entry, "children": []}
        if entry["level"] > 2 and top:
            top[-1]["children"].append(item)
        else:
            top.append(item)
    return top


def sections_with_figures(article: dict) -> tuple[list[dict], list[dict]]:
    """The figures after the intro, and the sections each with the figures that follow it.

    The first figure on the page is marked ``eager``: it loads at once, the others lazily.
    """
    after = defaultdict(list)
    for image in article["images"]:
        after[image["after_section"] or ""].append({**image, "eager": False})
    sections = [{**section, "figures": after[section["anchor"]]} for section in article["sections"]]
    for figure in [*after[""], *(f for s in sections for f in s["figures"])][:1]:
        figure["eager"] = True
    return after[""], sections


ENDS_A_SENTENCE = re.compile(r"[.?!]$")


def reference_text(reference: dict) -> str:
    """ "Authors. Title. Source, year." with each part ending as a sentence."""
    source = ", ".join(str(p) for p in (reference["source"], reference["year"]) if p)
    parts = [p for p in (reference["authors"], reference["title"], source) if p]
    return " ".join(p if ENDS_A_SENTENCE.search(p) else f"{p}." for p in parts)


def references(article: dict) -> list[dict]:
    """Each reference with its line of text and its links back to the sections citing it."""
    headings = {entry["anchor"]: entry["heading"] for entry in article["toc"]}
    return [
        {
            **reference,
            "text": reference_text(reference),
            "back": [
                {"anchor": anchor, "heading": headings.get(anchor, anchor)}
                for anchor in reference.get("cited_in", [])
            ],
        }
        for reference in article["references"]
    ]


def comment_thread(comments: list[dict]) -> list[dict]:
    """Comments as a tree: each with its ``replies``; one whose parent is not here is a root."""
    ids = {comment["id"] for comment in comments}
    replies = defaultdict(list)
    roots = []
    for comment in comments:
        node = {**comment, "replies": replies[comment["id"]]}
        if comment["parent"] and comment["parent"] in ids:
            replies[comment["parent"]].append(node)
        else:
            roots.append(node)
    return roots


def query_of(link: str | None) -> str:
    """The query string of an API page link (``next``): the reader's own link carries it."""
    if not link or "?" not in link:
        return ""
    return link.split("?", 1)[1]
