"""The renderer of the apps' endpoints and of the documents they store."""

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer with its output fixed, whatever the host's REST_FRAMEWORK says.

    DRF reads UNICODE_JSON, COMPACT_JSON and STRICT_JSON once, at import:
    stored documents must be the same bytes in every host.
    """

    ensure_ascii = False
    compact = True
    strict = True
