"""The comment form: POST /api/v1/articles/{slug}/comments/ and its OPTIONS description.

Every POST comes from its own client address (the ``post`` fixture), so the
flood rule and the scoped throttle never decide a test that is not about them.
"""

from __future__ import annotations

import itertools

import pytest

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

MISSING = object()
PENDING_MESSAGE = "Your comment is awaiting moderation."


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def post(api_client):
    """POST a form as JSON, each call from a client address of its own."""
    addresses = (f"198.51.100.{n}" for n in itertools.count(1))

    def _post(article, form):
        return api_client.post(
            comments_url(article), form, format="json", REMOTE_ADDR=next(addresses)
        )

    return _post


def comments_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


def valid_form(**overrides) -> dict:
    """A form that passes every check; ``MISSING`` leaves a field out."""
    form = {
        "name": "Ada Reader",
        "email": "ada@example.org",
        "website": "https://ada.example.org/",
        "body": "A thoughtful comment.",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not MISSING}


def error_codes(response, field: str) -> list[str]:
    return [error.code for error in response.data[field]]


def email_of_length(length: int) -> str:
    """A valid address of exactly ``length`` characters (local part 64, labels <= 63)."""
    local, label = "r" * 64, "d" * 63
    last = "e" * (length - len(local) - 1 - 2 * (len(label) + 1) - len(".org"))
    address = f"{local}@{label}.{label}.{last}.org"
    assert len(address) == length
    return address


def website_of_length(length: int) -> str:
    prefix = "https://example.org/"
    return prefix + "p" * (length - len(prefix))


# (test id, form overrides, field named in the answer, error code)
INVALID_FORMS = [
    *(
        (f"{field}-{how}", {field: value}, field, code)
        for field in ("name", "email", "body")
        for how, value, code in (
            ("missing", MISSING, "required"),
            ("empty", "", "blank"),
            ("white-space-only", " \t\n  ", "blank"),
        )
    ),
    ("email-invalid", {"email": "not-an-email"}, "email", "invalid"),
    ("email-two-ats", {"email": "ada@@example.org"}, "email", "invalid"),
    ("website-javascript", {"website": "javascript:alert(1)"}, "website", "invalid"),
    ("website-ftp", {"website": "ftp://example.org/file"}, "website", "invalid"),
    ("name-101", {"name": "n" * 101}, "name", "max_length"),
    ("email-255", {"email": email_of_length(255)}, "email", "max_length"),
    ("website-201", {"website": website_of_length(201)}, "website", "max_length"),
    ("body-5001", {"body": "b" * 5001}, "body", "max_length"),
    # A NUL cannot be stored in PostgreSQL text: refused, never a 500.
    ("name-null-character", {"name": "Ada\x00"}, "name", "null_characters_not_allowed"),
    ("body-null-character", {"body": "x\x00y"}, "body", "null_characters_not_allowed"),
]


# Invalid input: 400 naming the field, nothing stored.


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [case[1:] for case in INVALID_FORMS],
    ids=[case[0] for case in INVALID_FORMS],
)
def test_invalid_field_is_400_naming_that_field(post, article, overrides, field, code):
    response = post(article, valid_form(**overrides))
    assert response.status_code == 400
    assert field in response.json()
    assert code in error_codes(response, field)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [case[1:3] for case in INVALID_FORMS],
    ids=[case[0] for case in INVALID_FORMS],
)
def test_invalid_field_names_no_other_field(post, article, overrides, field):
    response = post(article, valid_form(**overrides))
    assert set(response.json()) == {field}


@pytest.mark.parametrize(
    "overrides", [case[1] for case in INVALID_FORMS], ids=[case[0] for case in INVALID_FORMS]
)
def test_invalid_form_stores_nothing(post, article, overrides):
    CommentFactory(article=article)
    before = Comment.objects.count()
    post(article, valid_form(**overrides))
    assert Comment.objects.count() == before


def test_lone_surrogate_in_the_body_is_400_naming_body(api_client, article):
    # Valid JSON, but not encodable as UTF-8: refused, never a 500 from the database.
    raw = b'{"name": "Ada", "email": "ada@example.org", "body": "x\\ud800y"}'
    response = api_client.generic(
        "POST", comments_url(article), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert error_codes(response, "body") == ["surrogate_characters_not_allowed"]
    assert Comment.objects.count() == 0


def test_website_may_be_left_out(post, article):
    response = post(article, valid_form(website=MISSING))
    assert response.status_code == 201
    assert Comment.objects.get().website == ""


def test_website_may_be_blank(post, article):
    response = post(article, valid_form(website=""))
    assert response.status_code == 201
    assert Comment.objects.get().website == ""


def test_http_website_is_accepted(post, article):
    response = post(article, valid_form(website="http://ada.example.org/"))
    assert response.status_code == 201


# Trimming and limits.


@pytest.mark.parametrize(
    ("field", "sent", "stored"),
    [
        ("name", "  Ada Reader \t", "Ada Reader"),
        ("email", "  ada@example.org\n", "ada@example.org"),
        ("website", " https://ada.example.org/  ", "https://ada.example.org/"),
        ("body", "\n\n  A thoughtful comment.  \n", "A thoughtful comment."),
    ],
)
def test_surrounding_white_space_is_trimmed_before_storing(post, article, field, sent, stored):
    response = post(article, valid_form(**{field: sent}))
    assert response.status_code == 201
    assert getattr(Comment.objects.get(), field) == stored


def test_inner_white_space_of_the_body_is_kept(post, article):
    post(article, valid_form(body="First paragraph.\n\nSecond  paragraph."))
    assert Comment.objects.get().body == "First paragraph.\n\nSecond  paragraph."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "n" * 100),
        ("email", email_of_length(254)),
        ("website", website_of_length(200)),
        ("body", "b" * 5000),
    ],
    ids=["name-100", "email-254", "website-200", "body-5000"],
)
def test_value_of_exactly_the_maximum_length_is_accepted_and_stored_whole(
    post, article, field, value
):
    response = post(article, valid_form(**{field: value}))
    assert response.status_code == 201
    assert getattr(Comment.objects.get(), field) == value


def test_length_limit_counts_the_trimmed_body(post, article):
    response = post(article, valid_form(body="  " + "b" * 5000 + "  "))
    assert response.status_code == 201


# Which article.


def test_post_to_an_unknown_article_is_404(post):
    response = post(ArticleFactory.build(slug="no-such-article"), valid_form())
    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_get_of_an_unknown_article_is_404(api_client):
    assert api_client.get("/api/v1/articles/no-such-article/comments/").status_code == 404


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_post_to_an_unpublished_article_is_404_and_stores_nothing(post, trait):
    article = ArticleFactory(**{trait: True})
    response = post(article, valid_form())
    assert response.status_code == 404
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_get_of_an_unpublished_article_is_404(api_client, trait):
    article = ArticleFactory(**{trait: True})
    CommentFactory(article=article)
    assert api_client.get(comments_url(article)).status_code == 404


def test_post_to_an_article_with_comments_disabled_is_403(post):
    article = ArticleFactory(comments_enabled=False)
    response = post(article, valid_form())
    assert response.status_code == 403
    assert response.json()["code"] == "comments_closed"
    assert Comment.objects.count() == 0


# A valid submission.


def test_valid_post_is_201_with_id_status_and_message_only(post, article):
    response = post(article, valid_form())
    assert response.status_code == 201
    assert set(response.json()) == {"id", "status", "message"}


def test_valid_post_is_pending_with_the_awaiting_moderation_message(post, article):
    data = post(article, valid_form()).json()
    assert data["status"] == "pending"
    assert data["message"] == PENDING_MESSAGE


def test_valid_post_stores_a_pending_comment_under_the_answered_id(post, article):
    data = post(article, valid_form()).json()
    comment = Comment.objects.get()
    assert (comment.pk, comment.status, comment.article) == (
        data["id"],
        Comment.Status.PENDING,
        article,
    )


def test_valid_post_does_not_echo_the_email(post, article):
    response = post(article, valid_form(email="echo-check@example.org"))
    assert b"echo-check" not in response.content


def test_valid_post_stores_the_client_address_and_user_agent(api_client, article):
    api_client.post(
        comments_url(article),
        valid_form(),
        format="json",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="FormTest/1.0",
    )
    comment = Comment.objects.get()
    assert (comment.ip_address, comment.user_agent) == ("203.0.113.9", "FormTest/1.0")


def test_form_must_be_json(api_client, article):
    response = api_client.post(comments_url(article), valid_form(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 415
    assert Comment.objects.count() == 0


# Replies.


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.SPAM])
def test_reply_to_an_unapproved_comment_is_400_naming_parent(post, article, status):
    parent = CommentFactory(article=article, status=status)
    response = post(article, valid_form(parent=parent.pk))
    assert response.status_code == 400
    assert error_codes(response, "parent") == ["invalid_parent"]


def test_reply_to_a_removed_comment_is_400_naming_parent(post, article):
    parent = CommentFactory(article=article, status=Comment.Status.REMOVED)
    response = post(article, valid_form(parent=parent.pk))
    assert error_codes(response, "parent") == ["invalid_parent"]


def test_reply_to_a_comment_of_another_article_is_400_naming_parent(post, article):
    parent = CommentFactory(article=ArticleFactory())
    response = post(article, valid_form(parent=parent.pk))
    assert response.status_code == 400
    assert error_codes(response, "parent") == ["invalid_parent"]


def test_reply_to_a_nonexistent_comment_is_400_naming_parent(post, article):
    response = post(article, valid_form(parent=999_999))
    assert response.status_code == 400
    assert error_codes(response, "parent") == ["invalid_parent"]


def test_parent_that_is_not_a_number_is_400_naming_parent(post, article):
    response = post(article, valid_form(parent="first"))
    assert response.status_code == 400
    assert error_codes(response, "parent") == ["invalid"]


@pytest.mark.parametrize("parent_status", [Comment.Status.PENDING, "other-article", "nonexistent"])
def test_invalid_reply_stores_nothing(post, article, parent_status):
    if parent_status == "nonexistent":
        parent_id = 999_999
    elif parent_status == "other-article":
        parent_id = CommentFactory(article=ArticleFactory()).pk
    else:
        parent_id = CommentFactory(article=article, status=parent_status).pk
    before = Comment.objects.count()
    post(article, valid_form(parent=parent_id))
    assert Comment.objects.count() == before


def test_reply_to_an_approved_comment_is_stored_with_its_parent(post, article):
    parent = CommentFactory(article=article)
    response = post(article, valid_form(parent=parent.pk))
    assert response.status_code == 201
    reply = Comment.objects.get(pk=response.json()["id"])
    assert (reply.parent, reply.depth) == (parent, 2)


def test_null_parent_is_a_top_level_comment(post, article):
    response = post(article, valid_form(parent=None))
    assert response.status_code == 201
    assert Comment.objects.get().parent is None


def test_approved_reply_is_listed_with_its_parent_id(api_client, post, article):
    parent = CommentFactory(article=article)
    reply_id = post(article, valid_form(parent=parent.pk)).json()["id"]
    Comment.objects.filter(pk=reply_id).update(status=Comment.Status.APPROVED)
    results = api_client.get(comments_url(article)).json()["results"]
    assert [(item["id"], item["parent"]) for item in results] == [
        (parent.pk, None),
        (reply_id, parent.pk),
    ]


def chain(article, levels: int) -> list[Comment]:
    """``levels`` approved comments, each replying to the one before."""
    comments: list[Comment] = []
    for _ in range(levels):
        comments.append(CommentFactory(article=article, parent=comments[-1] if comments else None))
    return comments


def test_reply_chain_records_the_depth_of_each_level(article):
    assert [comment.depth for comment in chain(article, 5)] == [1, 2, 3, 4, 5]


def test_reply_at_the_default_depth_limit_is_accepted(post, article):
    fourth = chain(article, 4)[-1]
    response = post(article, valid_form(parent=fourth.pk))
    assert response.status_code == 201
    assert Comment.objects.get(pk=response.json()["id"]).depth == 5


def test_reply_beyond_the_default_depth_limit_is_400_naming_parent(post, article):
    fifth = chain(article, 5)[-1]
    response = post(article, valid_form(parent=fifth.pk))
    assert response.status_code == 400
    assert error_codes(response, "parent") == ["too_deep"]


def test_reply_beyond_the_depth_limit_stores_nothing(post, article):
    fifth = chain(article, 5)[-1]
    post(article, valid_form(parent=fifth.pk))
    assert Comment.objects.count() == 5


def test_max_depth_setting_refuses_a_reply_below_its_limit(post, article, settings):
    settings.RLS_COMMENTS = {"MAX_DEPTH": 2}
    second = chain(article, 2)[-1]
    response = post(article, valid_form(parent=second.pk))
    assert response.status_code == 400
    assert error_codes(response, "parent") == ["too_deep"]


def test_max_depth_setting_accepts_a_reply_at_its_limit(post, article, settings):
    settings.RLS_COMMENTS = {"MAX_DEPTH": 2}
    first = chain(article, 1)[-1]
    response = post(article, valid_form(parent=first.pk))
    assert response.status_code == 201


def test_max_depth_of_one_refuses_every_reply(post, article, settings):
    settings.RLS_COMMENTS = {"MAX_DEPTH": 1}
    first = chain(article, 1)[-1]
    response = post(article, valid_form(parent=first.pk))
    assert error_codes(response, "parent") == ["too_deep"]


# OPTIONS: the form described for frontend authors.


@pytest.fixture
def described(api_client, article) -> dict:
    response = api_client.options(comments_url(article))
    assert response.status_code == 200
    return response.json()["actions"]["POST"]


@pytest.mark.parametrize(
    ("field", "required", "label", "max_length"),
    [
        ("name", True, "Name", 100),
        ("email", True, "Email", 254),
        ("website", False, "Website", 200),
        ("body", True, "Comment", 5000),
    ],
)
def test_options_describes_each_form_field(described, field, required, label, max_length):
    description = described[field]
    assert (description["required"], description["label"], description["max_length"]) == (
        required,
        label,
        max_length,
    )


def test_options_gives_the_email_privacy_help_text(described):
    assert described["email"]["help_text"] == "Your email address will not be published."


def test_options_describes_parent_as_optional(described):
    assert described["parent"]["required"] is False


def test_options_describes_the_honeypot_as_optional(described):
    assert described["homepage"]["required"] is False


def test_long_honeypot_value_is_answered_like_a_pending_comment(post, article):
    # A bot that fills the hidden field with a long value must learn nothing:
    # the issue wants a filled honeypot answered exactly like a pending comment.
    response = post(article, valid_form(homepage="h" * 201))
    assert response.status_code == 201
    assert response.json()["status"] == "pending"


def test_options_names_the_configured_honeypot_field(api_client, article, settings):
    settings.RLS_COMMENTS = {"HONEYPOT_FIELD": "fax_number"}
    described = api_client.options(comments_url(article)).json()["actions"]["POST"]
    assert "fax_number" in described
    assert "homepage" not in described


def test_options_describes_no_private_or_server_side_field(described):
    assert set(described) == {"name", "email", "website", "body", "parent", "homepage"}


def test_options_of_an_unpublished_article_is_404(api_client):
    article = ArticleFactory(draft=True)
    assert api_client.options(comments_url(article)).status_code == 404
