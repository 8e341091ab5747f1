"""The OpenAPI document as a typed client needs it: one post-processing hook.

drf-spectacular describes what a view returns when all goes well. The hook
``contract`` (name it in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"], after
drf-spectacular's enum hook) adds what the apps' answers carry besides:

- every error status an operation can answer, in one shared ``Error`` shape;
- conditional GETs: the validators sent with each 200, and the 304;
- the rate-limit headers of throttled POSTs, and their 429 with Retry-After;
- the OPTIONS operations views describe (``options_operation``);
- the tags of the areas, readable component names, the ``servers``.

Views choose their tags and operation ids with ``extend_schema``; the hook
reads nothing but the document and the endpoints, so a host's own API in the
same document is left as it is, but for the component names it shares.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.conf import settings

from articles.api.components import STRUCTURED_DATA
from articles.checks import url_patterns

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR = {
    "type": "object",
    "description": (
        "Every error answer of the API. `detail` says what went wrong, in words to show, with "
        "a stable `code` where one exists. A form or a query that fails validation (400) "
        "names each field or parameter instead, with a list of messages: "
        '`{"email": ["Enter a valid email address."]}`; what belongs to no field is under '
        "`non_field_errors`."
    ),
    "properties": {
        "detail": {"type": "string", "maxLength": 1000},
        "code": {"type": "string", "maxLength": 100, "pattern": "^[a-z_]+$"},
        "support": {
            "type": "string",
            "maxLength": 2000,
            "description": "Where to find help: sent when a refused comment speaks of "
            "self-harm or suicide. Show it at once, above everything else.",
        },
    },
    # A field's messages; a list's field, its messages by position ({"3": [...]}).
    # A string too, so that a typed client reads ``detail`` as the string it is.
    "additionalProperties": {
        "oneOf": [
            {"type": "string", "maxLength": 1000},
            {"type": "array", "items": {"type": "string", "maxLength": 1000}},
            {
                "type": "object",
                "additionalProperties": {
                    "type": "array",
                    "items": {"type": "string", "maxLength": 1000},
                },
            },
        ]
    },
    "example": {"detail": "No Article matches the given query."},
}
REASONS = {
    "400": "The request, its body or a query parameter is invalid; the answer names what.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "The caller may not do this (comments closed, a preview link expired).",
    "404": "No such object, or a cursor that is not one of ours.",
    "406": "The Accept header asks for a format the endpoint does not serve.",
    "409": "The same comment, or the same client's report of a comment, was sent already.",
    "412": "An If-Match or If-Unmodified-Since precondition failed: the article changed.",
    "413": "The request body is over 64 kB.",
    "415": "The body is not JSON.",
    "429": "Too many requests from this client; Retry-After says when to come back.",
}
# Paths of the staff API: callers must sign in; the admin editor's, with a session.
STAFF_PREFIX = "/moderation/"
EDITOR_PREFIX = "/editor/"

HEADERS = {
    "Access-Control-Allow-Origin": {
        "description": "Sent to the browser origins the host allows (CORS), none else.",
        "schema": {"type": "string", "maxLength": 2000},
    },
    "ETag": {
        "description": "The version of this answer: send it back in If-None-Match.",
        "schema": {"type": "string", "maxLength": 100},
    },
    "Last-Modified": {
        "description": "When the content last changed (an HTTP date): send it back in "
        "If-Modified-Since.",
        "schema": {"type": "string", "maxLength": 40},
    },
    "Cache-Control": {
        "description": 'How long a cache may keep the answer ("public, no-cache": '
        "revalidate every time; a max-age when the host sets RLS_ARTICLES['MAX_AGE']).",
        "schema": {"type": "string", "maxLength": 200},
    },
    "Vary": {
        "description": "The request headers the answer depends on: Origin when the host "
        "allows CORS, Accept while the browsable API is on.",
        "schema": {"type": "string", "maxLength": 200},
    },
    "Retry-After": {
        "description": "Seconds to wait before sending again.",
        "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 86400},
    },
    "RateLimit-Limit": {
        "description": "Requests this client may send in the window (IETF draft RateLimit "
        "headers); absent when the host sets no limit.",
        "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 1000000},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 1000000},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the window frees a request.",
        "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 86400},
    },
}
VALIDATORS = ("ETag", "Last-Modified", "Cache-Control", "Vary")
RATE_LIMIT = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
CONDITIONAL_PARAMETERS = [
    {
        "in": "header",
        "name": "If-None-Match",
        "description": "The ETag of the answer you hold: 304 with no body while it is current.",
        "schema": {"type": "string", "maxLength": 1000},
    },
    {
        "in": "header",
        "name": "If-Modified-Since",
        "description": "The Last-Modified of the answer you hold (If-None-Match wins).",
        "schema": {"type": "string", "maxLength": 40},
    },
    {
        "in": "header",
        "name": "If-Match",
        "description": "Answer only if the answer is still this ETag: 412 otherwise.",
        "schema": {"type": "string", "maxLength": 1000},
    },
    {
        "in": "header",
        "name": "If-Unmodified-Since",
        "description": "Answer only if nothing changed since this HTTP date: 412 otherwise.",
        "schema": {"type": "string", "maxLength": 40},
    },
]

# Operations answered from stored bytes, with validators; and throttled ones.
CONDITIONAL_GETS = {"articles_list", "article_retrieve", "article_comments_list"}
THROTTLED = {"article_comment_create", "comment_report_create"}

TAGS = [
    {"name": "articles", "description": "Published articles: the list, and each with every part."},
    {
        "name": "comments",
        "description": "Readers' comments: the approved ones, the form, and reports to "
        "moderators. No commenter's email, IP address or user agent is ever sent.",
    },
    {
        "name": "moderation",
        "description": "The staff's moderation queue: a token or a session of a user with the "
        "moderate_comment permission.",
    },
    {
        "name": "editor",
        "description": "What the admin's Markdown editor calls: a staff session and its CSRF "
        "token.",
    },
    {
        "name": "review",
        "description": "The staff's medical review schedule: a token or a session of a staff "
        "user with the view_article permission.",
    },
    {
        "name": "preview",
        "description": "A draft as it will be published, for the holder of a preview link "
        "from the admin.",
    },
]


# What the demo article's answers look like, shortened (two sections, one
# image, two references); tests/api/test_schema_examples.py keeps them true.
EXAMPLES = json.loads((Path(__file__).parent / "examples.json").read_text(encoding="utf-8"))

# drf-spectacular's generated names, as a client's types will read them.
COMPONENT_NAMES = {
    "PaginatedArticleListList": "ArticlePage",
    "ArticleList": "ArticleListItem",
    "PaginatedCommentList": "CommentPage",
    "PaginatedModerationCommentList": "ModerationCommentPage",
    "TypeEnum": "AuthorType",
    "LevelEnum": "SectionLevel",
    "PreviewStatusEnum": "PreviewStatus",
    "CommentSubmittedStatusEnum": "SubmittedStatus",
    "ReportReceivedStatusEnum": "ReportStatus",
    "ModerationCommentStatusEnum": "CommentStatus",
    "PriorityEnum": "CommentPriority",
    "ReasonEnum": "ReportReason",
    "VerdictEnum": "Verdict",
    "ActionEnum": "ModerationActionName",
}

# The largest id a database gives (a 64-bit signed integer).
INT64_MAX = 2**63 - 1


def statuses(path: str, method: str, operation: dict) -> set[str]:
    if EDITOR_PREFIX in path:
        # A form the editor sends (400), or no staff session or CSRF token (403).
        return {"400", "403"}
    found = {"400", "404", "406"}
    if "requestBody" in operation or method == "post":
        found |= {"413", "415"}
    if STAFF_PREFIX in path:
        found |= {"401", "403"}
    if path.endswith("/preview/"):
        found |= {"401"}  # no token in the Authorization header
    if "/preview/" in path:
        found |= {"403"}  # an expired or altered token
    if operation.get("operationId") in CONDITIONAL_GETS:
        found |= {"412"}
    if path.endswith("/comments/") and method == "post":
        found |= {"403", "409", "429"}
    if path.endswith("/report/") and method == "post":
        found |= {"409", "429"}
    return found


def header_refs(names) -> dict:
    # Each answer that names its headers names the CORS one too: a browser needs it.
    names = ("Access-Control-Allow-Origin", *names)
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def error_response(status: str, headers=()) -> dict:
    response = {
        "description": REASONS[status],
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if headers:
        response["headers"] = header_refs(headers)
    return response


def document_errors(result: dict, generator, request, public) -> dict:
    """Each operation's error answers, with the shared Error schema (kept for hosts naming it)."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses(path, method, operation)):
                responses.setdefault(status, error_response(status))
    return result


def document_http(result: dict) -> None:
    """Validators and 304 on conditional GETs; rate-limit headers and 429 on throttled POSTs."""
    result["components"].setdefault("headers", {}).update(HEADERS)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            op_id = operation.get("operationId")
            responses = operation.get("responses", {})
            if op_id in CONDITIONAL_GETS:
                operation.setdefault("parameters", []).extend(CONDITIONAL_PARAMETERS)
                responses["200"].setdefault("headers", {}).update(header_refs(VALIDATORS))
                responses["304"] = {
                    "description": "Not Modified: the answer you hold (If-None-Match or "
                    "If-Modified-Since) is current; no body.",
                    "headers": header_refs(VALIDATORS),
                }
            if op_id in THROTTLED:
                responses["429"] = error_response("429", ("Retry-After", *RATE_LIMIT))
                for status, response in responses.items():
                    if status[0] in "24":
                        response.setdefault("headers", {}).update(header_refs(RATE_LIMIT))


def document_options(result: dict, generator) -> None:
    """OPTIONS operations of views that describe one (``options_operation()``)."""
    for path, _regex, _method, callback in getattr(generator, "endpoints", None) or []:
        view_class = getattr(callback, "cls", None)
        describe = getattr(view_class, "options_operation", None)
        if describe is None or path not in result.get("paths", {}):
            continue
        operation, components = describe()
        result["paths"][path]["options"] = operation
        result["components"]["schemas"].update(components)


def document_other_views(result: dict) -> None:
    """Operations of views outside DRF that describe themselves (``openapi_operations()``).

    Their paths are the URLconf's routes, so they follow wherever the host
    mounted the apps.
    """
    for route, view in url_patterns():
        describe = getattr(view, "openapi_operations", None)
        if describe is None:
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        result.setdefault("paths", {}).setdefault(path, {}).update(describe())


def schema_objects(node):
    """Every object (dict) of the document, each before those inside it.

    What is inside is read once the caller has seen the object, so a caller
    may rewrite an object and the walk goes on into what it put there.
    """
    if isinstance(node, dict):
        yield node
        for value in list(node.values()):
            yield from schema_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from schema_objects(item)


def rename_components(result: dict) -> dict:
    """drf-spectacular's generated component names, replaced, and every reference to them."""
    schemas = result.get("components", {}).get("schemas", {})
    renames = {old: new for old, new in COMPONENT_NAMES.items() if old in schemas}
    result["components"]["schemas"] = {
        renames.get(name, name): schema for name, schema in schemas.items()
    }
    prefix = "#/components/schemas/"
    for node in schema_objects(result):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix):
            node["$ref"] = prefix + renames.get(ref[len(prefix) :], ref[len(prefix) :])
    return result


def nullable_as_json_schema(result: dict) -> None:
    """OpenAPI 3.1's null for 3.0's ``nullable`` (drf-spectacular leaves some, ours too)."""
    for node in schema_objects(result):
        if not node.pop("nullable", False):
            continue
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif kind is None:
            inner = dict(node)
            node.clear()
            node["oneOf"] = [inner, {"type": "null"}]


def bound_integers(result: dict) -> None:
    """Every integer of the document within 64 bits: ids, counts, sizes are never negative."""
    for node in schema_objects(result):
        kind = node.get("type")
        if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
            node.setdefault("format", "int64")
            node.setdefault("minimum", 0)
            node.setdefault("maximum", INT64_MAX)


def servers(request) -> list[dict]:
    """Where the API is: the address the document came from (a host's SERVERS wins)."""
    if request is None:
        return []
    environment = "Local development" if settings.DEBUG else "Production"
    return [
        {
            "url": request.build_absolute_uri("/").rstrip("/"),
            "description": f"{environment}: this server.",
            # Public: the frontends of anyone the host serves call it.
            "x-internal": False,
        }
    ]


def contract(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: the whole contract (see the module's docstring)."""
    document_options(result, generator)
    document_other_views(result)
    document_errors(result, generator, request, public)
    document_http(result)
    result["components"]["schemas"].update(STRUCTURED_DATA)
    known = {tag["name"] for tag in result.get("tags", [])}
    result["tags"] = [*result.get("tags", []), *(t for t in TAGS if t["name"] not in known)]
    if not result.get("servers") and (found := servers(request)):
        result["servers"] = found
    result = rename_components(result)
    schemas = result["components"]["schemas"]
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name]["example"] = example
    if str(result.get("openapi", "")).startswith("3.1"):
        nullable_as_json_schema(result)
    bound_integers(result)
    return result
