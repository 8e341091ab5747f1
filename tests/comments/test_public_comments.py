"""What anyone can read: approved comments, and the comment counts of the article API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

PUBLIC_KEYS = {"id", "parent", "depth", "name", "website", "body_html", "submitted_at", "staff"}
LINK_REL = 'rel="nofollow ugc noopener"'


@pytest.fixture
def article():
    return ArticleFactory()


def comments_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


def detail_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/"


def listed_ids(client, article, **params) -> list[int]:
    response = client.get(comments_url(article), params)
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


def submit(client, article, address: str = "198.51.100.1") -> int:
    """POST a valid comment as a new reader; returns its id."""
    response = client.post(
        comments_url(article),
        {"name": "Ada", "email": "ada@example.org", "body": "Thank you for this."},
        format="json",
        REMOTE_ADDR=address,
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    return response.json()["id"]


def body_html_of(client, article, body: str) -> str:
    """Store ``body`` as an approved comment and read its body_html through the API."""
    CommentFactory(article=article, body=body)
    return client.get(comments_url(article)).json()["results"][0]["body_html"]


# From submission to publication.


def test_pending_comment_is_not_public(api_client, article):
    submit(api_client, article)
    assert listed_ids(api_client, article) == []


def test_comment_approved_through_the_admin_action_is_listed(
    api_client, client, moderator, article
):
    comment_id = submit(api_client, article)
    client.force_login(moderator)
    response = client.post(
        "/admin/comments/comment/", {"action": "approve", "_selected_action": [comment_id]}
    )
    assert response.status_code == 302
    assert listed_ids(api_client, article) == [comment_id]


def test_comment_approved_through_the_moderation_queue_action_is_listed(
    api_client, client, moderator, article
):
    comment_id = submit(api_client, article)
    client.force_login(moderator)
    client.post(
        "/admin/comments/pendingcomment/", {"action": "approve", "_selected_action": [comment_id]}
    )
    assert listed_ids(api_client, article) == [comment_id]


def test_comment_approved_through_the_staff_api_is_listed(api_client, moderator, article):
    comment_id = submit(api_client, article)
    api_client.force_authenticate(moderator)
    response = api_client.post(f"/api/v1/moderation/comments/{comment_id}/approve/")
    assert response.status_code == 200
    api_client.force_authenticate(None)
    assert listed_ids(api_client, article) == [comment_id]


def test_comment_approved_through_the_staff_api_with_a_session_is_listed(
    api_client, moderator, article
):
    comment_id = submit(api_client, article)
    api_client.force_login(moderator)
    assert api_client.post(f"/api/v1/moderation/comments/{comment_id}/approve/").status_code == 200
    api_client.logout()
    assert listed_ids(api_client, article) == [comment_id]


def test_comment_approved_in_bulk_through_the_staff_api_is_listed(api_client, moderator, article):
    comment_id = submit(api_client, article)
    api_client.force_authenticate(moderator)
    api_client.post(
        "/api/v1/moderation/comments/bulk/",
        {"ids": [comment_id], "action": "approve"},
        format="json",
    )
    api_client.force_authenticate(None)
    assert listed_ids(api_client, article) == [comment_id]


# The public list.


def test_public_list_shows_an_approved_comment(api_client, article):
    comment = CommentFactory(article=article)
    assert listed_ids(api_client, article) == [comment.pk]


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]
)
def test_public_list_leaves_out_unapproved_comments(api_client, article, status):
    approved = CommentFactory(article=article)
    CommentFactory(article=article, status=status)
    assert listed_ids(api_client, article) == [approved.pk]


def test_public_list_leaves_out_comments_of_other_articles(api_client, article):
    CommentFactory(article=ArticleFactory())
    assert listed_ids(api_client, article) == []


def test_public_list_is_oldest_first(api_client, article):
    now = timezone.now()
    middle = CommentFactory(article=article, submitted_at=now - dt.timedelta(hours=2))
    newest = CommentFactory(article=article, submitted_at=now - dt.timedelta(hours=1))
    oldest = CommentFactory(article=article, submitted_at=now - dt.timedelta(hours=3))
    assert listed_ids(api_client, article) == [oldest.pk, middle.pk, newest.pk]


def test_public_list_orders_comments_of_the_same_time_by_id(api_client, article):
    moment = timezone.now() - dt.timedelta(hours=1)
    comments = CommentFactory.create_batch(3, article=article, submitted_at=moment)
    assert listed_ids(api_client, article) == [comment.pk for comment in comments]


def test_public_comment_has_exactly_the_public_fields(api_client, article):
    CommentFactory(article=article, website="https://ada.example.org/")
    item = api_client.get(comments_url(article)).json()["results"][0]
    assert set(item) == PUBLIC_KEYS


def test_public_comment_shows_name_and_website(api_client, article):
    CommentFactory(article=article, name="Ada Reader", website="https://ada.example.org/")
    item = api_client.get(comments_url(article)).json()["results"][0]
    assert (item["name"], item["website"]) == ("Ada Reader", "https://ada.example.org/")


def test_top_level_comment_has_a_null_parent(api_client, article):
    CommentFactory(article=article)
    assert api_client.get(comments_url(article)).json()["results"][0]["parent"] is None


def test_public_list_answers_a_page_with_a_next_link(api_client, article):
    CommentFactory.create_batch(3, article=article)
    data = api_client.get(comments_url(article), {"page_size": 2}).json()
    assert len(data["results"]) == 2
    assert data["next"].startswith(f"{comments_url(article)}?")


def test_public_list_next_link_is_under_the_configured_base_url(api_client, article, settings):
    settings.RLS_ARTICLES = {"BASE_URL": "https://cms.example.org/"}
    CommentFactory.create_batch(3, article=article)
    data = api_client.get(comments_url(article), {"page_size": 2}).json()
    assert data["next"].startswith(f"https://cms.example.org{comments_url(article)}?")


def test_public_list_next_link_leads_to_the_rest(api_client, article):
    comments = CommentFactory.create_batch(3, article=article)
    first = api_client.get(comments_url(article), {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()
    assert [item["id"] for item in first["results"] + second["results"]] == [
        comment.pk for comment in comments
    ]
    assert second["next"] is None


def test_paging_through_comments_of_the_same_time_lists_each_once(api_client, article):
    moment = timezone.now() - dt.timedelta(hours=1)
    comments = CommentFactory.create_batch(5, article=article, submitted_at=moment)
    seen, url, params = [], comments_url(article), {"page_size": 2}
    while url:
        data = api_client.get(url, params).json()
        seen += [item["id"] for item in data["results"]]
        url, params = data["next"], None
    assert seen == [comment.pk for comment in comments]


def test_public_list_has_no_next_link_when_everything_fits(api_client, article):
    CommentFactory.create_batch(2, article=article)
    assert api_client.get(comments_url(article)).json()["next"] is None


def test_public_list_pages_by_the_page_size_setting(api_client, article, settings):
    settings.RLS_COMMENTS = {"PAGE_SIZE": 3}
    CommentFactory.create_batch(4, article=article)
    assert len(listed_ids(api_client, article)) == 3


@pytest.mark.parametrize("page_size", ["201", "0", "-1", "ten", "2.5"])
def test_public_list_refuses_a_page_size_out_of_range(api_client, article, page_size):
    response = api_client.get(comments_url(article), {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_public_list_refuses_an_unknown_query_parameter(api_client, article):
    response = api_client.get(comments_url(article), {"status": "pending"})
    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_approved_comments_of_an_unpublished_article_are_not_reachable(api_client, trait):
    article = ArticleFactory(**{trait: True})
    CommentFactory(article=article)
    assert api_client.get(comments_url(article)).status_code == 404


def test_approved_comments_of_an_unpublished_article_are_not_in_the_public_queryset():
    comment = CommentFactory(article=ArticleFactory(draft=True))
    assert not Comment.objects.public().filter(pk=comment.pk).exists()


# body_html: escaped text, paragraphs and links, nothing else.


def test_script_in_a_body_is_escaped(api_client, article):
    html = body_html_of(api_client, article, "<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_script_in_a_body_makes_no_script_tag(api_client, article):
    html = body_html_of(api_client, article, "<script>alert(1)</script>")
    assert "<script" not in html.lower()


def test_html_attributes_in_a_body_stay_text(api_client, article):
    html = body_html_of(api_client, article, '<img src="x" onerror="alert(1)">')
    assert "<img" not in html
    assert "&lt;img" in html


def test_url_in_a_body_becomes_a_nofollow_ugc_link(api_client, article):
    html = body_html_of(api_client, article, "See https://example.org/page for more.")
    assert f'<a href="https://example.org/page" {LINK_REL}>https://example.org/page</a>' in html


def test_www_address_in_a_body_becomes_a_nofollow_ugc_link(api_client, article):
    html = body_html_of(api_client, article, "See www.example.org today.")
    assert f'<a href="http://www.example.org" {LINK_REL}>www.example.org</a>' in html


def test_javascript_url_in_a_body_is_not_a_link(api_client, article):
    html = body_html_of(api_client, article, "javascript:alert(1)")
    assert "<a" not in html


def test_blank_line_separated_text_becomes_paragraphs(api_client, article):
    html = body_html_of(api_client, article, "First thought.\n\nSecond thought.")
    assert html == "<p>First thought.</p>\n\n<p>Second thought.</p>"


def test_markdown_in_a_body_is_not_interpreted(api_client, article):
    html = body_html_of(api_client, article, "**bold** _em_ # heading")
    assert html == "<p>**bold** _em_ # heading</p>"


def test_html_tags_in_a_body_are_not_interpreted(api_client, article):
    html = body_html_of(api_client, article, "<b>bold</b> <em>em</em>")
    assert html == "<p>&lt;b&gt;bold&lt;/b&gt; &lt;em&gt;em&lt;/em&gt;</p>"


def test_body_html_holds_no_tags_but_paragraphs_breaks_and_links(api_client, article):
    html = body_html_of(
        api_client,
        article,
        "<h1>x</h1> <iframe src=https://e.org></iframe>\n**y** https://e.org\nline\n\npara",
    )
    assert set(re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", html)) <= {"p", "br", "a"}


# The article API: comment_count and comments {count, open, url}.


def list_item(client, article) -> dict:
    results = client.get("/api/v1/articles/", {"page_size": 100}).json()["results"]
    return next(item for item in results if item["slug"] == article.slug)


def comments_of_every_status(article) -> None:
    """Two approved comments, and one each pending, spam and removed."""
    CommentFactory.create_batch(2, article=article)
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED):
        CommentFactory(article=article, status=status)


def test_article_list_item_counts_approved_comments_only(api_client, article):
    comments_of_every_status(article)
    assert list_item(api_client, article)["comment_count"] == 2


def test_article_list_item_without_comments_counts_zero(api_client, article):
    assert list_item(api_client, article)["comment_count"] == 0


def test_article_list_counts_each_article_s_own_comments(api_client, article):
    other = ArticleFactory()
    CommentFactory.create_batch(3, article=other)
    CommentFactory(article=article)
    assert (
        list_item(api_client, article)["comment_count"],
        list_item(api_client, other)["comment_count"],
    ) == (1, 3)


def test_article_detail_has_comments_count_open_and_url(api_client, article):
    comments = api_client.get(detail_url(article)).json()["comments"]
    assert set(comments) == {"count", "open", "closes_at", "url"}


def test_article_detail_counts_approved_comments_only(api_client, article):
    comments_of_every_status(article)
    assert api_client.get(detail_url(article)).json()["comments"]["count"] == 2


def test_article_detail_comments_url_is_the_comments_list_path(api_client, article):
    # One stored document serves every host name: links are paths by default.
    url = api_client.get(detail_url(article)).json()["comments"]["url"]
    assert url == comments_url(article)


def test_article_detail_comments_url_is_under_the_configured_base_url(
    api_client, article, settings
):
    settings.RLS_ARTICLES = {"BASE_URL": "https://cms.example.org"}
    url = api_client.get(detail_url(article)).json()["comments"]["url"]
    assert url == f"https://cms.example.org{comments_url(article)}"


def test_article_detail_comments_url_answers_the_comments(api_client, article):
    comment = CommentFactory(article=article)
    url = api_client.get(detail_url(article)).json()["comments"]["url"]
    assert [item["id"] for item in api_client.get(url).json()["results"]] == [comment.pk]


def test_article_detail_comments_are_open_by_default(api_client, article):
    assert api_client.get(detail_url(article)).json()["comments"]["open"] is True


def test_article_detail_comments_are_closed_when_disabled(api_client):
    article = ArticleFactory(comments_enabled=False)
    assert api_client.get(detail_url(article)).json()["comments"]["open"] is False


def test_article_detail_comments_are_closed_after_the_configured_days(api_client, settings):
    settings.RLS_COMMENTS = {"CLOSE_AFTER_DAYS": 7}
    article = ArticleFactory(published_at=timezone.now() - dt.timedelta(days=8))
    assert api_client.get(detail_url(article)).json()["comments"]["open"] is False


def test_the_form_says_how_deep_replies_nest_and_each_comment_its_depth(api_client, settings):
    settings.RLS_COMMENTS = {"MAX_DEPTH": 3}
    article = ArticleFactory()
    top = CommentFactory(article=article, status=Comment.Status.APPROVED)
    CommentFactory(article=article, parent=top, status=Comment.Status.APPROVED)
    url = f"/api/v1/articles/{article.slug}/comments/"

    form = api_client.options(url).json()["actions"]["POST"]
    listed = api_client.get(url).json()["results"]

    assert form["parent"]["max_depth"] == 3
    assert [(c["parent"], c["depth"]) for c in listed] == [(None, 1), (top.pk, 2)]
