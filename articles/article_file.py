"""Parse the hand-written Markdown article format (docs/article-format.md).

Parsing is pure: it reads text and returns plain data, or raises
``ArticleFileError`` naming the line. Saving is ``services.article_import``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify
from PIL import Image as PILImage

from articles.citations import missing_citations
from articles.validators import images_without_alt_text

FRONT_MATTER_KEYS = {
    "title",
    "slug",
    "byline",
    "tags",
    "last_reviewed_on",
    "reviewer",
    "reviewer_credentials",
}

HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+\{#([A-Za-z0-9_-]+)\})?[ \t]*#*[ \t]*$")
IMAGE_RE = re.compile(r'^!\[(?P<alt>[^\]]*)\]\((?P<path>[^\s)]+)(?:\s+"(?P<caption>[^"]*)")?\)\s*$')
CREDIT_RE = re.compile(r"^Credit:\s*(?P<credit>.+?)\s*$")
FENCE_RE = re.compile(r"^\s*(```|~~~)")
REFERENCES_HEADING_RE = re.compile(r"^references:?$", re.IGNORECASE)
LIST_ITEM_RE = re.compile(r"^\s*(?P<number>\d+)[.)]\s+(?P<text>.+?)\s*$")

ACCESSED_RE = re.compile(r"\s*Accessed\s+(?P<date>[^.]+(?:\.\s*\d[^.]*)?|\d{4}-\d{2}-\d{2})\.?\s*$")
DOI_RE = re.compile(r"\s*\bdoi:\s*(?P<doi>10\.\S+?)\.?(?=\s|$)", re.IGNORECASE)
URL_RE = re.compile(r"\s*(?P<url>https?://\S+?)\.?(?=\s|$)")
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
TRAILING_DATE_RE = re.compile(
    rf"(?:^|[.;,]\s*)(?P<date>(?P<monthday>{MONTH}\s+\d{{1,2}},\s+)?(?P<year>\d{{4}}))[.;]?\s*$"
)
# "Ondo WG", "Silber MH, et al", "Trenkwalder, et al", "Olson EJ (expert opinion)"
NAME = r"[A-Z][\w’'-]+(?:\s[A-Z]{1,3})?"
AUTHORS_RE = re.compile(rf"^{NAME}(?:,\s{NAME})*(?:,?\s+et al)?(?:\s\([^)]*\))?$")


class ArticleFileError(Exception):
    """A problem in an article file, at a line (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class SectionData:
    heading: str
    level: int
    anchor: str
    line: int
    body_lines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.body_lines).strip("\n")


@dataclass
class ImageData:
    path: Path
    alt_text: str
    caption: str
    line: int
    section_index: int | None  # None: after the intro
    credit: str = ""


@dataclass
class ReferenceData:
    line: int
    authors: str = ""
    title: str = ""
    source: str = ""
    year: int | None = None
    date: dt.date | None = None
    doi: str = ""
    url: str = ""
    accessed_on: dt.date | None = None


@dataclass
class ArticleData:
    title: str
    slug: str
    byline: str = ""
    tags: list[str] = field(default_factory=list)
    last_reviewed_on: dt.date | None = None
    reviewer: str = ""
    reviewer_credentials: str = ""
    intro: str = ""
    sections: list[SectionData] = field(default_factory=list)
    images: list[ImageData] = field(default_factory=list)
    references: list[ReferenceData] = field(default_factory=list)
    front_matter_lines: dict[str, int] = field(default_factory=dict)


def parse_date(text: str) -> dt.date:
    """Parse '2021-11-16', 'Nov. 16, 2021', 'Sept 3, 2020' or 'November 16, 2021'."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    cleaned = re.sub(r"\s+", " ", text.replace(".", "")).replace("Sept ", "Sep ")
    for fmt in ("%b %d, %Y", "%B %d, %Y"):
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def parse_reference(text: str, line: int) -> ReferenceData:
    """Split one citation into its parts (rules in docs/article-format.md)."""
    ref = ReferenceData(line=line)
    rest = text.strip()
    if match := ACCESSED_RE.search(rest):
        try:
            ref.accessed_on = parse_date(match["date"])
        except ValueError as exc:
            raise ArticleFileError(line, f"accessed date: {exc}") from None
        rest = rest[: match.start()]
    if match := DOI_RE.search(rest):
        ref.doi = match["doi"]
        rest = rest[: match.start()] + rest[match.end() :]
    if match := URL_RE.search(rest):
        ref.url = match["url"]
        rest = rest[: match.start()] + rest[match.end() :]
    rest = rest.strip().rstrip(".;, ")
    if match := TRAILING_DATE_RE.search(rest):
        ref.year = int(match["year"])
        if match["monthday"]:
            try:
                ref.date = parse_date(match["date"])
            except ValueError as exc:
                raise ArticleFileError(line, f"publication date: {exc}") from None
        rest = rest[: match.start()].strip().rstrip(".;, ")
    parts = [p.strip() for p in re.split(r"\.\s+", rest) if p.strip()]
    if len(parts) >= 2 and AUTHORS_RE.match(parts[0]):
        ref.authors = parts.pop(0)
    if parts:
        ref.title = parts.pop(0)
    ref.source = ". ".join(parts)
    return ref


def _parse_front_matter(lines: list[str]) -> tuple[dict[str, str], dict[str, int], int]:
    if not lines or lines[0].strip() != "---":
        raise ArticleFileError(1, "the file must start with front matter between two '---' lines")
    values: dict[str, str] = {}
    line_of: dict[str, int] = {}
    for index in range(1, len(lines)):
        number, raw = index + 1, lines[index]
        if raw.strip() == "---":
            return values, line_of, index + 1
        if not raw.strip():
            continue
        key, sep, value = raw.partition(":")
        key = key.strip()
        if not sep:
            raise ArticleFileError(
                number, f"expected 'key: value' in the front matter, got {raw!r}"
            )
        if key not in FRONT_MATTER_KEYS:
            known = ", ".join(sorted(FRONT_MATTER_KEYS))
            raise ArticleFileError(number, f"unknown front matter key {key!r} (known: {known})")
        if key in values:
            raise ArticleFileError(number, f"{key!r} is given twice")
        values[key], line_of[key] = value.strip(), number
    raise ArticleFileError(1, "the front matter is not closed with a '---' line")


def parse_article_file(text: str, base_dir: Path) -> ArticleData:
    """Parse an article file; image paths are resolved against ``base_dir``."""
    lines = text.splitlines()
    meta, line_of, body_start = _parse_front_matter(lines)
    if not meta.get("title"):
        raise ArticleFileError(line_of.get("title", 1), "the front matter needs a title")
    article = ArticleData(
        title=meta["title"],
        slug=meta.get("slug") or slugify(meta["title"]),
        byline=meta.get("byline", ""),
        tags=_tags(meta.get("tags", ""), line_of.get("tags", 1)),
        reviewer=meta.get("reviewer", ""),
        reviewer_credentials=meta.get("reviewer_credentials", ""),
        front_matter_lines=line_of,
    )
    if meta.get("last_reviewed_on"):
        try:
            article.last_reviewed_on = dt.date.fromisoformat(meta["last_reviewed_on"])
        except ValueError:
            raise ArticleFileError(
                line_of["last_reviewed_on"], "last_reviewed_on must be a date as YYYY-MM-DD"
            ) from None

    intro_lines: list[str] = []
    body = intro_lines
    in_references = in_fence = False
    references_text: list[tuple[int, str]] = []
    image_awaiting_credit: ImageData | None = None

    for index in range(body_start, len(lines)):
        number, raw = index + 1, lines[index]
        if image_awaiting_credit and (credit := CREDIT_RE.match(raw)):
            image_awaiting_credit.credit = credit["credit"]
            image_awaiting_credit = None
            continue
        image_awaiting_credit = None
        if FENCE_RE.match(raw):
            in_fence = not in_fence
        heading = None if in_fence else HEADING_RE.match(raw)
        if heading:
            level, title, anchor = len(heading[1]), heading[2].strip(), heading[3] or ""
            if in_references:
                raise ArticleFileError(number, "nothing may follow the References section")
            if level == 2 and REFERENCES_HEADING_RE.match(title):
                in_references = True
                continue
            if level not in (2, 3):
                raise ArticleFileError(
                    number,
                    f"heading level {level} is not allowed: use ## for sections and ### for "
                    "sub-sections (the title comes from the front matter)",
                )
            if level == 3 and not article.sections:
                raise ArticleFileError(number, "a ### sub-section must follow a ## section")
            section = SectionData(heading=title, level=level, anchor=anchor, line=number)
            article.sections.append(section)
            body = section.body_lines
            continue
        if in_references:
            if raw.strip():
                references_text.append((number, raw))
            continue
        image = None if in_fence else IMAGE_RE.match(raw.strip())
        if image:
            article.images.append(image_awaiting_credit := _image(image, number, base_dir, article))
            continue
        if not in_fence and (missing := images_without_alt_text(raw)):
            raise ArticleFileError(number, f"image needs alt text: {missing[0]}")
        body.append(raw)

    article.intro = "\n".join(intro_lines).strip("\n")
    article.references = _parse_references(references_text)
    _check_citations(article)
    return article


def _check_citations(article: ArticleData) -> None:
    """Every ``[^n]`` must name one of the article's references."""
    count = len(article.references)
    texts = [(article.front_matter_lines.get("title", 1), "the intro", article.intro)]
    texts += [(s.line, f"section {s.heading!r}", "\n".join(s.body_lines)) for s in article.sections]
    for line, where, text in texts:
        if missing := missing_citations(text, count):
            raise ArticleFileError(
                line,
                f"{where} cites reference {missing[0]} ([^{missing[0]}]), "
                f"but the article has {count} reference{'s' if count != 1 else ''}",
            )


def _tags(text: str, line: int) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    seen: dict[str, str] = {}
    for name in names:
        slug = slugify(name)
        if not slug or len(name) > 100:
            message = f"tag {name!r} must have letters or digits and at most 100 characters"
            raise ArticleFileError(line, message)
        if slug in seen:
            raise ArticleFileError(line, f"tags {seen[slug]!r} and {name!r} are the same tag")
        seen[slug] = name
    return names


def _image(match: re.Match, line: int, base_dir: Path, article: ArticleData) -> ImageData:
    alt_text = match["alt"].strip()
    if not alt_text:
        raise ArticleFileError(line, f"image needs alt text: {match.string.strip()}")
    path = (base_dir / match["path"]).resolve()
    if not path.is_file():
        raise ArticleFileError(line, f"image file not found: {match['path']}")
    try:
        with PILImage.open(path) as picture:
            picture.verify()
    except (OSError, SyntaxError, ValueError):
        raise ArticleFileError(line, f"not a readable image: {match['path']}") from None
    return ImageData(
        path=path,
        alt_text=alt_text,
        caption=(match["caption"] or "").strip(),
        line=line,
        section_index=len(article.sections) - 1 if article.sections else None,
    )


def _parse_references(numbered_lines: list[tuple[int, str]]) -> list[ReferenceData]:
    items: list[tuple[int, str]] = []
    for number, raw in numbered_lines:
        item = LIST_ITEM_RE.match(raw)
        if item:
            expected = len(items) + 1
            if int(item["number"]) != expected:
                raise ArticleFileError(
                    number, f"reference numbered {item['number']}, expected {expected}"
                )
            items.append((number, item["text"]))
        elif items and raw[:1].isspace():
            # An indented line continues the reference above it.
            line, text = items[-1]
            items[-1] = (line, f"{text} {raw.strip()}")
        else:
            raise ArticleFileError(
                number, f"expected a numbered reference such as '1. Author. Title.', got {raw!r}"
            )
    return [parse_reference(text, line) for line, text in items]
