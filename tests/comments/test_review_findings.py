"""What a fresh review of the moderation work found, pinned: each test failed before its fix."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, CommentReport, DisallowedTerm
from comments.personal_data import find_personal_data
from comments.services import comment_reply
from tests.factories import ArticleFactory, CommentFactory, DisallowedTermFactory
from tests.migrations import app_back_at, flush, forward_to_latest

pytestmark = pytest.mark.django_db

_addresses = itertools.count(1)
JSON = {"Accept": "application/json"}


def post(client, article, **fields):
    n = next(_addresses)
    data = {"name": "Reader", "email": f"r{n}@example.org", "body": "Hello.", **fields}
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        data,
        format="json",
        REMOTE_ADDR=f"10.9.{n // 256 % 256}.{n % 256}",
    )


# Crisis phrases are whole words ---------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "We spend it all on insulin.",
        "The drug itself harms the liver.",
        "I don't want to diet any more.",
        "Suicide prevention charities fund this research.",
    ],
)
def test_everyday_words_that_hold_a_crisis_phrase_are_not_crisis(api_client, body):
    response = post(api_client, ArticleFactory(), body=body)
    assert "support" not in response.json()
    assert Comment.objects.get().priority == Comment.Priority.NORMAL


def test_an_admin_crisis_term_is_whole_words_too(api_client):
    DisallowedTermFactory(term="give up", action=DisallowedTerm.Action.CRISIS)
    post(api_client, ArticleFactory(), body="Never forgive up front.")
    post(api_client, ArticleFactory(), body="Some days I just want to give up.")
    assert list(Comment.objects.order_by("pk").values_list("priority", flat=True)) == [
        Comment.Priority.NORMAL,
        Comment.Priority.URGENT,
    ]


# Disguises --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "written"),
    [
        ("bitcoin", "\u0412ITCOIN"),  # a Cyrillic capital Ve, whose small letter looks like nothing
        ("tramadol", "\u0422RAMADOL"),
        ("viagra", "vi\u3164agra"),  # a Hangul filler, a letter that shows as nothing
        ("viagra", "via\u2800gra"),  # the blank Braille pattern
    ],
)
def test_capital_look_alikes_and_blank_letters_hide_no_term(api_client, term, written):
    DisallowedTermFactory(term=term, action=DisallowedTerm.Action.SPAM)
    post(api_client, ArticleFactory(), body=f"Cheap {written} here.")
    assert Comment.objects.get().status == Comment.Status.SPAM


# The term list's version is in the database -----------------------------------------------


def test_a_new_term_applies_at_once_even_with_a_cache_that_keeps_nothing(api_client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    article = ArticleFactory()
    post(api_client, article, body="Cheap pills.")  # builds the matcher with no terms
    DisallowedTermFactory(term="pills", action=DisallowedTerm.Action.SPAM)
    post(api_client, article, body="More cheap pills.")
    assert list(Comment.objects.order_by("pk").values_list("status", flat=True)) == [
        Comment.Status.PENDING,
        Comment.Status.SPAM,
    ]


# The workspace ------------------------------------------------------------------------------


def decide_url(comment):
    return reverse("admin:comments_pendingcomment_decide", args=[comment.pk])


def test_an_undo_token_cannot_be_replayed_over_a_later_decision(client, moderator, admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING)
    client.force_login(moderator)
    token = client.post(decide_url(comment), {"action": "approve"}, headers=JSON).json()["undo"]
    assert client.post(decide_url(comment), {"action": "undo", "token": token}).status_code == 302
    client.force_login(admin_user)  # another moderator approves it
    client.post(decide_url(comment), {"action": "approve"}, headers=JSON)
    client.force_login(moderator)
    replay = client.post(decide_url(comment), {"action": "undo", "token": token}, headers=JSON)
    assert replay.status_code == 400
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (Comment.Status.APPROVED, admin_user)


def test_the_next_page_follows_even_when_the_last_row_was_decided_meanwhile(
    client, moderator, monkeypatch
):
    from comments import workspace

    monkeypatch.setattr(workspace, "PAGE_SIZE", 2)
    comments = CommentFactory.create_batch(4, status=Comment.Status.PENDING)
    client.force_login(moderator)
    first = client.get(reverse("admin:comments_pendingcomment_changelist"))
    Comment.objects.filter(pk=comments[1].pk).delete()  # the page's last row
    second = client.get(first.context["next_url"])
    assert [row.comment for row in second.context["rows"]] == comments[2:]


# Staff replies -----------------------------------------------------------------------------


def test_a_staff_reply_never_shows_the_login_name_nor_keeps_an_email(django_user_model):
    staff = django_user_model.objects.create_user(
        "jsmith_admin", email="jsmith@example.org", is_staff=True
    )
    reply = comment_reply(
        parent=CommentFactory(status=Comment.Status.APPROVED), body="Thanks.", author=staff
    )
    assert (reply.name, reply.email) == ("Staff", "")


def test_a_reader_using_a_staff_replys_name_is_not_a_known_author(api_client, django_user_model):
    staff = django_user_model.objects.create_user(
        "mo", email="mo@example.org", first_name="Mo", is_staff=True
    )
    parent = CommentFactory(status=Comment.Status.APPROVED)
    comment_reply(parent=parent, body="Thanks.", author=staff)
    response = post(api_client, parent.article, name="Mo", email="", body="I am staff, trust me.")
    assert response.status_code == 400  # no email: no way in as the staff author
    vote = moderation.known_author(
        moderation.Submission(
            article=parent.article,
            name="Mo",
            email="",
            website="",
            body="x",
            parent=None,
            ip_address=None,
            user_agent="",
        )
    )
    assert vote is None


# Reports -----------------------------------------------------------------------------------


def test_the_staff_api_reported_filter_looks_at_published_comments(client, moderator, settings):
    settings.RLS_COMMENTS = {"REPORTS_TO_REVIEW": 1}
    reported = CommentFactory(status=Comment.Status.APPROVED, report_count=1)
    client.force_login(moderator)
    answer = client.get("/api/v1/moderation/comments/?reported=true").json()
    assert [item["id"] for item in answer["results"]] == [reported.pk]


def test_a_reply_to_a_comment_hidden_by_reports_is_refused(api_client, settings):
    settings.RLS_COMMENTS = {"HIDE_REPORTED": True, "REPORTS_TO_REVIEW": 1}
    hidden = CommentFactory(status=Comment.Status.APPROVED, report_count=1)
    CommentReport.objects.create(comment=hidden, reason="abuse", client_key="k")
    response = post(api_client, hidden.article, parent=hidden.pk)
    assert response.status_code == 400
    assert response.json()["parent"]


# Personal data: no false alarms ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "After 6 Months Dr Patel changed my dose.",
        "In 2019 My Dr Said to rest.",
        "Take 2 Tylenol Close to bedtime.",
        "I was born early; surgery on 12/05/2023 went well.",
        "Since 2019, about 1500 mg a day.",
    ],
)
def test_ordinary_sentences_hold_no_personal_data(text):
    assert find_personal_data(text, region="GB") == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("D.O.B. 3/4/1961", "date of birth"),
        ("3/4/1961 is my birthday", "date of birth"),
        ("Write to 10 Downing St please", "street address"),
    ],
)
def test_personal_data_is_still_found(text, kind):
    assert [found for found, _ in find_personal_data(text, region="GB")] == [kind]


# Migration 0004 -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_earlier_comments_get_their_reason_with_its_verdict():
    old = app_back_at("comments", "0003_triage_reasons_reports")
    Article = old.get_model("articles", "Article")
    Comment3 = old.get_model("comments", "Comment")
    article = Article.objects.create(title="T", slug="t-0004")
    rows = {
        "known": ("approved", "The author has an approved comment."),
        "links": ("pending", "Contains 3 links; more than 2 are held."),
        "honeypot": ("spam", "The hidden honeypot field was filled in."),
        "default": ("pending", ""),
    }
    made = {
        key: Comment3.objects.create(
            article=article, name=key, email=f"{key}@example.org", body=key, status=status,
            moderation_reason=reason,
        ).pk
        for key, (status, reason) in rows.items()
    }  # fmt: skip
    forward_to_latest()
    verdicts = {key: Comment.objects.get(pk=pk).reasons[0]["verdict"] for key, pk in made.items()}
    assert verdicts == {"known": "approve", "links": "hold", "honeypot": "spam", "default": "hold"}
    assert Comment.objects.get(pk=made["default"]).reasons[0]["rule"] == "default"
    flush()
