"""The errors the apps' endpoints answer, added to the OpenAPI document.

drf-spectacular describes what a view returns when all goes well; this
post-processing hook adds, per operation, the error statuses it can answer
and their shape, so that a client (or a fuzzer) can check every answer
against the document. Name it in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"].
"""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": (
        '"detail" says what went wrong, with a stable "code" where one exists; '
        "a form or a query that fails validation names each field or parameter "
        "instead, with a list of messages."
    ),
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
REASONS = {
    "400": "The request, its body or a query parameter is invalid; the answer names what.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "The caller may not do this (comments closed, a preview link expired).",
    "404": "No such object, or a cursor that is not one of ours.",
    "406": "The Accept header asks for a format the endpoint does not serve.",
    "409": "The same comment, or the same client's report of a comment, was sent already.",
    "413": "The request body is over 64 kB.",
    "415": "The body is not JSON.",
    "429": "Too many requests from this client; Retry-After says when to come back.",
}
# Paths of the staff API: callers must sign in.
STAFF_PREFIX = "/moderation/"


def statuses(path: str, method: str, operation: dict) -> set[str]:
    found = {"400", "404", "406"}
    if "requestBody" in operation or method == "post":
        found |= {"413", "415"}
    if STAFF_PREFIX in path:
        found |= {"401", "403"}
    if "/preview/" in path:
        found |= {"403"}  # an expired or altered preview link
    if path.endswith("/comments/") and method == "post":
        found |= {"403", "409", "429"}
    if path.endswith("/report/") and method == "post":
        found |= {"409", "429"}
    return found


def document_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: each operation's error answers, with the shared Error schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses(path, method, operation)):
                responses.setdefault(
                    status,
                    {
                        "description": REASONS[status],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
