"""Who may do what: every API endpoint, editor endpoint and admin page, for six people.

One row per address; the expected status for: an anonymous visitor, a
logged-in reader who is not staff, an author (writes articles, publishes
nothing), a medical reviewer (views articles and signs them off, edits
nothing), an editor (writes and publishes, signs nothing off) and a
moderator (comment permissions only). Public reads and the comment form
answer everybody alike; the staff APIs want their permission; the admin
shows each staff user their own part. ``DONE`` is a redirect back into the
admin after the action was allowed (a 302 elsewhere goes to the login page).
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from PIL import Image as PILImage

from articles.models import Reviewer
from comments.models import Comment
from tests.admin_forms import form_data
from tests.factories import ArticleFactory, CommentFactory, TagFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader", "author", "reviewer", "editor", "moderator")
LOGIN = "/admin/login/"
DONE = "done"
# What each role may do in the articles app, beyond what every staff user has.
AUTHOR_CANNOT = {"publish_article", "sign_off_article"}
EDITOR_CANNOT = {"sign_off_article"}
REVIEWER_MAY = {"view_article", "sign_off_article"}

# (method, address, {role: status}); {slug}, {article}, {tag}, {comment} filled per test.
# 302 in the admin is the redirect to its login page.
MATRIX = [
    # The public API and the comment form.
    ("GET", "/api/v1/articles/", (200,) * 6),
    ("GET", "/api/v1/articles/{slug}/", (200,) * 6),
    ("GET", "/api/v1/articles/{slug}/comments/", (200,) * 6),
    ("OPTIONS", "/api/v1/articles/{slug}/comments/", (200,) * 6),
    ("POST", "/api/v1/articles/{slug}/comments/", (201,) * 6),
    ("GET", "/api/schema/", (200,) * 6),
    ("GET", "/api/docs/", (200,) * 6),
    ("GET", "/healthz", (200,) * 6),
    # The staff moderation API.
    ("GET", "/api/v1/moderation/comments/", (401, 403, 403, 403, 403, 200)),
    ("POST", "/api/v1/moderation/comments/{comment}/approve/", (401, 403, 403, 403, 403, 200)),
    ("POST", "/api/v1/moderation/comments/{comment}/spam/", (401, 403, 403, 403, 403, 200)),
    ("POST", "/api/v1/moderation/comments/{comment}/remove/", (401, 403, 403, 403, 403, 200)),
    ("POST", "/api/v1/moderation/comments/bulk/", (401, 403, 403, 403, 403, 200)),
    # The staff review schedule: whoever may view articles.
    ("GET", "/api/v1/review/due/", (401, 403, 200, 200, 200, 403)),
    # The Markdown editor's endpoints: staff who write articles.
    ("POST", "/api/v1/editor/markdownify/", (403, 403, 200, 403, 200, 403)),
    ("POST", "/api/v1/editor/upload/", (403, 403, 200, 403, 200, 403)),
    # The admin.
    ("GET", "/admin/", (302, 302, 200, 200, 200, 200)),
    ("GET", "/admin/articles/article/", (302, 302, 200, 200, 200, 403)),
    ("GET", "/admin/articles/article/add/", (302, 302, 200, 403, 200, 403)),
    ("GET", "/admin/articles/article/{article}/change/", (302, 302, 200, 200, 200, 403)),
    ("POST", "/admin/articles/article/{article}/change/", (302, 302, DONE, 403, DONE, 403)),
    ("GET", "/admin/articles/article/{article}/changes/", (302, 302, 200, 200, 200, 403)),
    (
        "POST",
        "/admin/articles/article/{article}/changes/publish/",
        (302, 302, 403, 403, DONE, 403),
    ),
    (
        "POST",
        "/admin/articles/article/{article}/changes/discard/",
        (302, 302, DONE, 403, DONE, 403),
    ),
    ("GET", "/admin/articles/article/{article}/sign-off/", (302, 302, 200, 200, 200, 403)),
    ("POST", "/admin/articles/article/{article}/sign-off/", (302, 302, 403, DONE, 403, 403)),
    ("GET", "/admin/articles/tag/", (302, 302, 200, 403, 200, 403)),
    ("GET", "/admin/articles/tag/{tag}/change/", (302, 302, 200, 403, 200, 403)),
    ("GET", "/admin/articles/signoff/", (302, 302, 200, 403, 200, 403)),
    ("GET", "/admin/comments/comment/", (302, 302, 403, 403, 403, 200)),
    ("GET", "/admin/comments/comment/{comment}/change/", (302, 302, 403, 403, 403, 200)),
    ("GET", "/admin/comments/pendingcomment/", (302, 302, 403, 403, 403, 200)),
    ("GET", "/admin/comments/disallowedterm/", (302, 302, 403, 403, 403, 403)),
    ("GET", "/admin/django_tasks_database/dbtaskresult/", (302, 302, 403, 403, 403, 403)),
    ("GET", "/admin/auth/user/", (302, 302, 403, 403, 403, 403)),
]


def articles_permissions(*, but=frozenset(), only=None):
    permissions = Permission.objects.filter(content_type__app_label="articles")
    if only is not None:
        return permissions.filter(codename__in=only)
    return permissions.exclude(codename__in=but)


@pytest.fixture
def people(django_user_model, moderator):
    reader = django_user_model.objects.create_user("reader", password="pw")
    staff = {}
    for role, permissions in (
        ("author", articles_permissions(but=AUTHOR_CANNOT)),
        ("reviewer", articles_permissions(only=REVIEWER_MAY)),
        ("editor", articles_permissions(but=EDITOR_CANNOT)),
    ):
        staff[role] = django_user_model.objects.create_user(role, password="pw", is_staff=True)
        staff[role].user_permissions.set(permissions)
    Reviewer.objects.create(user=staff["reviewer"], display_name="Dr Ann Lee")
    return {"anonymous": None, "reader": reader, **staff, "moderator": moderator}


@pytest.fixture
def places(db, django_user_model):
    article = ArticleFactory()
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    change = f"/admin/articles/article/{article.pk}/change/"
    return {
        "slug": article.slug,
        "article": article.pk,
        "tag": TagFactory().pk,
        "comment": comment.pk,
        # The page as it stands for each role's save: another's save would be a conflict.
        "change_form": lambda: form_data(admin.get(change).content.decode()),
    }


def payload(path: str, places: dict, n: int):
    """What each POST sends: a valid request, so only permission decides."""
    if path.endswith("/comments/"):
        return {"name": "Ada", "email": f"ada{n}@example.org", "body": f"Remark {n}."}, "json"
    if path.endswith("/bulk/"):
        return {"ids": [places["comment"]], "action": "approve"}, "json"
    if path.endswith("/markdownify/"):
        return {"content": "*hi*"}, None
    if path.endswith("/sign-off/"):
        return {"note": ""}, None
    if path.endswith("/change/"):
        return places["change_form"](), None
    if path.endswith("/upload/"):
        buffer = io.BytesIO()
        PILImage.new("RGB", (4, 4)).save(buffer, "PNG")
        buffer.name = "figure.png"
        buffer.seek(0)
        return {"image": buffer}, None
    return None, None


@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[m[1] for m in MATRIX])
def test_who_may_do_what(client, settings, people, places, method, path, expected):
    settings.RLS_COMMENTS = {"FLOOD_SECONDS": 0}
    address = path.format(**places)
    found = {}
    for n, role in enumerate(ROLES):
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        data, content = payload(path, places, n)
        if method == "POST" and content == "json":
            response = client.post(
                address, data, content_type="application/json", REMOTE_ADDR=f"198.51.100.{n + 1}"
            )
        elif method == "POST":
            response = client.post(
                address, data or {}, headers={"X-Requested-With": "XMLHttpRequest"}
            )
        else:
            response = client.generic(method, address)
        found[role] = response.status_code
        if response.status_code == 302 and not response["Location"].startswith(LOGIN):
            found[role] = DONE
    assert found == dict(zip(ROLES, expected, strict=True))


def test_the_moderator_holds_no_article_permission(moderator):
    # The matrix's moderator column means what it says.
    assert not moderator.get_all_permissions() & {
        f"articles.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label="articles")
    }
    assert moderator.has_perm("comments.moderate_comment")


def test_an_author_saves_a_draft_but_cannot_publish_it(client, people):
    draft = ArticleFactory(draft=True, title="Zinc")
    client.force_login(people["author"])
    change = f"/admin/articles/article/{draft.pk}/change/"
    page = client.get(change).content.decode()
    assert 'name="status"' not in page  # shown, not editable
    data = {**form_data(page, title="Zinc and sleep"), "status": "published"}

    assert client.post(change, data).status_code == 302

    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Zinc and sleep", "draft")


def test_a_reviewer_edits_their_own_public_name_and_nobody_elses(client, django_user_model):
    permissions = Permission.objects.filter(
        codename__in=["view_reviewer", "change_reviewer", "delete_reviewer"]
    )
    mine, theirs = [
        django_user_model.objects.create_user(name, password="pw", is_staff=True)
        for name in ("drlee", "drkim")
    ]
    for user in (mine, theirs):
        user.user_permissions.set(permissions)
    own = Reviewer.objects.create(user=mine, display_name="Dr Ann Lee")
    other = Reviewer.objects.create(user=theirs, display_name="Dr Bo Kim")
    client.force_login(mine)
    change = "/admin/articles/reviewer/{}/change/"
    post = {"user": mine.pk, "display_name": "Dr Ann Lee-Smith", "credentials": "MD"}
    assert client.post(change.format(own.pk), post).status_code == 302
    other_post = {"user": theirs.pk, "display_name": "Dr Nobody", "credentials": ""}
    client.post(change.format(other.pk), other_post)
    other.refresh_from_db()
    assert other.display_name == "Dr Bo Kim"
    assert (
        client.post(f"/admin/articles/reviewer/{other.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
