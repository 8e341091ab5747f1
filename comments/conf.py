"""The comments app's settings: one dict, ``RLS_COMMENTS``, read at access time.

``articles.conf.AppSettings`` reads it (see there why); ``comments.checks``
validates the types.
"""

from __future__ import annotations

from typing import Any

from articles.conf import AppSettings

SETTING_NAME = "RLS_COMMENTS"

DEFAULTS: dict[str, Any] = {
    # The moderation rules, asked in turn; the strictest vote wins.
    "RULES": [
        "comments.moderation.comments_closed",
        "comments.moderation.duplicate",
        "comments.moderation.flood",
        "comments.moderation.honeypot",
        "comments.moderation.disallowed_terms",
        "comments.moderation.too_many_links",
        "comments.moderation.known_author",
    ],
    # Close comments this many days after publication; None: never.
    "CLOSE_AFTER_DAYS": None,
    # Two comments from one IP address closer than this are refused (429).
    "FLOOD_SECONDS": 15,
    # Comment posts per client address, as DRF writes rates ("10/minute",
    # "100/hour"): a second line behind the flood rule. None: no limit.
    "THROTTLE_RATE": "10/minute",
    # How many proxies in front of the site append to X-Forwarded-For. 0: the
    # header is ignored and the client is the connection's peer address.
    "NUM_PROXIES": 0,
    # A comment with more links than this is held for moderation.
    "MAX_LINKS": 2,
    # Replies nest at most this deep (a top-level comment is depth 1).
    "MAX_DEPTH": 5,
    # The form field that people never see and bots fill in.
    "HONEYPOT_FIELD": "homepage",
    # Who is told of a new pending comment: a list of addresses, or None for
    # every active staff user holding comments.moderate_comment.
    "MODERATOR_EMAILS": None,
    # Answer of the public comment list: page size and its ceiling.
    "PAGE_SIZE": 50,
    "MAX_PAGE_SIZE": 200,
}


comment_settings = AppSettings(SETTING_NAME, DEFAULTS)
