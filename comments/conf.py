"""The comments app's settings: one dict, ``RLS_COMMENTS``, read at access time.

``articles.conf.AppSettings`` reads it (see there why); ``comments.checks``
validates the types.
"""

from __future__ import annotations

from typing import Any

from articles.conf import AppSettings

SETTING_NAME = "RLS_COMMENTS"

# The shipped crisis phrases, in English, as first-person speech. Matched as
# whole words, folded like the disallowed terms ("self-harm" matches "self
# harm"). Broad words such as "overdose" or a bare "suicide" are left out:
# health articles discuss them, and an urgent queue of false alarms gets ignored.
CRISIS_TERMS = [
    "kill myself", "killing myself", "end my life", "ending my life", "end it all",
    "take my own life", "taking my own life", "want to die", "wanna die",
    "commit suicide", "think about suicide", "thinking about suicide",
    "thought about suicide", "thoughts of suicide", "considering suicide",
    "contemplating suicide", "suicide attempt",
    "attempted suicide", "suicidal", "self harm", "self harming", "harm myself",
    "harming myself", "hurt myself", "hurting myself", "cut myself", "cutting myself",
    "better off dead", "no reason to live", "not worth living",
]  # fmt: skip

DEFAULTS: dict[str, Any] = {
    # The moderation rules, asked in turn; the strictest vote wins.
    "RULES": [
        "comments.moderation.comments_closed",
        "comments.moderation.duplicate",
        "comments.moderation.flood",
        "comments.moderation.honeypot",
        "comments.moderation.crisis_language",
        "comments.moderation.disallowed_terms",
        "comments.moderation.personal_data",
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
    # Phrases of self-harm and suicide: a comment with one is held as urgent,
    # sorted first, told to the moderators at once, and its writer is shown
    # SUPPORT_MESSAGE. Editors add more in the admin (disallowed terms, action
    # "crisis"); a host may replace or translate this list.
    "CRISIS_TERMS": CRISIS_TERMS,
    # Shown to a reader whose comment speaks of crisis, in every answer to it.
    # It names no country: hosts localise it with their emergency number and line.
    "SUPPORT_MESSAGE": (
        "It sounds like you may be going through something very hard. You are not alone. "
        "If you are in danger now, call your local emergency number. To talk to someone, "
        "contact a crisis line or a suicide prevention service in your country, or a "
        "doctor you trust."
    ),
    # Phone numbers written without a country code are read as this region's
    # (an ISO 3166 code such as "US", "GB", "DE"); numbers with "+" always count.
    "PHONE_REGION": "US",
    # An approved comment reported by this many different clients shows in the
    # moderators' Reported tab.
    "REPORTS_TO_REVIEW": 3,
    # Hide such a comment from the public until a moderator decides.
    "HIDE_REPORTED": False,
    # Report posts per client address, as THROTTLE_RATE (None: no limit).
    "REPORT_THROTTLE_RATE": "10/minute",
    # Days the daily housekeeping (articles/housekeeping.py) keeps spam, from
    # the moderator's decision (or, marked by the rules, its submission); spam
    # with a reply that stays stays with it. None: forever.
    "SPAM_DAYS": 30,
    # Days a comment keeps its writer's IP address and user agent: the flood
    # rule and an abuse report need them for days, not years. Then both are
    # erased; the comment keeps a keyed hash of the address (client_key) that
    # the flood rule and the workspace's search by address use. None: forever.
    "PERSONAL_DATA_DAYS": 30,
    # Answer of the public comment list: page size and its ceiling.
    "PAGE_SIZE": 50,
    "MAX_PAGE_SIZE": 200,
}


comment_settings = AppSettings(SETTING_NAME, DEFAULTS)
