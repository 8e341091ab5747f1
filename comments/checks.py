"""System checks, with stable ids that tests name: RLS_COMMENTS, and what a host must provide.

E001-E003 the settings; E004 a missing app; W001 (deploy) a throttle cache
that servers cannot share.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core import checks
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from articles.checks import DUMMY_CACHE, missing_apps, unshared_cache
from comments.conf import DEFAULTS, SETTING_NAME, comment_settings

# "articles" is checked earlier, in CommentsConfig.import_models: without
# it our models cannot even be imported.
REQUIRED_APPS = {
    "rest_framework": "the comment and moderation API",
    "rest_framework.authtoken": "the staff API's token sign-in",
    "django.contrib.auth": "moderators and their permission",
    "django.contrib.contenttypes": "permissions",
}


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _throttle_rate(value) -> bool:
    """None, or what DRF's throttles parse: "<requests>/<second|minute|hour|day>"."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    requests, _, period = value.partition("/")
    return (
        requests.isdigit()
        and int(requests) > 0
        and period[:1] in {"s", "m", "h", "d"}
        and "/" not in period
    )


@register()
def check_comment_settings(app_configs=None, **kwargs) -> list[Error]:
    """comments.E001 unknown key, E002 wrong type or value, E003 a rule that cannot be imported."""
    errors: list[Error] = []
    try:
        user = comment_settings.user_settings
    except Exception as exc:
        return [Error(str(exc), id="comments.E001")]

    def bad(key: str, expected: str) -> None:
        errors.append(
            Error(
                f"{SETTING_NAME}[{key!r}] must be {expected}, not {user[key]!r}.",
                id="comments.E002",
            )
        )

    for key in ("FLOOD_SECONDS", "MAX_LINKS", "NUM_PROXIES"):
        value = user.get(key, 0)
        if isinstance(value, bool) or not (isinstance(value, int) and value >= 0):
            bad(key, "a whole number, 0 or more")
    for key in ("MAX_DEPTH", "PAGE_SIZE", "MAX_PAGE_SIZE", "REPORTS_TO_REVIEW"):
        if key in user and not _positive_int(user[key]):
            bad(key, "a whole number above 0")
    for key in ("SPAM_DAYS", "PERSONAL_DATA_DAYS"):
        if key in user and not (user[key] is None or _positive_int(user[key])):
            bad(key, "None (keep forever) or a whole number of days above 0")
    if "CLOSE_AFTER_DAYS" in user and not (
        user["CLOSE_AFTER_DAYS"] is None or _positive_int(user["CLOSE_AFTER_DAYS"])
    ):
        bad("CLOSE_AFTER_DAYS", "None or a whole number above 0")
    for key in ("THROTTLE_RATE", "REPORT_THROTTLE_RATE"):
        if key in user and not _throttle_rate(user[key]):
            bad(key, 'None or a rate such as "10/minute"')
    if "HIDE_REPORTED" in user and not isinstance(user["HIDE_REPORTED"], bool):
        bad("HIDE_REPORTED", "True or False")
    if "SUPPORT_MESSAGE" in user and not (
        isinstance(user["SUPPORT_MESSAGE"], str) and user["SUPPORT_MESSAGE"].strip()
    ):
        bad("SUPPORT_MESSAGE", "a message")
    if "CRISIS_TERMS" in user and not (
        isinstance(user["CRISIS_TERMS"], list | tuple)
        and all(isinstance(term, str) and term.strip() for term in user["CRISIS_TERMS"])
    ):
        bad("CRISIS_TERMS", "a list of phrases")
    if "PHONE_REGION" in user and not (
        user["PHONE_REGION"] is None or user["PHONE_REGION"] in phonenumbers.SUPPORTED_REGIONS
    ):
        bad("PHONE_REGION", 'None or a region code such as "US" or "GB"')
    if "HONEYPOT_FIELD" in user and not (
        isinstance(user["HONEYPOT_FIELD"], str) and user["HONEYPOT_FIELD"].isidentifier()
    ):
        bad("HONEYPOT_FIELD", "a field name")
    emails = user.get("MODERATOR_EMAILS", DEFAULTS["MODERATOR_EMAILS"])
    if emails is not None and not (
        isinstance(emails, list | tuple) and all(isinstance(e, str) for e in emails)
    ):
        bad("MODERATOR_EMAILS", "None or a list of addresses")
    rules = user.get("RULES", DEFAULTS["RULES"])
    if not isinstance(rules, list | tuple):
        bad("RULES", "a list of dotted paths")
    else:
        for path in rules:
            try:
                import_string(path)
            except Exception as exc:  # a non-string raises AttributeError, not ImportError
                errors.append(
                    Error(
                        f"{SETTING_NAME}['RULES']: cannot import {path!r}: {exc}",
                        id="comments.E003",
                    )
                )
    return errors


@register()
def check_host_apps(app_configs=None, **kwargs) -> list[Error]:
    """comments.E004: an app the comments app needs is missing from INSTALLED_APPS."""
    return missing_apps(REQUIRED_APPS, needed_by="comments", id="comments.E004")


@register(Tags.caches, deploy=True)
def check_throttle_cache(app_configs=None, **kwargs) -> list[checks.Warning]:
    """comments.W001 (deploy): the throttle's cache is not shared, or keeps nothing."""
    if settings.CACHES.get("default", {}).get("BACKEND") == DUMMY_CACHE:
        return [
            checks.Warning(
                "The cache 'default' (DummyCache) keeps nothing: the comment throttle "
                "never limits anyone.",
                hint="Use a cache every server shares: Django's RedisCache or a Memcached backend.",
                id="comments.W001",
            )
        ]
    return unshared_cache(
        "default",
        used_for="each counts comment posts on its own and a client gets "
        "RLS_COMMENTS['THROTTLE_RATE'] from every one of them",
        id="comments.W001",
    )
