"""The personal-data commands: export, erase, and purging old spam."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

EMAIL = "zelda.quackenbush@example.net"
NAME = "Zelda Quackenbush"
WEBSITE = "https://zelda-quackenbush.example/"
IP = "203.0.113.177"
USER_AGENT = "QuackBrowser/9.7 (zelda-unique-agent)"


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def zelda_comment(**fields) -> Comment:
    values = {
        "name": NAME,
        "email": EMAIL,
        "website": WEBSITE,
        "ip_address": IP,
        "user_agent": USER_AGENT,
        "moderation_reason": f"Contains the disallowed term {IP!r} (ip address).",
    }
    return CommentFactory(**{**values, **fields})


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def exported_ids(output: str) -> set[int]:
    return {comment["id"] for comment in json.loads(output)["comments"]}


# export_commenter_data


def test_export_lists_every_comment_of_the_email_across_articles():
    first = zelda_comment(article=ArticleFactory())
    second = zelda_comment(article=ArticleFactory(), status=Comment.Status.PENDING)
    assert exported_ids(run("export_commenter_data", EMAIL)) == {first.pk, second.pk}


def test_export_includes_the_private_fields():
    zelda_comment()
    (exported,) = json.loads(run("export_commenter_data", EMAIL))["comments"]
    assert (exported["email"], exported["ip_address"], exported["user_agent"]) == (
        EMAIL,
        IP,
        USER_AGENT,
    )


def test_export_matches_the_email_whatever_its_case():
    comment = zelda_comment()
    assert exported_ids(run("export_commenter_data", EMAIL.upper())) == {comment.pk}


def test_export_leaves_out_other_commenters():
    mine = zelda_comment()
    CommentFactory(article=mine.article, email="someone.else@example.org")
    assert exported_ids(run("export_commenter_data", EMAIL)) == {mine.pk}


def test_export_of_an_unknown_email_is_an_empty_list():
    CommentFactory()
    assert json.loads(run("export_commenter_data", "nobody@example.org"))["comments"] == []


# erase_commenter_data


def test_erase_prints_how_many_comments():
    zelda_comment()
    zelda_comment()
    zelda_comment(article=ArticleFactory())
    CommentFactory()
    assert re.search(r"\b3\b", run("erase_commenter_data", EMAIL))


def test_erase_anonymises_the_rows():
    comment = zelda_comment()
    run("erase_commenter_data", EMAIL)
    comment.refresh_from_db()
    assert (
        comment.name,
        comment.email,
        comment.website,
        comment.ip_address,
        comment.user_agent,
        comment.moderation_reason,
    ) == ("Anonymous", "", "", None, "", "")


def test_erase_keeps_the_body():
    comment = zelda_comment(body="My legs twitch at night.")
    run("erase_commenter_data", EMAIL)
    comment.refresh_from_db()
    assert comment.body == "My legs twitch at night."
    assert "My legs twitch at night." in comment.body_html


def test_erase_keeps_the_status():
    comment = zelda_comment(status=Comment.Status.APPROVED)
    run("erase_commenter_data", EMAIL)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_erase_matches_the_email_whatever_its_case():
    comment = zelda_comment()
    run("erase_commenter_data", EMAIL.upper())
    comment.refresh_from_db()
    assert comment.name == "Anonymous"


def test_erase_leaves_no_trace_in_the_comments_table():
    zelda_comment(article=ArticleFactory(), status=Comment.Status.APPROVED)
    zelda_comment(article=ArticleFactory(), status=Comment.Status.PENDING)
    zelda_comment(article=ArticleFactory(), status=Comment.Status.SPAM)
    CommentFactory()
    run("erase_commenter_data", EMAIL)
    table = " ".join(str(value) for row in Comment.objects.values() for value in row.values())
    for secret in (EMAIL, NAME, WEBSITE, IP, USER_AGENT):
        assert secret.lower() not in table.lower(), secret


def test_erase_leaves_other_commenters_untouched():
    mine = zelda_comment()
    other = CommentFactory(
        article=mine.article,
        name="Grace Hopper",
        email="grace@example.org",
        website="https://grace.example/",
        moderation_reason="Held for a reason.",
    )
    before = Comment.objects.filter(pk=other.pk).values().get()
    run("erase_commenter_data", EMAIL)
    assert Comment.objects.filter(pk=other.pk).values().get() == before


def test_erase_of_an_unknown_email_changes_nothing():
    CommentFactory()
    before = list(Comment.objects.values())
    output = run("erase_commenter_data", "nobody@example.org")
    assert re.search(r"\b0\b", output)
    assert list(Comment.objects.values()) == before


# purge_spam


def test_purge_deletes_spam_older_than_the_days():
    old_spam = CommentFactory(status=Comment.Status.SPAM, submitted_at=days_ago(31))
    run("purge_spam", "--older-than", "30")
    assert not Comment.objects.filter(pk=old_spam.pk).exists()


def test_purge_keeps_newer_spam():
    new_spam = CommentFactory(status=Comment.Status.SPAM, submitted_at=days_ago(29))
    run("purge_spam", "--older-than", "30")
    assert Comment.objects.filter(pk=new_spam.pk).exists()


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.APPROVED, Comment.Status.REMOVED]
)
def test_purge_keeps_old_comments_that_are_not_spam(status):
    comment = CommentFactory(status=status, submitted_at=days_ago(90))
    run("purge_spam", "--older-than", "30")
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_purge_keeps_approved_replies_of_old_spam():
    # An approved comment, answered, then marked spam: the answer is not spam.
    parent = CommentFactory(submitted_at=days_ago(60))
    reply = CommentFactory(article=parent.article, parent=parent, submitted_at=days_ago(59))
    Comment.objects.filter(pk=parent.pk).update(status=Comment.Status.SPAM)
    run("purge_spam", "--older-than", "30")
    assert Comment.objects.filter(pk=reply.pk).exists()


def test_purge_prints_how_many():
    for _ in range(2):
        CommentFactory(status=Comment.Status.SPAM, submitted_at=days_ago(31))
    CommentFactory(status=Comment.Status.SPAM, submitted_at=days_ago(1))
    assert re.search(r"\b2\b", run("purge_spam", "--older-than", "30"))


def test_purge_with_zero_days_deletes_all_spam():
    CommentFactory(status=Comment.Status.SPAM, submitted_at=days_ago(0.01))
    run("purge_spam", "--older-than", "0")
    assert not Comment.objects.filter(status=Comment.Status.SPAM).exists()


def test_purge_without_older_than_is_an_error():
    with pytest.raises((CommandError, SystemExit)):
        run("purge_spam")


@pytest.mark.parametrize("days", ["-1", "thirty", "1.5"])
def test_purge_with_bad_older_than_is_an_error(days):
    CommentFactory(status=Comment.Status.SPAM, submitted_at=days_ago(31))
    with pytest.raises((CommandError, SystemExit)):
        run("purge_spam", "--older-than", days)
    assert Comment.objects.count() == 1
