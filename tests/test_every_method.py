"""Every address the host serves, every method, several visitors: never a 5xx (issue 18, point 5).

The addresses come from the host's URLconf itself (``rls_cms/urls.py``, every
include followed down: the admin with django-reversion's views, the apps' API,
the editor's endpoints, the schema and its docs, feeds, sitemap, robots.txt,
media), each parameter filled from one small set of rows made once for the
module (``make_world``): a published article and a draft, an approved and a
pending comment, a tag, a preview link, one row of every model the admin
shows, revisions, a deleted article's revision.

Each address gets GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE and
PROPFIND (a method nobody answers) from an anonymous visitor, a superuser
and a staff editor (the articles' permissions only); the first two again
with Django's CSRF checks on (the unsafe methods only: the checks pass the
others by), and under /api/ the superuser's browser (the browsable API).
The writing methods each go with an empty body, ``{}`` as JSON, plain text
and a multipart body without its boundary (PUT and PATCH under /api/ only:
Django's own views read no body but a POST's). The variants of an address (a
draft's slug, a forged token, a number too large for any column, query
strings its view reads) get GET, HEAD and POST, and so does each address's
first form from a superuser whose every header is malformed.

Each request runs in a savepoint rolled back after it, with the visitor's
cookies put back (an admin logout logs nobody out), so every request meets
the same rows. An address's test fails once, listing every request that
answered badly. The sweep of an address runs once per test process; the
check that the API's errors are JSON reads the answers the first test kept.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import json
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from re import _constants as sre_constants
from re import _parser as sre_parser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from rest_framework.authtoken.models import Token
from reversion.models import Version

from articles import services
from articles.models import Article, HousekeepingRun, Reviewer, WebhookDelivery
from articles.preview import preview_token
from articles.review import article_sign_off
from articles.tasks import every_minute
from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    DisallowedTermFactory,
    ImageFactory,
    ReferenceFactory,
    SectionFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND")
VARIANT_METHODS = ("GET", "HEAD", "POST")
WRITES = {"POST", "PUT", "PATCH"}
# What CSRF checks (and RFC 9110) call safe.
SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}
# (name, body, Content-Type): every method gets the first, the writing methods all of them.
BODIES = (
    ("empty", "", None),
    ("JSON {}", "{}", "application/json"),
    ("plain text", "not json", "text/plain"),
    ("multipart without a boundary", "--x--", "multipart/form-data"),
)
# Past a 64-bit integer: no id, and no database column, can hold it.
HUGE = "99999999999999999999"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# Headers no client should send, each parsed by some view or middleware.
ODD_HEADERS = (
    ("Accept", "application/json;q=abc, text/*;q=-1"),
    ("Accept-Language", "zz-ZZ;q=x, *;q=2"),
    ("If-None-Match", "garbage"),
    ("If-Modified-Since", "yesterday"),
    ("If-Unmodified-Since", "tomorrow"),
    ("Range", "bytes=abc"),
)


@dataclass(frozen=True)
class Visitor:
    name: str
    superuser: bool = False
    enforce_csrf_checks: bool = False
    # A browser's Accept, under /api/ only: the browsable API answers it in
    # HTML, errors too; elsewhere every page is HTML whatever the Accept.
    browser: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    # A staff editor's permissions (the articles app's, not the comments'):
    # the refusals a superuser never meets.
    editor: bool = False
    # Only each address's first form, with these methods.
    brief: tuple[str, ...] = ()


VISITORS = (
    Visitor("anonymous"),
    Visitor("superuser", superuser=True),
    Visitor("anonymous, CSRF checked", enforce_csrf_checks=True),
    Visitor("superuser, CSRF checked", superuser=True, enforce_csrf_checks=True),
    Visitor("superuser's browser", superuser=True, browser=True),
    Visitor("staff editor", editor=True, brief=METHODS),
    Visitor("superuser, odd headers", superuser=True, headers=ODD_HEADERS, brief=VARIANT_METHODS),
)

# Addresses no pattern serves: the middleware's /healthz, and the 404s and
# slash redirects of addresses that are almost right.
UNMATCHED = (
    "/healthz",
    "/no-such-page/",
    "/api/",
    "/api/v1/",
    "/api/v1/no-such-endpoint/",
    "/api/v1/articles",
)
# Under /api/, errors are JSON; not the docs (HTML for people) and the schema (YAML).
NOT_JSON = ("/api/docs/", "/api/schema/")

# django-reversion's patterns capture without names: what each group is.
UNNAMED_GROUPS = {
    r"^recover/(\d+)/$": ("deleted_version_id",),
    r"^([^/]+)/history/(\d+)/$": ("object_id", "version_id"),
}

# Query strings the views read, by URL name; ``{name}`` is a value of make_world().
QUERIES = {
    "reader": ["tag=sleep", "tag=no-such", "search=sleep", "cursor=zzz"],
    "reader-article": ["comments=zzz", "preview={token}", "preview=not-a-token"],
    "sitemap": ["p=2", "p=x"],
    "article-list": [
        "search=sleep",
        "tag=sleep",
        "cursor=zzz",
        "page_size=0",
        f"page_size={HUGE}",
        "format=api",
        "format=csv",
    ],
    "article-detail": ["format=api", "format=csv"],
    "article-comments": ["cursor=zzz", f"page_size={HUGE}", "format=api"],
    "moderation-list": ["status=spam", "status=nope", "reported=x", "priority=x", "format=api"],
    "autocomplete": ["app_label=articles&model_name=article&field_name=tags&term=s"],
    "articles_article_changelist": [
        "q=sleep",
        "review=overdue",
        "review=current",
        "review=nope",
        f"tags__id__exact={HUGE}",
        "o=99",
    ],
    "articles_article_row": ["index=0", f"index={HUGE}"],
    "articles_article_compare_chosen": [
        "older={older}&newer={newer}",
        f"older={HUGE}&newer={{newer}}",
    ],
    "comments_comment_changelist": ["q=reader", "status__exact=nope", f"article__id__exact={HUGE}"],
    "comments_pendingcomment_changelist": [
        "tab=spam",
        "tab=nope",
        "after=zzz",
        "q=reader",
        "article={article}",
        f"article={HUGE}",
    ],
}


# The URLconf, walked --------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One pattern of the URLconf with the includes above it, or an address nothing serves."""

    patterns: tuple = ()
    address: str = ""

    def __str__(self) -> str:
        if self.address:
            return self.address
        return "/" + "".join(_readable(entry.pattern) for entry in self.patterns)

    @property
    def route(self) -> str:
        """As Django's ResolverMatch.route names it."""
        joined = ""
        for entry in self.patterns:
            joined = URLResolver._join_route(joined, str(entry.pattern))
        return joined

    @property
    def name(self) -> str | None:
        return self.patterns[-1].name if self.patterns else None


def _readable(pattern) -> str:
    if isinstance(pattern, RegexPattern):
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", str(pattern))
        return text.removeprefix("^").removesuffix("$")
    return str(pattern)


def walk(entries, above: tuple = ()):
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, (*above, entry))
        else:
            yield Route((*above, entry))


ROUTES = [*walk(get_resolver().url_patterns), *(Route(address=a) for a in UNMATCHED)]


def is_api(address: str) -> bool:
    return address.startswith("/api/") and not address.startswith(NOT_JSON)


API_ROUTES = [route for route in ROUTES if is_api(str(route))]


# The rows every address is filled from -----------------------------------------------


@dataclass
class World:
    media: Path
    superuser_id: int
    editor_id: int
    # Parameter name to its values, the first a real row's (the address swept in full).
    values: dict[str, list[str]]
    # "app_label.model_name" to the id of a row the admin shows.
    admin_ids: dict[str, str]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One of everything an address can name, made once and rolled back after the module."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        ),
        transaction.atomic(),
    ):
        yield make_world(media)
        transaction.set_rollback(True)


def make_world(media: Path) -> World:
    superuser = User.objects.create_superuser("root", "root@example.org", "pw")
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    editor = User.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    Token.objects.create(user=superuser)
    group = Group.objects.create(name="Editors")
    tag = TagFactory(slug="sleep", name="Sleep")
    article = ArticleFactory(slug="published", tags=[tag])
    section = SectionFactory(article=article)
    image = ImageFactory(article=article)
    ReferenceFactory(article=article)
    draft = ArticleFactory(slug="draft", draft=True)
    approved = CommentFactory(article=article)
    pending = CommentFactory(article=article, status=Comment.Status.PENDING)
    term = DisallowedTermFactory()
    gone = ArticleFactory(slug="gone")
    services.articles_delete(queryset=Article.objects.filter(pk=gone.pk))
    delivery = WebhookDelivery.objects.create(
        url="https://example.org/hook",
        event=WebhookDelivery.Event.PUBLISHED,
        article_id=article.pk,
        slug=article.slug,
        payload={},
    )
    task_result = every_minute.enqueue()
    housekeeping_run = HousekeepingRun.objects.create(day=datetime.date(2026, 6, 1))
    reviewer = Reviewer.objects.create(user=superuser, display_name="Dr Root")
    # django-axes' records of sign-ins: a lockout, a failure, a sign-in.
    sign_in = {"username": "staff", "ip_address": "203.0.113.7", "user_agent": "test"}
    attempt = AccessAttempt.objects.create(**sign_in, failures_since_start=10)
    failure = AccessFailureLog.objects.create(**sign_in, locked_out=True)
    access = AccessLog.objects.create(**sign_in)
    sign_off = article_sign_off(article_id=article.pk, user=superuser)
    versions = list(Version.objects.get_for_object(article).order_by("pk"))
    assert len(versions) >= 2, "the article needs two revisions to compare"
    [deleted_version] = Version.objects.get_for_object_reference(Article, gone.pk)[:1]
    admin_ids = {
        "auth.group": group.pk,
        "auth.user": staff.pk,
        "authtoken.tokenproxy": superuser.pk,  # the token admin names tokens by user
        "axes.accessattempt": attempt.pk,
        "axes.accessfailurelog": failure.pk,
        "axes.accesslog": access.pk,
        "django_tasks_database.dbtaskresult": task_result.id,
        "articles.article": article.pk,
        "articles.tag": tag.pk,
        "articles.webhookdelivery": delivery.pk,
        "articles.housekeepingrun": housekeeping_run.pk,
        "articles.reviewer": reviewer.pk,
        "articles.signoff": sign_off.pk,
        "comments.comment": approved.pk,
        "comments.pendingcomment": pending.pk,
        "comments.disallowedterm": term.pk,
    }
    values = {
        "slug": [article.slug, draft.slug],
        "token": [preview_token(draft), "not-a-token"],
        "content_type_id": [ContentType.objects.get_for_model(Article).pk, HUGE],
        "version_id": [versions[0].pk, HUGE],
        "older": [versions[0].revision_id, HUGE],
        "newer": [versions[-1].revision_id],
        "deleted_version_id": [deleted_version.pk, HUGE],
        "prefix": ["sections", "nope"],
        "id": [staff.pk, HUGE],
        "app_label": ["articles"],
        "url": ["no-such-page/"],
        "path": [image.file.name, "no-such-file.png"],
        # Chosen by address (parameter_values): comment, row and article ids.
        "approved": [approved.pk, HUGE],
        "pending": [pending.pk, HUGE],
        "section": [section.pk, HUGE],
        "article": [article.pk, HUGE],
    }
    return World(
        media=media,
        superuser_id=superuser.pk,
        editor_id=editor.pk,
        values={name: [str(v) for v in vs] for name, vs in values.items()},
        admin_ids={label: str(pk) for label, pk in admin_ids.items()},
    )


@pytest.fixture(autouse=True)
def media_root(settings, world):
    """The module's own media folder (the image file lives there), not one per test."""
    settings.MEDIA_ROOT = world.media
    return world.media


def parameter_values(name: str, route: str, world: World) -> list[str]:
    """What to put in parameter ``name`` of ``route``: the rows above, chosen by address."""
    model = re.match(r"/admin/(\w+)/(\w+)/", route)
    label = model and f"{model[1]}.{model[2]}"
    if name == "object_id":
        if label in world.admin_ids:
            return [world.admin_ids[label], HUGE]
        return world.values["article"]
    if name == "pk":
        if "/rows/" in route:
            return world.values["section"]
        if "/report/" in route:
            return world.values["approved"]
        if "moderation" in route or "/decide/" in route:
            return world.values["pending"]
    if name in world.values:
        return world.values[name]
    raise LookupError(f"No value for <{name}> in {route}: add one to make_world().")


def sample(regex: str, groups: dict) -> str:
    """A string ``regex`` matches, with ``groups`` (by name or number) as given.

    An unnamed ``[^/]+`` becomes ``~``: no slug or id, so the API's JSON 404
    patterns are reached, not the views they stand behind.
    """
    parsed = sre_parser.parse(regex)
    names = {number: name for name, number in parsed.state.groupdict.items()}

    def one_of(items) -> str:
        if items[0][0] is sre_constants.NEGATE:
            excluded = {chr(v) for op, v in items if op is sre_constants.LITERAL}
            return next(char for char in "~x1" if char not in excluded)
        op, value = items[0]
        if op is sre_constants.LITERAL:
            return chr(value)
        if op is sre_constants.RANGE:
            return chr(value[0])
        if op is sre_constants.CATEGORY:
            return "1" if value is sre_constants.CATEGORY_DIGIT else "x"
        raise ValueError(f"Cannot fill {op} in {regex}")

    def emit(items) -> str:
        out = []
        for op, value in items:
            if op is sre_constants.LITERAL:
                out.append(chr(value))
            elif op is sre_constants.NOT_LITERAL:
                out.append(next(char for char in "~x1" if ord(char) != value))
            elif op is sre_constants.IN:
                out.append(one_of(value))
            elif op is sre_constants.SUBPATTERN:
                number, _, _, sub = value
                key = names.get(number, number)
                out.append(str(groups[key]) if key in groups else emit(sub))
            elif op is sre_constants.BRANCH:
                out.append(emit(value[1][0]))
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                low, _, sub = value
                out.append(emit(sub) * max(low, 1))
            elif op is sre_constants.ANY:
                out.append("x")
            elif op is not sre_constants.AT:
                raise ValueError(f"Cannot fill {op} in {regex}")
        return "".join(out)

    return emit(parsed)


def filled(pattern, so_far: str, world: World) -> list[str]:
    """``pattern``'s text with each combination of its parameters' values, real rows first."""
    if isinstance(pattern, RoutePattern):
        names = re.findall(r"<(?:\w+:)?(\w+)>", pattern._route)
        options = [parameter_values(name, so_far + str(pattern), world) for name in names]
        texts = []
        for chosen in itertools.product(*options):
            text = pattern._route
            for name, value in zip(names, chosen, strict=True):
                value = pattern.converters[name].to_url(value)
                text = re.sub(rf"<(?:\w+:)?{name}>", lambda _, v=value: v, text, count=1)
            texts.append(text)
        return texts
    regex = pattern._regex
    compiled = re.compile(regex)
    unnamed = UNNAMED_GROUPS.get(regex, ())
    keys = [*compiled.groupindex, *range(1, len(unnamed) + 1)]
    names = [*compiled.groupindex, *unnamed]
    options = [parameter_values(name, so_far + _readable(pattern), world) for name in names]
    return [
        sample(regex, dict(zip(keys, chosen, strict=True)))
        for chosen in itertools.product(*options)
    ]


def addresses(route: Route, world: World) -> list[str]:
    """The addresses of ``route``: the real rows' first, then the variants."""
    if route.address:
        return [route.address]
    pieces, so_far = [], "/"
    for entry in route.patterns:
        pieces.append(filled(entry.pattern, so_far, world))
        so_far += _readable(entry.pattern)
    found = ["/" + "".join(combination) for combination in itertools.product(*pieces)]
    one = {name: values[0] for name, values in world.values.items()}
    queries = [query.format(**one) for query in QUERIES.get(route.name, [])]
    return found + [f"{found[0]}?{query}" for query in queries]


# Sending and keeping the answers --------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    method: str
    address: str
    visitor: str
    body: str
    status: int | None
    headers: dict
    content: bytes
    error: str = ""

    def __str__(self) -> str:
        what = self.error or f"{self.status} {self.headers.get('Content-Type', '')}".strip()
        return f"{self.method} {self.address} as {self.visitor}, {self.body} body: {what}"


def _place(frame) -> str:
    """Where a frame is: a path in the project, in an installed package, or as it is."""
    where = frame.filename.split("site-packages/")[-1].removeprefix(f"{PROJECT}/")
    return f"{where}:{frame.lineno} {frame.name}"


def summarise(error: BaseException) -> str:
    """The exception, the last line of our code it passed, and the line that raised it."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        frame
        for frame in frames
        if frame.filename.startswith(str(PROJECT))
        and ".venv" not in frame.filename
        and "/tests/" not in frame.filename
    ]
    where = [frames[-1]] if frames else []
    if ours and ours[-1] is not frames[-1]:
        where.insert(0, ours[-1])
    places = " → ".join(_place(frame) for frame in where)
    return f"{type(error).__name__}: {str(error)[:200]} ({places})"


def client_for(visitor: Visitor, world: World) -> Client:
    client = Client(enforce_csrf_checks=visitor.enforce_csrf_checks)
    if visitor.superuser or visitor.editor:
        user_id = world.superuser_id if visitor.superuser else world.editor_id
        client.force_login(User.objects.get(pk=user_id))
    return client


def send(client: Client, method: str, address: str, body: str, content_type, headers: dict):
    """One request in a savepoint rolled back after it, the visitor's cookies kept as they were."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            try:
                return client.generic(
                    method,
                    address,
                    body,
                    content_type=content_type or "application/octet-stream",
                    headers=headers,
                )
            finally:
                transaction.set_rollback(True)
    finally:
        client.cookies = cookies


def requests(route: Route, world: World):
    """(visitor, address, method, body name, body, Content-Type) for every request of ``route``."""
    found = addresses(route, world)
    for visitor in VISITORS:
        if visitor.browser and not str(route).startswith("/api/"):
            continue
        for number, address in enumerate(found[:1] if visitor.brief else found):
            for method in visitor.brief or (METHODS if number == 0 else VARIANT_METHODS):
                if visitor.enforce_csrf_checks and method in SAFE:
                    continue  # CSRF checks pass safe methods by: the same as without
                for body in BODIES if writes(method, address) else BODIES[:1]:
                    yield (visitor, address, method, *body)


def writes(method: str, address: str) -> bool:
    """Whether a body is read: a POST's anywhere; a PUT's or PATCH's by DRF, under /api/ only."""
    return method == "POST" or (method in WRITES and address.startswith("/api/"))


SWEEPS: dict[str, list[Answer]] = {}


def sweep(route: Route, world: World) -> list[Answer]:
    """Every request of ``route``, sent, and the answers (once per process)."""
    if str(route) in SWEEPS:
        return SWEEPS[str(route)]
    answers, clients = [], {}
    for visitor, address, method, body_name, body, content_type in requests(route, world):
        if visitor not in clients:
            clients[visitor] = client_for(visitor, world)
        headers = dict(visitor.headers) | ({"Accept": BROWSER_ACCEPT} if visitor.browser else {})
        sent = (method, address, visitor.name, body_name)
        try:
            response = send(clients[visitor], method, address, body, content_type, headers)
        except Exception as error:
            answers.append(Answer(*sent, None, {}, b"", summarise(error)))
            continue
        content = b"" if response.streaming else response.content[:2000]
        answers.append(Answer(*sent, response.status_code, dict(response.headers), content))
        if method not in SAFE and response.status_code < 400:
            cache.clear()  # what it changed is rolled back: so are the pages kept meanwhile
    SWEEPS[str(route)] = answers
    return answers


# What a good answer is ---------------------------------------------------------------------


def server_error(answer: Answer) -> str | None:
    if answer.error or answer.status >= 500:
        return "server error"
    if answer.status == 405 and "Allow" not in answer.headers:
        return "405 without Allow"
    return None


def messages_object(data) -> bool:
    """A validation error: each field (or nested object) to a list of messages."""
    return (
        isinstance(data, dict)
        and bool(data)
        and all(
            (isinstance(value, list) and all(isinstance(m, str | dict) for m in value))
            or messages_object(value)
            for value in data.values()
        )
    )


def not_a_json_error(answer: Answer) -> str | None:
    """Why a 4xx of the API is not the contract's JSON error (None when it is)."""
    if not 400 <= answer.status < 500:
        return None
    content_type = answer.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip() != "application/json":
        return f"Content-Type {content_type or 'missing'}"
    if answer.method == "HEAD":
        return None
    try:
        data = json.loads(answer.content)
    except ValueError:
        return f"body is not JSON: {answer.content[:60]!r}"
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return None
    if answer.status == 400 and messages_object(data):
        return None
    return f"no detail string: {answer.content[:80]!r}"


def asks_for_html(answer: Answer) -> bool:
    """A browser, or ?format=api: the browsable API, errors too, answers in HTML."""
    browsers = {visitor.name for visitor in VISITORS if visitor.browser}
    return answer.visitor in browsers or "format=api" in answer.address


def report(problems: list[str]) -> str:
    return f"{len(problems)} bad answers:\n" + "\n".join(problems)


# The sweep -----------------------------------------------------------------------------------


def test_every_pattern_is_reached_at_the_addresses_it_is_filled_with(world):
    missing = {model._meta.label_lower for model in admin.site._registry} - set(world.admin_ids)
    assert not missing, f"Admin models without a row to name: {sorted(missing)}"
    astray = []
    for route in ROUTES:
        for address in addresses(route, world):
            try:
                match = resolve(address.partition("?")[0])
            except Resolver404:
                if route.patterns:
                    astray.append(f"{address} ({route}): resolves to nothing")
                continue
            if route.patterns and match.route != route.route:
                astray.append(f"{address} ({route}): reaches {match.route}")
    assert not astray, "\n".join(astray)


def test_every_query_string_belongs_to_a_route():
    assert set(QUERIES) <= {route.name for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_method_at_any_address_is_a_server_error(route, world):
    problems = [
        f"{answer} ({problem})"
        for answer in sweep(route, world)
        if (problem := server_error(answer))
    ]
    assert not problems, report(problems)


@pytest.mark.parametrize("route", API_ROUTES, ids=str)
def test_every_api_error_is_json_with_a_detail(route, world):
    problems = [
        f"{answer} ({problem})"
        for answer in sweep(route, world)
        if answer.status is not None
        and not asks_for_html(answer)
        and (problem := not_a_json_error(answer))
    ]
    assert not problems, report(problems)


# The answers the API owes in particular --------------------------------------------------------

API_VIEWS = [
    route
    for route in API_ROUTES
    if route.patterns and not route.patterns[-1].callback.__qualname__.startswith("not_found")
]
READABLE = ("articles/", "articles/<slug>/", "articles/<slug>/comments/")


def readable(world: World, index: int) -> str:
    return "/api/v1/" + READABLE[index].replace("<slug>", world.values["slug"][0])


def assert_json_error(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json()["detail"], str)


@pytest.fixture
def superuser_client(client, world):
    client.force_login(User.objects.get(pk=world.superuser_id))
    return client


@pytest.mark.parametrize("route", API_VIEWS, ids=str)
@pytest.mark.parametrize("method", ["DELETE", "PROPFIND"])
def test_a_method_the_endpoint_does_not_allow_is_a_json_405_with_allow(
    superuser_client, world, route, method
):
    response = superuser_client.generic(method, addresses(route, world)[0])

    assert_json_error(response, 405)
    assert response["Allow"]
    assert method not in response["Allow"]


# Built on this request (DRF's path), or kept from an earlier one and sent as bytes.
KEPT = pytest.mark.parametrize("kept", [False, True], ids=["built", "kept"])


@KEPT
@pytest.mark.parametrize("index", range(len(READABLE)), ids=READABLE)
def test_accept_text_csv_is_a_json_406(client, world, index, kept):
    address = readable(world, index)
    if kept:
        assert client.get(address).status_code == 200

    assert_json_error(client.get(address, headers={"Accept": "text/csv"}), 406)


def test_a_comment_posted_as_plain_text_is_a_json_415(client, world):
    response = client.post(readable(world, 2), "name=A&body=Hi", content_type="text/plain")

    assert_json_error(response, 415)


@KEPT
@pytest.mark.parametrize("index", range(len(READABLE)), ids=READABLE)
def test_a_failed_if_match_is_a_json_412(client, world, index, kept):
    address = readable(world, index)
    if kept:
        assert client.get(address).status_code == 200

    response = client.get(address, headers={"If-Match": '"nope"'})

    assert_json_error(response, 412)


REVALIDATED = (
    "/api/v1/articles/",
    "/api/v1/articles/{slug}/",
    "/api/v1/articles/{slug}/comments/",
    "/",
    "/articles/{slug}/",
    "/feed/",
    "/feed/atom/",
)


@pytest.mark.parametrize("address", REVALIDATED)
def test_a_304_has_no_content_length(client, world, address):
    # RFC 9110 allows none or the 200's; Node's fetch waits on a kept-alive
    # connection for the 200's length, so none.
    address = address.format(slug=world.values["slug"][0])
    full = client.get(address)
    assert full.status_code == 200

    response = client.get(address, headers={"If-None-Match": full["ETag"]})

    assert response.status_code == 304
    assert response.headers.get("Content-Length") is None


def test_options_on_the_api_docs_is_not_a_server_error(client):
    assert client.options("/api/docs/").status_code < 500
