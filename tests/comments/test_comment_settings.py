"""RLS_COMMENTS: defaults, unknown keys refused, types checked by system checks with stable ids."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from comments import moderation
from comments.checks import check_comment_settings
from comments.conf import DEFAULTS, comment_settings
from comments.models import Comment
from tests.factories import ArticleFactory


def error_ids() -> list[str]:
    return [error.id for error in check_comment_settings()]


def a_rule(submission):
    """A rule that has no opinion, for a RULES setting given as a callable."""
    return None


# Unknown keys (E001) and unknown attributes.


def test_unknown_key_is_error_E001(settings):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 15, "FLOD_SECONDS": 5}
    assert error_ids() == ["comments.E001"]


def test_unknown_key_error_names_the_key(settings):
    settings.RLS_COMMENTS = {"FLOD_SECONDS": 5}
    assert "FLOD_SECONDS" in check_comment_settings()[0].msg


def test_unknown_key_is_refused_when_a_setting_is_read(settings):
    settings.RLS_COMMENTS = {"FLOD_SECONDS": 5}
    with pytest.raises(ImproperlyConfigured):
        comment_settings.FLOOD_SECONDS  # noqa: B018


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError):
        comment_settings.NO_SUCH_SETTING  # noqa: B018


def test_settings_check_is_registered_with_django(settings):
    settings.RLS_COMMENTS = {"FLOD_SECONDS": 5}
    assert "comments.E001" in [error.id for error in checks.run_checks()]


# Wrong types and values (E002).


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("FLOOD_SECONDS", "15"),
        ("FLOOD_SECONDS", -1),
        ("FLOOD_SECONDS", 1.5),
        ("MAX_LINKS", "2"),
        ("MAX_LINKS", -1),
        ("MAX_DEPTH", 0),
        ("MAX_DEPTH", "5"),
        ("MAX_DEPTH", True),
        ("PAGE_SIZE", 0),
        ("MAX_PAGE_SIZE", -10),
        ("CLOSE_AFTER_DAYS", -1),
        ("CLOSE_AFTER_DAYS", 0),
        ("CLOSE_AFTER_DAYS", "30"),
        ("HONEYPOT_FIELD", "not a field"),
        ("HONEYPOT_FIELD", 7),
        ("MODERATOR_EMAILS", "a@b"),
        ("MODERATOR_EMAILS", ["a@b.example", 7]),
        ("RULES", "comments.moderation.flood"),
        ("THROTTLE_RATE", "10"),
        ("THROTTLE_RATE", "ten/minute"),
        ("THROTTLE_RATE", "0/minute"),
        ("THROTTLE_RATE", "10/fortnight"),
        ("THROTTLE_RATE", "10/m/x"),
        ("THROTTLE_RATE", 10),
        ("NUM_PROXIES", -1),
        ("NUM_PROXIES", "1"),
        ("NUM_PROXIES", True),
    ],
)
def test_wrong_type_or_value_is_error_E002(settings, key, value):
    settings.RLS_COMMENTS = {key: value}
    assert error_ids() == ["comments.E002"]


def test_wrong_type_error_names_the_key(settings):
    settings.RLS_COMMENTS = {"MAX_DEPTH": 0}
    assert "MAX_DEPTH" in check_comment_settings()[0].msg


def test_each_wrong_setting_is_its_own_error(settings):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": "15", "MAX_DEPTH": 0, "MODERATOR_EMAILS": "a@b"}
    assert error_ids() == ["comments.E002"] * 3


def test_boolean_flood_seconds_is_error_E002(settings):
    # True is an int to Python; MAX_DEPTH and the others refuse it, so should FLOOD_SECONDS.
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": True}
    assert error_ids() == ["comments.E002"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("FLOOD_SECONDS", 0),
        ("MAX_LINKS", 0),
        ("MAX_DEPTH", 1),
        ("CLOSE_AFTER_DAYS", None),
        ("CLOSE_AFTER_DAYS", 30),
        ("HONEYPOT_FIELD", "fax_number"),
        ("MODERATOR_EMAILS", None),
        ("MODERATOR_EMAILS", []),
        ("MODERATOR_EMAILS", ("desk@example.org",)),
        ("RULES", []),
        ("THROTTLE_RATE", None),
        ("THROTTLE_RATE", "10/minute"),
        ("THROTTLE_RATE", "100/h"),
        ("NUM_PROXIES", 0),
        ("NUM_PROXIES", 2),
    ],
)
def test_valid_value_gives_no_error(settings, key, value):
    settings.RLS_COMMENTS = {key: value}
    assert error_ids() == []


# Rules that cannot be imported (E003).


@pytest.mark.parametrize(
    "path",
    ["comments.moderation.no_such_rule", "no_such_module.rule", "notdotted"],
)
def test_unimportable_rule_is_error_E003(settings, path):
    settings.RLS_COMMENTS = {"RULES": [*DEFAULTS["RULES"], path]}
    assert error_ids() == ["comments.E003"]


def test_unimportable_rule_error_names_the_path(settings):
    settings.RLS_COMMENTS = {"RULES": ["comments.moderation.no_such_rule"]}
    assert "comments.moderation.no_such_rule" in check_comment_settings()[0].msg


def test_rule_given_as_a_callable_is_an_error_not_a_crash(settings):
    settings.RLS_COMMENTS = {"RULES": [a_rule]}
    assert error_ids() in (["comments.E002"], ["comments.E003"])


# Defaults.


def test_project_settings_give_no_errors():
    assert error_ids() == []


def test_missing_setting_gives_no_errors(settings):
    del settings.RLS_COMMENTS
    assert error_ids() == []


@pytest.mark.parametrize("key", DEFAULTS)
def test_unset_key_reads_its_default(settings, key):
    settings.RLS_COMMENTS = {}
    assert getattr(comment_settings, key) == DEFAULTS[key]


def test_documented_defaults():
    assert (
        DEFAULTS["CLOSE_AFTER_DAYS"],
        DEFAULTS["FLOOD_SECONDS"],
        DEFAULTS["MAX_LINKS"],
        DEFAULTS["MAX_DEPTH"],
        DEFAULTS["MODERATOR_EMAILS"],
    ) == (None, 15, 2, 5, None)


# Read at access time.


def test_override_settings_changes_a_setting_without_restart():
    with override_settings(RLS_COMMENTS={"MAX_LINKS": 7}):
        assert comment_settings.MAX_LINKS == 7


def test_override_settings_is_undone_on_exit():
    with override_settings(RLS_COMMENTS={"MAX_LINKS": 7}):
        pass
    assert comment_settings.MAX_LINKS == 2


def test_override_settings_changes_the_rules_asked():
    with override_settings(RLS_COMMENTS={"RULES": ["comments.moderation.honeypot"]}):
        assert moderation.rules() == (moderation.honeypot,)


@pytest.mark.django_db
def test_override_settings_reaches_the_api(api_client):
    article = ArticleFactory()
    url = f"/api/v1/articles/{article.slug}/comments/"
    data = {"name": "Ada", "email": "ada@example.org"}
    api_client.post(url, {**data, "body": "First."}, format="json", REMOTE_ADDR="203.0.113.3")
    with override_settings(RLS_COMMENTS={"FLOOD_SECONDS": 0}):
        response = api_client.post(
            url, {**data, "body": "Second."}, format="json", REMOTE_ADDR="203.0.113.3"
        )
    assert response.status_code == 201
    assert Comment.objects.count() == 2
