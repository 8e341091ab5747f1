"""System checks for RLS_ARTICLES, with stable ids that tests name."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

from articles.conf import SETTING_NAME, article_settings


def _whole_number(value, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


@register()
def check_article_settings(app_configs=None, **kwargs) -> list[Error]:
    """articles.E001 unknown key, E002 wrong type or value, E003 an unknown cache,
    E004 an extension that cannot be imported."""
    try:
        user = article_settings.user_settings
    except Exception as exc:
        return [Error(str(exc), id="articles.E001")]
    errors: list[Error] = []

    def bad(key: str, expected: str) -> None:
        errors.append(
            Error(
                f"{SETTING_NAME}[{key!r}] must be {expected}, not {user[key]!r}.",
                id="articles.E002",
            )
        )

    base = user.get("BASE_URL", "")
    if not (isinstance(base, str) and (base == "" or base.startswith(("http://", "https://")))):
        bad("BASE_URL", 'an empty string or an address starting with "http://" or "https://"')
    if "CACHE_TIMEOUT" in user and not _whole_number(user["CACHE_TIMEOUT"], 1):
        bad("CACHE_TIMEOUT", "a whole number of seconds above 0")
    if "EDITOR_UPLOAD_MAX_SIZE" in user and not _whole_number(user["EDITOR_UPLOAD_MAX_SIZE"], 1):
        bad("EDITOR_UPLOAD_MAX_SIZE", "a whole number of bytes above 0")
    for key in ("MAX_AGE", "STALE_WHILE_REVALIDATE"):
        if key in user and not _whole_number(user[key], 0):
            bad(key, "a whole number of seconds, 0 or more")
    if "BROWSABLE_API" in user and not isinstance(user["BROWSABLE_API"], bool):
        bad("BROWSABLE_API", "True or False")
    paths = user.get("API_EXTENSIONS")
    if paths is not None and not (
        isinstance(paths, list | tuple) and all(isinstance(p, str) for p in paths)
    ):
        bad("API_EXTENSIONS", "None or a list of dotted paths")
    elif paths:
        for path in paths:
            try:
                import_string(path)
            except ImportError as exc:
                errors.append(
                    Error(
                        f"{SETTING_NAME}['API_EXTENSIONS']: cannot import {path!r}: {exc}",
                        id="articles.E004",
                    )
                )
    alias = user.get("CACHE_ALIAS", "default")
    if alias not in settings.CACHES:
        errors.append(
            Error(
                f"{SETTING_NAME}['CACHE_ALIAS'] names no cache in CACHES: {alias!r}.",
                hint=f"Add {alias!r} to CACHES, or leave CACHE_ALIAS out to use 'default'.",
                id="articles.E003",
            )
        )
    return errors
