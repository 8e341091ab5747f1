"""What the OpenAPI document says of the comments endpoints beyond drf-spectacular's reading.

The comment form's OPTIONS operation (``articles.api.schema.contract`` adds
it from ``ArticleCommentsView.options_operation``), and the id parameter.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

from articles.api.base import SLUG_DESCRIPTION, SLUG_SCHEMA
from articles.api.schema import INT64_MAX

COMMENT_ID_PARAMETER = OpenApiParameter(
    "id",
    {"type": "integer", "format": "int64", "minimum": 1, "maximum": INT64_MAX},
    OpenApiParameter.PATH,
    description="The comment's id, as in its `id` field.",
)

FORM_FIELD = {
    "type": "object",
    "description": "One field of the form, as DRF describes it.",
    "required": ["type", "required", "read_only", "label"],
    "properties": {
        "type": {
            "type": "string",
            "enum": ["string", "email", "url", "integer"],
            "description": "What the field takes: an input type to render.",
        },
        "required": {"type": "boolean"},
        "read_only": {"type": "boolean"},
        "label": {"type": "string", "maxLength": 200},
        "help_text": {"type": "string", "maxLength": 1000},
        "max_length": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 100000},
        "honeypot": {
            "type": "boolean",
            "description": "A trap for bots: render it hidden from people and assistive "
            "technology, and never fill it in.",
        },
        "max_depth": {
            "type": "integer",
            "format": "int32",
            "minimum": 1,
            "maximum": 100,
            "description": "Replies nest at most this deep: offer no Reply under a comment "
            "of this depth.",
        },
    },
    "additionalProperties": False,
}
FORM = {
    "type": "object",
    "description": "The comment form, from DRF's OPTIONS metadata.",
    "required": ["name", "description", "renders", "parses", "actions"],
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "description": {"type": "string", "maxLength": 2000},
        "renders": {
            "type": "array",
            "items": {"type": "string", "maxLength": 100},
            "maxItems": 10,
        },
        "parses": {
            "type": "array",
            "items": {"type": "string", "maxLength": 100},
            "maxItems": 10,
        },
        "actions": {
            "type": "object",
            "required": ["POST"],
            "properties": {
                "POST": {
                    "type": "object",
                    "description": "The fields, in the order to show them.",
                    "additionalProperties": {"$ref": "#/components/schemas/CommentFormField"},
                    "maxProperties": 20,
                }
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
COMMENT_FORM_COMPONENTS = {"CommentFormField": FORM_FIELD, "CommentFormDescription": FORM}
COMMENT_FORM_OPTIONS = {
    "operationId": "article_comment_form",
    "summary": "Describe the comment form",
    "description": (
        "The fields of the comment form, with their labels, help texts and limits, in the "
        "order to show them: build the form from this, and it follows the site's settings "
        "(the honeypot's name, how deep replies nest)."
    ),
    "tags": ["comments"],
    "parameters": [
        {
            "in": "path",
            "name": "slug",
            "required": True,
            "schema": SLUG_SCHEMA,
            "description": SLUG_DESCRIPTION,
        }
    ],
    "security": [{}],
    "responses": {
        "200": {
            "description": "The form.",
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/CommentFormDescription"}
                }
            },
        }
    },
}
