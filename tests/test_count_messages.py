"""Messages that count things read as English for one and for many (ngettext), and
change messages carry one closing full stop."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.admin_forms import resubmit
from tests.factories import ArticleFactory, CommentFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:comments_pendingcomment_changelist")


@pytest.fixture
def moderating(client, moderator):
    client.force_login(moderator)
    return client


def messages_after(client) -> list[str]:
    return [str(m) for m in client.get(QUEUE_URL).context["messages"]]


@pytest.mark.parametrize(
    ("action", "one", "two"),
    [
        ("approve", "Approved 1 comment.", "Approved 2 comments."),
        ("mark_spam", "Marked 1 comment as spam.", "Marked 2 comments as spam."),
        ("remove", "Removed 1 comment.", "Removed 2 comments."),
    ],
)
def test_moderation_actions_count_in_english(moderating, action, one, two):
    for expected, size in ((one, 1), (two, 2)):
        comments = CommentFactory.create_batch(size, status=Comment.Status.PENDING)
        data = {"action": action, "_selected_action": [c.pk for c in comments], "index": 0}
        moderating.post(QUEUE_URL, data)
        assert messages_after(moderating) == [expected]


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue().strip()


def test_commands_count_in_english():
    old = timezone.now() - dt.timedelta(days=3)
    CommentFactory(status=Comment.Status.SPAM, submitted_at=old)
    assert run("purge_spam", "--older-than", "1") == "Deleted 1 spam comment older than 1 day."
    assert run("purge_spam", "--older-than", "2") == "Deleted 0 spam comments older than 2 days."
    CommentFactory(email="ada@example.org")
    assert run("erase_commenter_data", "ada@example.org") == (
        "Erased the personal data of 1 comment."
    )
    assert run("notify_moderators") in {
        "Moderators told of 0 pending comments.",
        "Moderators told of 1 pending comment.",
    }


def test_the_import_counts_in_english(tmp_path, media_root):
    path = tmp_path / "one.md"
    path.write_text(
        "---\ntitle: One\nslug: one\n---\nIntro.\n\n## Only section\n\nText.\n",
        encoding="utf-8",
    )
    assert run("import_article", str(path)) == (
        "Created 'one' (draft): 1 section, 0 images, 0 references."
    )


def test_a_change_message_naming_a_reference_has_one_full_stop(client, staff_user):
    article = ArticleFactory(slug="iron")
    ReferenceFactory(
        article=article, title="Iron and sleep", source="Sleep Medicine", year=2019, position=1
    )
    client.force_login(staff_user)
    url = f"/admin/articles/article/{article.pk}/change/"
    resubmit(client, url, **{"references-0-title": "Iron, ferritin and sleep"})
    message = LogEntry.objects.latest("pk").get_change_message()
    assert message.startswith("Changed Title for reference “")
    assert message.endswith("”.") and ".”." not in message
