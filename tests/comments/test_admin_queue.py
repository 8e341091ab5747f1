"""The moderation queue and all comments in the Django admin.

Moderators work through the "Moderation queue" (the PendingComment proxy: the
workspace, tests/comments/test_workspace.py) and "Comments" (every status,
Django's change list); the bulk actions call the same services as the staff
API. Only ``comments.moderate_comment`` may change a status.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:comments_pendingcomment_changelist")
COMMENTS_URL = reverse("admin:comments_comment_changelist")
INDEX_URL = reverse("admin:index")
ACTIONS = ["approve", "mark_spam", "remove", "erase_personal_data"]
STATUS_OF_ADMIN_ACTION = {
    "approve": Comment.Status.APPROVED,
    "mark_spam": Comment.Status.SPAM,
    "remove": Comment.Status.REMOVED,
}
# Measured: session, user, the user's own and group permissions, the page
# of comments (articles and parents joined), the authors' histories, the open
# reports, the six tabs' capped counts, and the page's one-row look-ahead
# (keyset paging reads PAGE_SIZE + 1).
QUEUE_PAGE_QUERIES = 13


def change_url(comment: Comment) -> str:
    return reverse("admin:comments_comment_change", args=[comment.pk])


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def listed(response) -> list[Comment]:
    """The comments a changelist or workspace page shows, in its order."""
    assert response.status_code == 200
    if "rows" in response.context:
        return [row.comment for row in response.context["rows"]]
    return list(response.context["cl"].result_list)


def run_action(client, url: str, action: str, comments: list[Comment]):
    return client.post(
        url, {"action": action, "_selected_action": [c.pk for c in comments], "index": 0}
    )


def offered_actions(response) -> set[str]:
    """The action names in the page's action menu (none when there is no menu)."""
    if "bulk_actions" in response.context:
        if not response.context["can_moderate"]:
            return set()
        return {name for name, _label in response.context["bulk_actions"]}
    action_form = response.context["action_form"]
    if action_form is None:
        return set()
    return {name for name, _label in action_form.fields["action"].choices if name}


def change_form_data(comment: Comment, **changes) -> dict:
    """What the change form posts back for ``comment``, with ``changes`` applied."""
    data = {
        "name": comment.name,
        "email": comment.email,
        "website": comment.website,
        "body": comment.body,
        "status": comment.status,
        "priority": comment.priority,
        "_save": "Save",
    }
    data.update(changes)
    return data


@pytest.fixture
def moderating(client, moderator):
    """The test client, logged in as the moderator."""
    client.force_login(moderator)
    return client


@pytest.fixture
def comment_editor(django_user_model):
    """A staff user who may view and change comments, but not moderate them."""
    user = django_user_model.objects.create_user("comment-editor", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="comments", codename__in=["view_comment", "change_comment"]
        )
    )
    return user


@pytest.fixture
def editing(client, comment_editor):
    """The test client, logged in as the staff user without moderate_comment."""
    client.force_login(comment_editor)
    return client


# The moderation queue ---------------------------------------------------------


def test_queue_lists_pending_comments_only(moderating):
    pending = CommentFactory(status=Comment.Status.PENDING)
    for status in (Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.REMOVED):
        CommentFactory(status=status)

    assert listed(moderating.get(QUEUE_URL)) == [pending]


def test_queue_lists_oldest_first(moderating):
    newest = CommentFactory(status=Comment.Status.PENDING, submitted_at=ago(1))
    oldest = CommentFactory(status=Comment.Status.PENDING, submitted_at=ago(30))
    middle = CommentFactory(status=Comment.Status.PENDING, submitted_at=ago(10))

    assert listed(moderating.get(QUEUE_URL)) == [oldest, middle, newest]


def test_queue_shows_article_text_name_email_and_reason(moderating):
    article = ArticleFactory(title="Iron and restless legs")
    CommentFactory(
        article=article,
        status=Comment.Status.PENDING,
        name="Wilhelmina Ekbom",
        email="wilhelmina@example.org",
        body="Low ferritin made my symptoms worse every evening.",
        ip_address="203.0.113.45",
        reasons=[{"rule": "too_many_links", "verdict": "hold", "detail": "3 links, limit 2"}],
    )

    response = moderating.get(QUEUE_URL)

    content = response.content.decode()
    for shown in (
        "Iron and restless legs",
        "Low ferritin made my symptoms worse every evening.",
        "Wilhelmina Ekbom",
        "wilhelmina@example.org",
        '<li class="mq-chip mq-chip-hold">3 links, limit 2</li>',
    ):
        assert shown in content


def test_queue_filters_by_article(moderating):
    wanted, other = ArticleFactory(), ArticleFactory()
    kept = CommentFactory(article=wanted, status=Comment.Status.PENDING)
    CommentFactory(article=other, status=Comment.Status.PENDING)

    response = moderating.get(QUEUE_URL, {"article": wanted.pk})

    assert listed(response) == [kept]


@pytest.mark.parametrize(
    ("field", "value", "query"),
    [
        ("name", "Zebulon Quillfeather", "quillfeather"),
        ("email", "zq.unique@example.net", "zq.unique@example.net"),
        ("body", "Magnesium at bedtime helped with the twitching.", "magnesium"),
        ("ip_address", "203.0.113.77", "203.0.113.77"),
    ],
)
def test_queue_search_finds_comment_by(moderating, field, value, query):
    target = CommentFactory(status=Comment.Status.PENDING, **{field: value})
    CommentFactory.create_batch(3, status=Comment.Status.PENDING)

    response = moderating.get(QUEUE_URL, {"q": query})

    assert listed(response) == [target]


def test_admin_index_shows_pending_count_linking_to_queue(moderating):
    CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    CommentFactory.create_batch(2, status=Comment.Status.APPROVED)

    response = moderating.get(INDEX_URL)

    assert response.status_code == 200
    summary = re.search(
        r'<div class="module" id="moderation-queue-summary">(.*?)</div>',
        response.content.decode(),
        re.DOTALL,
    )
    assert summary is not None
    assert f'href="{QUEUE_URL}"' in summary.group(1)
    assert "3 pending comments" in summary.group(1)


def test_admin_index_hides_pending_count_from_staff_without_comment_permissions(client, staff_user):
    CommentFactory(status=Comment.Status.PENDING)
    client.force_login(staff_user)

    response = client.get(INDEX_URL)

    assert response.status_code == 200
    assert "moderation-queue-summary" not in response.content.decode()


# All comments -------------------------------------------------------------------


def test_comments_changelist_lists_every_status(moderating):
    comments = [CommentFactory(status=status) for status in Comment.Status.values]

    assert set(listed(moderating.get(COMMENTS_URL))) == set(comments)


def test_comments_changelist_filters_by_status(moderating):
    spam = CommentFactory(status=Comment.Status.SPAM)
    CommentFactory(status=Comment.Status.APPROVED)
    CommentFactory(status=Comment.Status.PENDING)

    response = moderating.get(COMMENTS_URL, {"status__exact": Comment.Status.SPAM})

    assert listed(response) == [spam]


# Bulk actions ---------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "mark_spam", "remove"])
def test_queue_action_changes_status(moderating, action):
    chosen = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    untouched = CommentFactory(status=Comment.Status.PENDING)

    response = run_action(moderating, QUEUE_URL, action, chosen)

    assert response.status_code == 302
    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == STATUS_OF_ADMIN_ACTION[action]
    untouched.refresh_from_db()
    assert untouched.status == Comment.Status.PENDING


@pytest.mark.parametrize("action", ["approve", "mark_spam", "remove"])
def test_queue_action_records_moderator_and_time(moderating, moderator, action):
    comment = CommentFactory(status=Comment.Status.PENDING)
    before = timezone.now()

    run_action(moderating, QUEUE_URL, action, [comment])

    comment.refresh_from_db()
    assert comment.moderated_by == moderator
    assert before <= comment.moderated_at <= timezone.now()


def test_erase_personal_data_action_anonymises_comment(moderating):
    comment = CommentFactory(
        status=Comment.Status.PENDING,
        name="Karl-Axel Ekbom",
        email="karl@example.org",
        website="https://ekbom.example.org/",
        ip_address="198.51.100.23",
        user_agent="Mozilla/5.0 (private)",
        body="My legs ache at night.",
    )

    response = run_action(moderating, QUEUE_URL, "erase_personal_data", [comment])

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.name == "Anonymous"
    assert comment.email == ""
    assert comment.website == ""
    assert comment.ip_address is None
    assert comment.user_agent == ""
    assert comment.body == "My legs ache at night."


def test_moderator_is_offered_every_action(moderating):
    CommentFactory(status=Comment.Status.PENDING)

    assert offered_actions(moderating.get(QUEUE_URL)) >= set(ACTIONS)


# Who may change a status ------------------------------------------------------------


@pytest.mark.parametrize("url", [QUEUE_URL, COMMENTS_URL], ids=["queue", "comments"])
def test_actions_not_offered_without_moderate_permission(editing, url):
    CommentFactory(status=Comment.Status.PENDING)

    response = editing.get(url)

    assert response.status_code == 200
    assert offered_actions(response).isdisjoint(ACTIONS)


@pytest.mark.parametrize("url", [QUEUE_URL, COMMENTS_URL], ids=["queue", "comments"])
@pytest.mark.parametrize("action", ACTIONS)
def test_action_post_without_moderate_permission_changes_nothing(editing, url, action):
    comment = CommentFactory(status=Comment.Status.PENDING, name="Still Here")

    run_action(editing, url, action, [comment])

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.name == "Still Here"
    assert comment.moderated_by is None
    assert comment.moderated_at is None


def test_action_post_by_non_staff_user_changes_nothing(client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="pw")
    reader.user_permissions.set(
        Permission.objects.filter(content_type__app_label="comments")
    )  # permissions without staff status open no admin page
    client.force_login(reader)
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = run_action(client, QUEUE_URL, "approve", [comment])

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_status_is_read_only_on_change_form_without_moderate_permission(editing):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = editing.get(change_url(comment))

    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields
    assert "name" in response.context["adminform"].form.fields


def test_change_form_post_without_moderate_permission_leaves_status(editing):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = editing.post(
        change_url(comment), change_form_data(comment, status=Comment.Status.APPROVED)
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_by is None


def test_status_is_editable_on_change_form_for_moderator(moderating):
    comment = CommentFactory(status=Comment.Status.PENDING)

    response = moderating.get(change_url(comment))

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.fields


def test_moderator_changing_status_on_change_form_records_moderator_and_time(moderating, moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    before = timezone.now()

    response = moderating.post(
        change_url(comment), change_form_data(comment, status=Comment.Status.APPROVED)
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == moderator
    assert before <= comment.moderated_at <= timezone.now()


# Query counts -------------------------------------------------------------------------


def queue_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE_URL)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_queue_page_query_count_does_not_grow_with_pending_comments(moderating):
    articles = ArticleFactory.create_batch(3)
    for n in range(5):
        CommentFactory(article=articles[n % 3], status=Comment.Status.PENDING)
    moderating.get(QUEUE_URL)  # warm up: content types, permissions caches, templates
    few = queue_page_queries(moderating)

    for n in range(195):
        CommentFactory(article=articles[n % 3], status=Comment.Status.PENDING)
    many = queue_page_queries(moderating)

    assert Comment.objects.pending().count() == 200
    assert few == many == QUEUE_PAGE_QUERIES


@pytest.mark.parametrize(
    "query", [{"tab": "everything"}, {"after": "x"}, {"article": "1; drop"}, {"after": "-1"}]
)
def test_a_page_of_the_queue_that_cannot_exist_leads_back_with_an_error(moderating, query):
    response = moderating.get(QUEUE_URL, query, follow=True)
    assert response.redirect_chain == [(f"{QUEUE_URL}?tab=pending", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "That page of the moderation queue does not exist."
    ]
