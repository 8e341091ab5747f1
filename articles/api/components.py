"""Schemas of the OpenAPI document that no serializer describes.

``json_ld`` is built by ``structured_data``, not by serializer fields: its
schema is written here, and the document's hook (``articles.api.schema``)
adds it to the components. Kept apart from the hook, so that the
serializers that name it load nothing of the document's making.
"""

from __future__ import annotations

from articles.api.base import URI_REFERENCE


def _text(max_length: int = 1000, **more) -> dict:
    return {"type": "string", "maxLength": max_length, **more}


def _typed(*types: str) -> dict:
    """A JSON-LD ``@type`` that is one of ``types``."""
    return {"type": "string", "enum": list(types)}


_LINK = URI_REFERENCE
_LIST = 200  # keywords, images, citations, authors: bounded by what editors write


def _node(required: list[str], **properties) -> dict:
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


# The detail's ``json_ld``: schema.org as ``articles.api.serializers.structured_data``
# builds it. Optional members are left out when empty, never null.
STRUCTURED_DATA = {
    "StructuredDataAgent": {
        **_node(
            ["@type", "name"],
            **{
                "@type": _typed("Person", "Organization"),
                "name": _text(200),
                "url": _LINK,
                "honorificSuffix": _text(200, description="A person's credentials (MD, RN)."),
            },
        ),
        "description": "A person or an organization: the byline, or the medical reviewer.",
    },
    "StructuredDataPublisher": _node(
        ["@type", "name", "url"],
        **{
            "@type": _typed("Organization"),
            "name": _text(200),
            "url": _LINK,
            "logo": _node(["@type", "url"], **{"@type": _typed("ImageObject"), "url": _LINK}),
        },
    ),
    "StructuredDataCitation": {
        **_node(
            ["@type", "name"],
            **{
                "@type": _typed("ScholarlyArticle", "CreativeWork"),
                "name": _text(1000),
                "author": {
                    "type": "array",
                    "maxItems": _LIST,
                    "items": _node(
                        ["@type", "name"], **{"@type": _typed("Person"), "name": _text(200)}
                    ),
                },
                "isPartOf": _node(
                    ["@type", "name"], **{"@type": _typed("Periodical"), "name": _text(500)}
                ),
                "publisher": _node(
                    ["@type", "name"], **{"@type": _typed("Organization"), "name": _text(500)}
                ),
                "datePublished": _text(40, description="A year (2019) or a date (2019-03-01)."),
                "identifier": _node(
                    ["@type", "propertyID", "value"],
                    **{
                        "@type": _typed("PropertyValue"),
                        "propertyID": _typed("DOI"),
                        "value": _text(200),
                    },
                ),
                "sameAs": _LINK,
                "url": _LINK,
            },
        ),
        "description": "A reference: a ScholarlyArticle in a Periodical when it has a DOI, "
        "else a CreativeWork from its source.",
    },
    "StructuredData": {
        **_node(
            [
                "@context",
                "@type",
                "headline",
                "description",
                "inLanguage",
                "datePublished",
                "dateModified",
                "keywords",
                "image",
                "citation",
            ],
            **{
                "@context": _typed("https://schema.org"),
                "@type": _typed("MedicalWebPage"),
                "headline": _text(200),
                "description": _text(10000),
                "inLanguage": _text(35, description="A BCP 47 language tag (en-US)."),
                "datePublished": _text(40, format="date-time"),
                "dateModified": _text(40, format="date-time"),
                "keywords": {"type": "array", "maxItems": _LIST, "items": _text(100)},
                "image": {"type": "array", "maxItems": _LIST, "items": _LINK},
                "citation": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {"$ref": "#/components/schemas/StructuredDataCitation"},
                },
                "url": _LINK,
                "mainEntityOfPage": _node(
                    ["@type", "@id"], **{"@type": _typed("WebPage"), "@id": _LINK}
                ),
                "author": {"$ref": "#/components/schemas/StructuredDataAgent"},
                "publisher": {"$ref": "#/components/schemas/StructuredDataPublisher"},
                "lastReviewed": _text(10, format="date"),
                "reviewedBy": {"$ref": "#/components/schemas/StructuredDataAgent"},
            },
        ),
        "description": "The article as schema.org JSON-LD (a MedicalWebPage), for search "
        "engines: put it in the page's head, in a script element of type "
        "application/ld+json, as it is. `url` and `mainEntityOfPage` are there when the site's "
        "address is set (RLS_ARTICLES['SITE_URL']).",
    },
}
STRUCTURED_DATA_REF = {"$ref": "#/components/schemas/StructuredData"}
