"""DOI handling and the formatted citation of a reference."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from articles.models import Reference

# An in-text citation: "[^3]" cites reference 3 of the article.
CITATION_RE = re.compile(r"\[\^(\d{1,4})\]")


def reference_anchor(number: int) -> str:
    """The id the reference numbered ``number`` carries in a page: what markers link to."""
    return f"ref-{number}"


def cited_numbers(text: str) -> list[int]:
    """The reference numbers ``text`` cites, in order of first appearance."""
    return list(dict.fromkeys(int(n) for n in CITATION_RE.findall(text or "")))


def missing_citations(text: str, references: int) -> list[int]:
    """The numbers ``text`` cites that are not among an article's ``references`` (1..n)."""
    return [n for n in cited_numbers(text) if not 1 <= n <= references]


DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def normalize_doi(value: str) -> str:
    """Turn ``doi:10.x/y`` or ``https://doi.org/10.x/y`` into the bare ``10.x/y``."""
    return DOI_PREFIX_RE.sub("", (value or "").strip())


def doi_url(doi: str) -> str:
    """The resolver URL of ``doi``, or an empty string."""
    if not doi:
        return ""
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


# AP-style month names, as medical publishers print them: "Nov. 16, 2021", "May 3, 2020".
MONTHS = (
    "Jan.", "Feb.", "March", "April", "May", "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip


def format_date(value: dt.date) -> str:
    """A date as citations print it: 'Nov. 16, 2021'."""
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def format_citation(ref: Reference) -> str:
    """Build an AMA-style citation from the parts of ``ref``."""
    parts = [_sentence(p) for p in (ref.authors, ref.title) if p and p.strip()]
    published = format_date(ref.date) if ref.date else (str(ref.year) if ref.year else "")
    if ref.source and published:
        parts.append(f"{ref.source.strip()}; {published}.")
    elif ref.source or published:
        parts.append(_sentence(ref.source or published))
    if ref.doi:
        parts.append(f"doi:{ref.doi}.")
    if ref.url:
        parts.append(f"{ref.url}.")
    if ref.accessed_on:
        parts.append(f"Accessed {format_date(ref.accessed_on)}.")
    return " ".join(parts)
