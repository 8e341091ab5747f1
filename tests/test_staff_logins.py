"""Staff logins resist guessing (issue 20, part 5).

The demo host's admin sign-in locks an account out from one address after
AXES_FAILURE_LIMIT wrong passwords (django-axes), the right password
included, until the cool-off ends or an administrator lifts it; staff API
tokens expire after RLS_ARTICLES["STAFF_TOKEN_MAX_AGE_DAYS"] and are
replaced or revoked with ``manage.py staff_token``. Every clock is
time-machine's.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.api.auth import TOKEN_EXPIRED
from articles.checks import check_article_settings
from articles.management.commands.staff_token import NO_SUCH_USER, NOT_ACTIVE_STAFF

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
ADDRESS = "203.0.113.7"
OTHER_ADDRESS = "198.51.100.9"
PROXY = "10.0.0.2"
PASSWORD = "a long staff password 7"
LOGIN = "/admin/login/"
REVIEW_API = "/api/v1/review/due/"
MODERATION_API = "/api/v1/moderation/comments/"


@pytest.fixture(autouse=True)
def quick_hashes(settings):
    """A cheap hasher: these tests try dozens of wrong passwords, each one hashed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock():
    """The clock stopped at T0; ``clock.shift()`` moves it."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(django_user_model):
    """A member of staff who may read the review schedule and moderate comments."""
    user = django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_article", "moderate_comment"])
    )
    return user


def sign_in(client, username: str, password: str, address: str = ADDRESS, **headers):
    """The admin's login form, posted as a browser at ``address`` posts it."""
    return client.post(
        f"{LOGIN}?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def guess(client, username: str, times: int, address: str = ADDRESS, **headers) -> list[int]:
    """``times`` wrong passwords; the status of each answer."""
    return [
        sign_in(client, username, f"guess {n}", address, **headers).status_code
        for n in range(times)
    ]


# The admin sign-in.


def test_the_31st_attempt_is_refused_even_with_the_right_password_until_the_cool_off_ends(
    client, staff, clock, settings
):
    limit, cool_off = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME
    assert (limit, cool_off) == (10, dt.timedelta(hours=1))  # the demo host's defaults

    answers = guess(client, "editor", 30)

    # The form answers until the limit; the attempt that reaches it is refused too.
    assert answers == [200] * (limit - 1) + [429] * (30 - limit + 1)
    refused = sign_in(client, "editor", PASSWORD)
    assert refused.status_code == 429
    assert not signed_in(client)

    clock.shift(cool_off - dt.timedelta(seconds=1))
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    assert not signed_in(client)

    clock.shift(dt.timedelta(seconds=2))
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in(client)


def test_the_lockout_page_is_the_admins_and_says_for_how_long_and_who_can_lift_it(
    client, staff, clock, settings
):
    guess(client, "editor", settings.AXES_FAILURE_LIMIT)
    clock.shift(dt.timedelta(minutes=15))

    response = sign_in(client, "editor", PASSWORD)

    assert response.status_code == 429
    # The page in place of the login form the view rendered, in the admin's frame.
    names = [template.name for template in response.templates]
    lockout = names.index("rls_cms/lockout.html")
    assert names[lockout + 1] == "admin/base_site.html"
    assert response["Retry-After"] == str(45 * 60)
    page = response.content.decode()
    assert "“editor” from this address" in page
    assert "Try again in 45\xa0minutes (from 15 Jun 2026, 13:00 UTC)" in page
    assert "An administrator can lift the lockout sooner" in page
    assert 'id="login-form"' not in page


def test_another_user_from_the_same_address_is_not_locked(
    client, staff, clock, settings, django_user_model
):
    django_user_model.objects.create_user("reviewer", password=PASSWORD, is_staff=True)
    guess(client, "editor", settings.AXES_FAILURE_LIMIT)

    assert sign_in(client, "reviewer", PASSWORD).status_code == 302


def test_the_same_user_from_another_address_is_not_locked(client, staff, clock, settings):
    guess(client, "editor", settings.AXES_FAILURE_LIMIT)

    assert sign_in(client, "editor", PASSWORD, address=OTHER_ADDRESS).status_code == 302


def test_a_sign_in_clears_the_count_of_wrong_passwords(client, staff, clock, settings):
    below = settings.AXES_FAILURE_LIMIT - 1
    guess(client, "editor", below)
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()

    assert guess(client, "editor", below) == [200] * below


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "locked"),
    [
        # One proxy: the reader is the address it appended, as for comments.
        (1, PROXY, ADDRESS, True),
        (1, PROXY, OTHER_ADDRESS, False),
        # No proxy trusted: a forged header dodges nothing.
        (0, ADDRESS, OTHER_ADDRESS, True),
    ],
)
def test_the_address_is_the_one_the_comments_app_reads(
    client, staff, clock, settings, proxies, peer, forwarded, locked
):
    settings.RLS_COMMENTS = {**settings.RLS_COMMENTS, "NUM_PROXIES": proxies}
    if proxies:
        guess(client, "editor", settings.AXES_FAILURE_LIMIT, PROXY, HTTP_X_FORWARDED_FOR=ADDRESS)
    else:
        guess(client, "editor", settings.AXES_FAILURE_LIMIT, ADDRESS)

    response = sign_in(client, "editor", PASSWORD, peer, HTTP_X_FORWARDED_FOR=forwarded)

    assert response.status_code == (429 if locked else 302)


def test_the_lockout_shows_in_the_admin_to_a_superuser(
    client, staff, clock, settings, django_user_model
):
    guess(client, "editor", settings.AXES_FAILURE_LIMIT)
    root = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(root)

    index = client.get("/admin/").content.decode()
    attempts = client.get("/admin/axes/accessattempt/?locked_out=yes")

    assert 'href="/admin/axes/accessattempt/"' in index
    assert attempts.status_code == 200
    [row] = attempts.context["cl"].result_list
    assert (row.username, row.ip_address) == ("editor", ADDRESS)
    assert "Locked Out" in attempts.content.decode()


@pytest.mark.parametrize(
    "command",
    [
        ("axes_reset_username", "editor"),
        ("axes_reset_ip", ADDRESS),
        ("axes_reset",),
    ],
    ids=lambda command: command[0],
)
def test_axes_reset_commands_lift_the_lockout(client, staff, clock, settings, command):
    guess(client, "editor", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "editor", PASSWORD).status_code == 429

    out = io.StringIO()
    call_command(*command, stdout=out)

    assert out.getvalue() == "1 attempts removed.\n"  # one row counts the failures
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_an_administrator_lifts_the_lockout_in_the_admin(
    client, staff, clock, settings, django_user_model
):
    guess(client, "editor", settings.AXES_FAILURE_LIMIT)
    [attempt] = AccessAttempt.objects.all()
    root = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    admin_client = type(client)()
    admin_client.force_login(root)

    deleted = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert deleted.status_code == 302
    assert sign_in(client, "editor", PASSWORD).status_code == 302


# Staff API tokens.


def api_with(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.mark.parametrize("url", [REVIEW_API, MODERATION_API])
def test_a_token_works_for_its_max_age_and_then_gets_401(staff, clock, url):
    token = Token.objects.create(user=staff)

    clock.shift(dt.timedelta(days=30))
    assert api_with(token.key).get(url).status_code == 200

    clock.shift(dt.timedelta(seconds=1))
    response = api_with(token.key).get(url)
    assert response.status_code == 401
    assert response.json()["detail"] == TOKEN_EXPIRED
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("url", [REVIEW_API, MODERATION_API])
def test_a_fresh_token_gets_200(staff, clock, url):
    token = Token.objects.create(user=staff)

    assert api_with(token.key).get(url).status_code == 200


def test_a_shorter_max_age_applies_to_tokens_made_before_it(staff, clock, settings):
    token = Token.objects.create(user=staff)
    clock.shift(dt.timedelta(days=8))
    assert api_with(token.key).get(REVIEW_API).status_code == 200

    settings.RLS_ARTICLES = {**settings.RLS_ARTICLES, "STAFF_TOKEN_MAX_AGE_DAYS": 7}

    assert api_with(token.key).get(REVIEW_API).status_code == 401


def test_without_a_max_age_tokens_never_expire(staff, clock, settings):
    settings.RLS_ARTICLES = {**settings.RLS_ARTICLES, "STAFF_TOKEN_MAX_AGE_DAYS": None}
    token = Token.objects.create(user=staff)
    clock.shift(dt.timedelta(days=3650))

    assert api_with(token.key).get(MODERATION_API).status_code == 200


def test_the_staff_apis_still_document_the_token_as_token_auth():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    for path in (REVIEW_API, MODERATION_API):
        assert {"tokenAuth": []} in schema["paths"][path]["get"]["security"]


# manage.py staff_token


def staff_token(*args: str) -> str:
    out = io.StringIO()
    call_command("staff_token", *args, stdout=out)
    return out.getvalue().strip()


def test_staff_token_prints_the_users_key_making_one_if_needed(staff, clock):
    key = staff_token("editor")

    assert key == Token.objects.get(user=staff).key
    assert staff_token("editor") == key
    assert api_with(key).get(REVIEW_API).status_code == 200


def test_staff_token_replaces_an_expired_key(staff, clock):
    old = staff_token("editor")
    clock.shift(dt.timedelta(days=31))

    new = staff_token("editor")

    assert new != old
    assert api_with(new).get(REVIEW_API).status_code == 200


def test_rotate_makes_a_new_key_and_the_old_one_stops_working_at_once(staff, clock):
    old = staff_token("editor")

    new = staff_token("editor", "--rotate")

    assert new != old
    assert api_with(old).get(MODERATION_API).status_code == 401
    assert api_with(new).get(MODERATION_API).status_code == 200


def test_rotate_starts_the_max_age_again(staff, clock):
    staff_token("editor")
    clock.shift(dt.timedelta(days=29))
    new = staff_token("editor", "--rotate")
    clock.shift(dt.timedelta(days=29))

    assert api_with(new).get(REVIEW_API).status_code == 200


def test_revoke_deletes_the_token(staff, clock):
    key = staff_token("editor")

    assert staff_token("editor", "--revoke") == "Revoked editor's API token."

    assert not Token.objects.filter(user=staff).exists()
    assert api_with(key).get(REVIEW_API).status_code == 401
    assert staff_token("editor", "--revoke") == "editor had no API token."


def test_revoke_works_for_someone_no_longer_staff(staff, clock):
    key = staff_token("editor")
    staff.is_staff = staff.is_active = False
    staff.save()

    staff_token("editor", "--revoke")

    assert not Token.objects.filter(key=key).exists()


def test_staff_token_refuses_an_unknown_user():
    with pytest.raises(CommandError) as refused:
        staff_token("nobody")

    assert str(refused.value) == NO_SUCH_USER.format(username="nobody")


@pytest.mark.parametrize(
    ("is_staff", "is_active"), [(False, True), (True, False)], ids=["not staff", "inactive"]
)
def test_staff_token_refuses_anyone_but_active_staff(django_user_model, is_staff, is_active):
    django_user_model.objects.create_user("reader", is_staff=is_staff, is_active=is_active)

    with pytest.raises(CommandError) as refused:
        staff_token("reader")

    assert str(refused.value) == NOT_ACTIVE_STAFF.format(username="reader")
    assert not Token.objects.exists()


def test_staff_token_takes_one_action_at_a_time(staff):
    with pytest.raises(CommandError, match="not allowed with"):
        staff_token("editor", "--rotate", "--revoke")


def test_a_token_deleted_on_the_admins_tokens_page_stops_working(staff, clock, django_user_model):
    key = staff_token("editor")
    root = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    admin_client = APIClient()
    admin_client.force_login(root)
    assert admin_client.get("/admin/authtoken/tokenproxy/").status_code == 200

    deleted = admin_client.post(f"/admin/authtoken/tokenproxy/{staff.pk}/delete/", {"post": "yes"})

    assert deleted.status_code == 302
    assert api_with(key).get(REVIEW_API).status_code == 401


# The setting's check.


@pytest.mark.parametrize("value", [0, -1, "30", 2.5, True])
def test_a_wrong_token_max_age_is_error_E002(settings, value):
    settings.RLS_ARTICLES = {**settings.RLS_ARTICLES, "STAFF_TOKEN_MAX_AGE_DAYS": value}

    assert [e.id for e in check_article_settings()] == ["articles.E002"]


@pytest.mark.parametrize("value", [None, 1, 90])
def test_a_token_max_age_in_days_or_none_passes(settings, value):
    settings.RLS_ARTICLES = {**settings.RLS_ARTICLES, "STAFF_TOKEN_MAX_AGE_DAYS": value}

    assert check_article_settings() == []
