"""Who may do what: every API endpoint, editor endpoint and admin page, for four people.

One row per address; the expected status for: an anonymous visitor, a
logged-in reader who is not staff, a staff editor (article permissions, not
``moderate_comment``), and a moderator (comment permissions only). Public
reads and the comment form answer everybody alike; the staff API wants the
permission; the admin shows each of the two staff users their own part.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from PIL import Image as PILImage

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, TagFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader", "editor", "moderator")
LOGIN = "/admin/login/"

# (method, address, {role: status}); {slug}, {article}, {tag}, {comment} filled per test.
# 302 in the admin is the redirect to its login page.
MATRIX = [
    # The public API and the comment form.
    ("GET", "/api/v1/articles/", (200, 200, 200, 200)),
    ("GET", "/api/v1/articles/{slug}/", (200, 200, 200, 200)),
    ("GET", "/api/v1/articles/{slug}/comments/", (200, 200, 200, 200)),
    ("OPTIONS", "/api/v1/articles/{slug}/comments/", (200, 200, 200, 200)),
    ("POST", "/api/v1/articles/{slug}/comments/", (201, 201, 201, 201)),
    ("GET", "/api/schema/", (200, 200, 200, 200)),
    ("GET", "/api/docs/", (200, 200, 200, 200)),
    ("GET", "/healthz", (200, 200, 200, 200)),
    # The staff moderation API.
    ("GET", "/api/v1/moderation/comments/", (401, 403, 403, 200)),
    ("POST", "/api/v1/moderation/comments/{comment}/approve/", (401, 403, 403, 200)),
    ("POST", "/api/v1/moderation/comments/{comment}/spam/", (401, 403, 403, 200)),
    ("POST", "/api/v1/moderation/comments/{comment}/remove/", (401, 403, 403, 200)),
    ("POST", "/api/v1/moderation/comments/bulk/", (401, 403, 403, 200)),
    # The Markdown editor's endpoints: staff who write articles.
    ("POST", "/api/v1/editor/markdownify/", (403, 403, 200, 403)),
    ("POST", "/api/v1/editor/upload/", (403, 403, 200, 403)),
    # The admin.
    ("GET", "/admin/", (302, 302, 200, 200)),
    ("GET", "/admin/articles/article/", (302, 302, 200, 403)),
    ("GET", "/admin/articles/article/add/", (302, 302, 200, 403)),
    ("GET", "/admin/articles/article/{article}/change/", (302, 302, 200, 403)),
    ("GET", "/admin/articles/tag/", (302, 302, 200, 403)),
    ("GET", "/admin/articles/tag/{tag}/change/", (302, 302, 200, 403)),
    ("GET", "/admin/comments/comment/", (302, 302, 403, 200)),
    ("GET", "/admin/comments/comment/{comment}/change/", (302, 302, 403, 200)),
    ("GET", "/admin/comments/pendingcomment/", (302, 302, 403, 200)),
    ("GET", "/admin/comments/disallowedterm/", (302, 302, 403, 403)),
    ("GET", "/admin/django_tasks_database/dbtaskresult/", (302, 302, 403, 403)),
    ("GET", "/admin/auth/user/", (302, 302, 403, 403)),
]


@pytest.fixture
def people(django_user_model, staff_user, moderator):
    reader = django_user_model.objects.create_user("reader", password="pw")
    return {"anonymous": None, "reader": reader, "editor": staff_user, "moderator": moderator}


@pytest.fixture
def places(db):
    article = ArticleFactory()
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)
    return {
        "slug": article.slug,
        "article": article.pk,
        "tag": TagFactory().pk,
        "comment": comment.pk,
    }


def payload(path: str, places: dict, n: int):
    """What each POST sends: a valid request, so only permission decides."""
    if path.endswith("/comments/"):
        return {"name": "Ada", "email": f"ada{n}@example.org", "body": f"Remark {n}."}, "json"
    if path.endswith("/bulk/"):
        return {"ids": [places["comment"]], "action": "approve"}, "json"
    if path.endswith("/markdownify/"):
        return {"content": "*hi*"}, None
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
        if response.status_code == 302:
            assert response["Location"].startswith(LOGIN)
    assert found == dict(zip(ROLES, expected, strict=True))


def test_the_moderator_holds_no_article_permission(moderator):
    # The matrix's moderator column means what it says.
    assert not moderator.get_all_permissions() & {
        f"articles.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label="articles")
    }
    assert moderator.has_perm("comments.moderate_comment")
