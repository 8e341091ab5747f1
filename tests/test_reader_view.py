"""The reader's pages, rendered on the server: complete without JavaScript.

Each page is read through the Django test client with the real database and
cache: what a browser (or a crawler that runs no script) gets is the whole
article, its head for search engines and link previews, its comments, and the
validators (ETag, Last-Modified) that let it be kept. The scripts only add the
comment form, Reply and Report.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import pytest
import time_machine
from django.urls import set_script_prefix
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from articles.conf import article_settings
from articles.models import Article
from articles.preview import preview_url
from articles.services import (
    article_mark_changed,
    article_publish_changes,
    articles_delete,
    articles_publish,
    articles_unpublish,
)
from articles.signals import Reason
from comments.conf import comment_settings
from comments.models import Comment
from comments.services import comment_save, comments_moderate
from tests.conftest import DEMO_SLUG
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ImageFactory,
    ReferenceFactory,
    SectionFactory,
    TagFactory,
)
from tests.schemaorg import validate

pytestmark = pytest.mark.django_db

DEMO_PAGE = f"/articles/{DEMO_SLUG}/"
HTML = "text/html; charset=utf-8"


# Reading pages: a small tree of the markup, as a browser's parser builds it.

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input",
    "link", "meta", "source", "track", "wbr",
}  # fmt: skip


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs) -> list[Node]:
        """Descendants (and self) with this tag, class and exact attribute values."""
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (class_ is None or class_ in node.classes)
            and all(node.attrs.get(name.replace("_", "-")) == v for name, v in attrs.items())
        ]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs) -> Node:
        found = self.find_all(tag, class_, **attrs)
        assert len(found) == 1, f"expected one {tag} {class_} {attrs}, found {found}"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def tree(response) -> Node:
    builder = TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def get_page(client, path: str, status: int = 200, **headers):
    response = client.get(path, **headers)
    assert response.status_code == status, response.content[:500]
    return response, tree(response)


def meta(doc: Node, **attrs) -> str:
    return doc.find("meta", **attrs).attrs["content"]


def json_ld_blocks(doc: Node) -> list[Node]:
    return doc.find_all("script", type="application/ld+json")


def api_detail(client, slug: str):
    response = client.get(f"/api/v1/articles/{slug}/")
    assert response.status_code == 200
    return response


def http_time(response) -> int:
    return parse_http_date(response["Last-Modified"])


# What the pages show.


@pytest.fixture
def rich_article(db):
    """An article with every part: person byline, reviewer, tags, citing sections,
    a sub-section, a figure, a reference, and comments in each state."""
    article = ArticleFactory(
        title="Iron and restless legs",
        slug="iron",
        intro="Low *iron* stores can make restless legs worse.",
        byline="Ada Lovelace",
        byline_kind=Article.BylineKind.PERSON,
        byline_url="https://ada.example.org/",
        byline_credentials="MD",
        reviewer_name="Dr Jane Doe",
        reviewer_credentials="MD, neurologist",
        last_reviewed_on=dt.date(2026, 1, 2),
        tags=[TagFactory(name="Iron", slug="iron-tag")],
    )
    cites = SectionFactory(
        article=article, heading="Why iron matters", body="Iron helps make dopamine [^1]."
    )
    SectionFactory(article=article, heading="Ferritin tests", level=3, body="A blood test.")
    ReferenceFactory(
        article=article,
        title="Iron in RLS",
        doi="10.1016/j.sleep.2016.01.017",
        url="https://example.org/iron-study",
    )
    ImageFactory(article=article, after_section=cites, alt_text="A ferritin molecule.")
    root = CommentFactory(article=article, name="Root Reader", body="Root comment.")
    CommentFactory(article=article, parent=root, name="Reply Reader", body="A reply.")
    CommentFactory(
        article=article, name="Mallory", body="Scripted link.", website="javascript:alert(1)"
    )
    CommentFactory(article=article, body="Waiting comment.", status=Comment.Status.PENDING)
    CommentFactory(article=article, body="Spammy comment.", status=Comment.Status.SPAM)
    CommentFactory(article=article, body="Removed comment.", status=Comment.Status.REMOVED)
    return article


def test_article_page_is_html_with_the_title_as_h1(client, demo_article):
    response, doc = get_page(client, DEMO_PAGE)
    assert response["Content-Type"] == HTML
    assert doc.find("h1").text() == demo_article.title


def test_every_section_heading_is_at_its_level_with_its_anchor(client, demo_article):
    detail = api_detail(client, DEMO_SLUG).json()
    _, doc = get_page(client, DEMO_PAGE)
    article = doc.find("article")
    assert {3} < {s["level"] for s in detail["sections"]}  # the demo has both levels
    for section in detail["sections"]:
        heading = article.find(f"h{section['level']}", id=section["anchor"])
        assert heading.text() == section["heading"]


def test_the_intro_html_is_on_the_page(client, demo_article):
    detail = api_detail(client, DEMO_SLUG).json()
    response, doc = get_page(client, DEMO_PAGE)
    assert detail["intro_html"].strip()
    assert detail["intro_html"] in response.content.decode()
    assert doc.find("div", class_="intro").text().strip().startswith("Restless legs syndrome")


def test_every_figure_has_its_img_with_width_height_and_alt(client, demo_article):
    images = api_detail(client, DEMO_SLUG).json()["images"]
    _, doc = get_page(client, DEMO_PAGE)
    assert len(images) == 2
    figures = doc.find("article").find_all("figure")
    assert len(figures) == len(images)
    for figure, image in zip(figures, images, strict=True):
        img = figure.find("img")
        assert img.attrs["src"] == image["url"]
        assert img.attrs["alt"] == image["alt_text"]
        assert (img.attrs["width"], img.attrs["height"]) == (
            str(image["width"]),
            str(image["height"]),
        )
        assert int(img.attrs["width"]) > 0 and int(img.attrs["height"]) > 0


def test_a_figure_follows_its_section(client, rich_article):
    _, doc = get_page(client, "/articles/iron/")
    img = doc.find("img", alt="A ferritin molecule.")
    section = next(node for node in img.ancestors() if node.tag == "section")
    assert section.find("h2").attrs["id"] == "why-iron-matters"
    assert (img.attrs["width"], img.attrs["height"]) == ("40", "30")


def test_references_have_ids_and_doi_and_url_links(client, demo_article):
    references = api_detail(client, DEMO_SLUG).json()["references"]
    _, doc = get_page(client, DEMO_PAGE)
    items = doc.find("section", class_="references").find_all("li")
    assert [li.attrs["id"] for li in items] == [f"ref-{n}" for n in range(1, len(references) + 1)]
    for li, reference in zip(items, references, strict=True):
        hrefs = [a.attrs["href"] for a in li.find_all("a")]
        if reference["doi"]:
            assert f"https://doi.org/{reference['doi']}" in hrefs
        if reference["url"]:
            assert reference["url"] in hrefs
    assert any(r["doi"] for r in references) and any(r["url"] for r in references)


def test_a_cited_reference_links_back_to_the_citing_section(client, rich_article):
    _, doc = get_page(client, "/articles/iron/")
    # The marker in the section links to the reference ...
    section = doc.find("h2", id="why-iron-matters").parent
    assert "#ref-1" in [a.attrs["href"] for a in section.find_all("a")]
    # ... and the reference back to the section.
    reference = doc.find("li", id="ref-1")
    back = reference.find("a", class_="cited-in")
    assert back.attrs["href"] == "#why-iron-matters"
    hrefs = [a.attrs["href"] for a in reference.find_all("a")]
    assert "https://doi.org/10.1016/j.sleep.2016.01.017" in hrefs
    assert "https://example.org/iron-study" in hrefs


def test_the_review_line_names_the_reviewer_and_the_date(client, rich_article):
    _, doc = get_page(client, "/articles/iron/")
    dates = " ".join(doc.find("p", class_="dates").text().split())
    assert "Last reviewed January 2, 2026" in dates
    assert "Medically reviewed by Dr Jane Doe, MD, neurologist" in dates
    assert doc.find("p", class_="dates").find("time", datetime="2026-01-02")


def test_the_byline_links_a_person_s_page_and_shows_credentials(client, rich_article):
    _, doc = get_page(client, "/articles/iron/")
    byline = doc.find("p", class_="byline")
    assert byline.find("a").attrs["href"] == "https://ada.example.org/"
    assert byline.find("a").text() == "Ada Lovelace"
    assert " ".join(byline.text().split()) == "By Ada Lovelace, MD"


def own_body(comment: Node) -> str:
    """The text of this comment itself, not of its replies."""
    [article] = [c for c in comment.children if isinstance(c, Node) and c.tag == "article"]
    return article.find("div", class_="comment-body").text().strip()


def test_approved_comments_are_threaded(client, rich_article):
    _, doc = get_page(client, "/articles/iron/")
    comments = doc.find("section", class_="comments")
    top = comments.find("ol", class_="comment-list")
    roots = [li for li in top.children if isinstance(li, Node)]
    assert [own_body(li) for li in roots] == [
        "Root comment.",
        "Scripted link.",
    ]
    [reply] = roots[0].find("ol", class_="replies").find_all("li", class_="comment")
    assert own_body(reply) == "A reply."
    assert reply.find("strong", class_="comment-author").text() == "Reply Reader"
    assert "Comments (3)" in comments.find("h2").text()


def test_unapproved_comments_are_not_on_the_page(client, rich_article):
    content = client.get("/articles/iron/").content.decode()
    assert "Root comment." in content
    for body in ("Waiting comment.", "Spammy comment.", "Removed comment."):
        assert body not in content


def test_no_commenter_email_is_on_the_page(client, rich_article):
    content = client.get("/articles/iron/").content.decode()
    emails = list(rich_article.comments.values_list("email", flat=True))
    assert emails and all(emails)
    assert [e for e in emails if e in content] == []
    assert "@example.org" not in content


def test_a_javascript_website_never_becomes_a_link(client, rich_article):
    response, doc = get_page(client, "/articles/iron/")
    assert "javascript:" not in response.content.decode().lower()
    author = next(
        li for li in doc.find_all("li", class_="comment") if "Scripted link." in li.text()
    ).find("strong", class_="comment-author")
    assert author.text() == "Mallory"
    assert author.find_all("a") == []


def test_javascript_addresses_from_any_route_never_become_links(client):
    # The admin validates these; a row written another way must still not link.
    article = ArticleFactory(
        slug="scripted",
        byline="Eve",
        byline_kind=Article.BylineKind.PERSON,
        byline_url="javascript:alert(1)",
    )
    ReferenceFactory(article=article, doi="", url="JavaScript:alert(2)")
    CommentFactory(article=article, name="Trudy", website=" javascript:alert(3)")
    response, doc = get_page(client, "/articles/scripted/")
    hrefs = [a.attrs.get("href") or "" for a in doc.find_all("a")]
    assert [h for h in hrefs if "script:" in h.lower()] == []
    assert doc.find("p", class_="byline").find_all("a") == []
    assert "Eve" in doc.find("p", class_="byline").text()


def test_markup_in_a_commenter_s_name_and_address_is_text(client):
    article = ArticleFactory(slug="marked-up")
    CommentFactory(
        article=article,
        name='"><script>alert(1)</script>',
        website='https://x.example/"onmouseover="alert(1)',
    )
    _, doc = get_page(client, "/articles/marked-up/")
    comment = doc.find("li", class_="comment")
    assert comment.attrs["data-name"] == '"><script>alert(1)</script>'
    assert comment.find_all("script") == []
    link = comment.find("strong", class_="comment-author").find("a")
    assert "onmouseover" not in link.attrs
    assert link.text() == '"><script>alert(1)</script>'


def test_a_commenter_s_web_address_is_a_nofollow_link(client):
    article = ArticleFactory(slug="linked")
    CommentFactory(article=article, name="Ada", website="https://ada.example.org/")
    _, doc = get_page(client, "/articles/linked/")
    link = doc.find("strong", class_="comment-author").find("a")
    assert link.attrs["href"] == "https://ada.example.org/"
    assert set(link.attrs["rel"].split()) >= {"nofollow", "ugc"}


def test_comments_closed_says_so(client):
    article = ArticleFactory(slug="closed", comments_enabled=False)
    CommentFactory(article=article, body="Said before closing.")
    _, doc = get_page(client, "/articles/closed/")
    comments = doc.find("section", class_="comments")
    assert "Comments are closed." in comments.text()
    assert "Said before closing." in comments.text()  # approved comments stay visible
    assert "data-open" not in comments.attrs


def test_open_comments_do_not_say_closed(client, rich_article):
    _, doc = get_page(client, "/articles/iron/")
    comments = doc.find("section", class_="comments")
    assert "Comments are closed." not in comments.text()
    assert "data-open" in comments.attrs


# Not found, and methods.


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: "/articles/no-such-article/", id="unknown-slug"),
        pytest.param(lambda: f"/articles/{ArticleFactory(draft=True).slug}/", id="draft"),
        pytest.param(lambda: f"/articles/{ArticleFactory(scheduled=True).slug}/", id="scheduled"),
        pytest.param(lambda: "/nope/", id="unknown-path"),
        pytest.param(lambda: f"{DEMO_PAGE}?comments=not-a-cursor", id="bad-comments-cursor"),
        pytest.param(lambda: "/?cursor=not-a-cursor", id="bad-list-cursor"),
    ],
)
def test_not_found_is_the_reader_s_404_page(client, demo_article, make):
    response, doc = get_page(client, make(), status=404)
    assert response["Content-Type"] == HTML
    assert doc.find("h1").text() == "Page not found"
    assert meta(doc, name="robots") == "noindex"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_scheduled_article_appears_when_its_time_comes(client, demo_article):
    article = ArticleFactory(scheduled=True, slug="soon", title="Coming soon on iron")
    get_page(client, "/articles/soon/", status=404)
    assert b"Coming soon on iron" not in client.get("/").content
    with time_machine.travel(article.published_at + dt.timedelta(minutes=1)):
        _, doc = get_page(client, "/articles/soon/")
        assert doc.find("h1").text() == "Coming soon on iron"
        assert b"Coming soon on iron" in client.get("/").content


def test_an_unpublished_article_leaves_its_page_and_the_list(client, demo_article):
    get_page(client, DEMO_PAGE)
    get_page(client, "/")
    articles_unpublish(queryset=Article.objects.filter(pk=demo_article.pk))
    get_page(client, DEMO_PAGE, status=404)
    assert demo_article.title.encode() not in client.get("/").content


def test_comments_close_on_a_kept_page_when_their_time_comes(client, settings):
    settings.RLS_COMMENTS = {**settings.RLS_COMMENTS, "CLOSE_AFTER_DAYS": 1}
    article = ArticleFactory(slug="closing", published_at=timezone.now() - dt.timedelta(hours=23))
    _, doc = get_page(client, "/articles/closing/")
    assert "Comments are closed." not in doc.find("section", class_="comments").text()
    with time_machine.travel(article.published_at + dt.timedelta(days=1, minutes=1)):
        _, doc = get_page(client, "/articles/closing/")
    assert "Comments are closed." in doc.find("section", class_="comments").text()


def test_a_404_is_not_kept_for_an_article_published_later(client):
    article = ArticleFactory(draft=True, slug="later")
    get_page(client, "/articles/later/", status=404)
    articles_publish(queryset=Article.objects.filter(pk=article.pk))
    assert client.get("/articles/later/").status_code == 200


@pytest.mark.parametrize("path", ["/", DEMO_PAGE])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_pages_refuse_writes(client, demo_article, path, method):
    assert getattr(client, method)(path).status_code == 405


@pytest.mark.parametrize("path", ["/", DEMO_PAGE])
def test_head_answers_200(client, demo_article, path):
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"]


# The head: title, description, canonical, link previews, structured data.


def test_the_title_is_the_article_s(client, demo_article):
    _, doc = get_page(client, DEMO_PAGE)
    assert demo_article.title in doc.find("title").text()


def test_the_meta_description_is_from_the_intro(client, demo_article):
    _, doc = get_page(client, DEMO_PAGE)
    description = meta(doc, name="description")
    assert 50 < len(description) <= 160
    assert description.startswith("Restless legs syndrome (RLS), also known as Willis-Ekbom")
    assert "<" not in description


def test_the_meta_description_ends_with_a_whole_word(client):
    # pages.description promises whole words: no word cut in half before the ellipsis.
    words = " ".join(["alpha"] * 40)  # 239 characters: 160 falls inside a word
    ArticleFactory(slug="long-intro", intro=words)
    _, doc = get_page(client, "/articles/long-intro/")
    description = meta(doc, name="description")
    assert len(description) <= 160
    kept = description.rstrip("…").strip()
    assert words.startswith(kept)
    assert kept.split()[-1] == "alpha", description


def test_canonical_and_og_url_are_the_site_url_address(client, demo_article):
    _, doc = get_page(client, DEMO_PAGE)
    expected = article_settings.SITE_URL.rstrip("/") + DEMO_PAGE
    assert doc.find("link", rel="canonical").attrs["href"] == expected
    assert meta(doc, property="og:url") == expected


def test_canonical_follows_the_site_url_setting(client, demo_article, settings):
    get_page(client, DEMO_PAGE)  # kept under the old setting
    settings.RLS_ARTICLES = {**settings.RLS_ARTICLES, "SITE_URL": "https://health.example.org"}
    _, doc = get_page(client, DEMO_PAGE)
    expected = f"https://health.example.org{DEMO_PAGE}"
    assert doc.find("link", rel="canonical").attrs["href"] == expected
    assert meta(doc, property="og:url") == expected
    assert json.loads(json_ld_blocks(doc)[0].text())["url"] == expected
    assert meta(doc, property="og:image").startswith("https://health.example.org/")


def test_link_previews_have_open_graph_and_twitter_tags(client, demo_article):
    _, doc = get_page(client, DEMO_PAGE)
    assert meta(doc, property="og:type") == "article"
    assert meta(doc, property="og:title") == demo_article.title
    assert meta(doc, property="og:description") == meta(doc, name="description")
    image = meta(doc, property="og:image")
    assert urlsplit(image).scheme in ("http", "https") and urlsplit(image).netloc
    assert image.endswith(".png")
    assert meta(doc, name="twitter:card") == "summary_large_image"


def test_the_page_language_is_the_articles(client, demo_article):
    assert b'<html lang="en-US">' in client.get(DEMO_PAGE).content


def test_one_json_ld_block_equal_to_the_api_s(client, demo_article):
    json_ld = api_detail(client, DEMO_SLUG).json()["json_ld"]
    _, doc = get_page(client, DEMO_PAGE)
    [block] = json_ld_blocks(doc)
    assert json.loads(block.text()) == json_ld
    assert validate(json_ld) == []


def test_the_rich_article_s_json_ld_is_valid_schema_org(client, rich_article):
    _, doc = get_page(client, "/articles/iron/")
    [block] = json_ld_blocks(doc)
    data = json.loads(block.text())
    assert data == api_detail(client, "iron").json()["json_ld"]
    assert validate(data) == []


def test_a_script_end_tag_in_the_title_cannot_leave_the_json_ld_block(client):
    title = 'Iron </script><script>alert("x")</script> & <!-- more'
    ArticleFactory(slug="hostile", title=title)
    response, doc = get_page(client, "/articles/hostile/")
    content = response.content.decode()
    assert "</script><script>alert" not in content
    [block] = json_ld_blocks(doc)
    assert json.loads(block.text())["headline"] == title
    # Every script is the JSON-LD block or a file of this site: nothing inline runs.
    for script in doc.find_all("script"):
        assert script.attrs.get("type") == "application/ld+json" or script.attrs.get("src")
    assert doc.find("h1").text() == title


# Kept pages: no query, validators, 304, and dropped on a change.


@pytest.mark.parametrize("path", ["/", DEMO_PAGE])
def test_a_kept_page_reads_nothing_from_the_database(
    client, demo_article, django_assert_num_queries, path
):
    first = client.get(path)
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second.status_code == 200
    assert second.content == first.content


@pytest.mark.parametrize("path", ["/", DEMO_PAGE])
def test_pages_carry_validators_and_answer_304(client, demo_article, path):
    response = client.get(path)
    assert response["ETag"].startswith('"')
    assert http_time(response) > 0
    assert response["Cache-Control"] == "public, no-cache"
    again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == response["ETag"]


def test_an_edit_published_through_the_funnel_shows_at_once(client, demo_article):
    before = client.get(DEMO_PAGE)
    demo_article.title = "Restless legs, revised"
    demo_article.save()
    article_mark_changed(article=demo_article, reason=Reason.SAVED)
    # Saved, the edit is the live article's draft: the page (kept again) shows the live title.
    _, doc = get_page(client, DEMO_PAGE)
    assert doc.find("h1").text() != "Restless legs, revised"

    article_publish_changes(article_id=demo_article.pk, user=None)

    response, doc = get_page(client, DEMO_PAGE)
    assert doc.find("h1").text() == "Restless legs, revised"
    assert response["ETag"] != before["ETag"]
    assert client.get(DEMO_PAGE, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200
    _, listing = get_page(client, "/")
    assert "Restless legs, revised" in listing.find("ul", class_="article-list").text()


def test_an_approved_comment_shows_at_once(client, demo_article, moderator):
    comment = CommentFactory(
        article=demo_article, body="Waiting for a moderator.", status=Comment.Status.PENDING
    )
    assert b"Waiting for a moderator." not in client.get(DEMO_PAGE).content
    before = client.get("/")
    assert "0 comments" in " ".join(tree(before).find("p", class_="meta").text().split())

    comments_moderate(
        queryset=Comment.objects.filter(pk=comment.pk),
        status=Comment.Status.APPROVED,
        actor=moderator,
    )

    _, doc = get_page(client, DEMO_PAGE)
    assert "Waiting for a moderator." in doc.find("section", class_="comments").text()
    assert "Comments (1)" in doc.find("section", class_="comments").find("h2").text()
    _, listing = get_page(client, "/")
    assert "1 comment" in " ".join(listing.find("p", class_="meta").text().split())


def test_more_comments_than_a_page_are_one_link_away(client):
    article = ArticleFactory(slug="busy")
    start = timezone.now() - dt.timedelta(hours=1)
    per_page = comment_settings.PAGE_SIZE  # as the API's pages
    for n, comment in enumerate(CommentFactory.build_batch(per_page + 1, article=article)):
        comment.submitted_at = start + dt.timedelta(seconds=n)
        comment.save()
    article_mark_changed(article=article, reason=Reason.COMMENTS)

    _, doc = get_page(client, "/articles/busy/")
    shown = doc.find("ol", class_="comment-list").find_all("li", class_="comment")
    assert len(shown) == per_page
    more = doc.find("a", class_="more-comments")
    _, rest = get_page(client, "/articles/busy/" + more.attrs["href"].split("#")[0])
    [last] = rest.find("ol", class_="comment-list").find_all("li", class_="comment")
    assert own_body(last) == Comment.objects.order_by("submitted_at").last().body
    assert rest.find_all("a", class_="more-comments") == []


T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_last_modified_is_the_newer_of_the_detail_s_and_the_comments(client):
    with time_machine.travel(T0, tick=False):
        article = ArticleFactory(slug="dated")
        comment = CommentFactory(article=article, body="First words.")
        first = client.get("/articles/dated/")
        assert first["Last-Modified"] == http_date(T0.timestamp())

    # Ten minutes on, a comment's text is edited: the detail's bytes stay as
    # they were, the comments' do not.
    later = T0 + dt.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        comment.body = "Second thoughts."
        comment_save(comment=comment)
        page = client.get("/articles/dated/")
        detail = client.get("/api/v1/articles/dated/")
        comments = client.get("/api/v1/articles/dated/comments/")

    assert b"Second thoughts." in page.content
    assert http_time(detail) == int(T0.timestamp())  # nothing in the detail moved
    assert http_time(comments) == int(later.timestamp())
    assert http_time(page) == max(http_time(detail), http_time(comments))


def test_last_modified_matches_the_api_s_for_a_plain_article(client, rich_article):
    page = client.get("/articles/iron/")
    detail = client.get("/api/v1/articles/iron/")
    comments = client.get("/api/v1/articles/iron/comments/")
    assert http_time(page) == max(http_time(detail), http_time(comments))


def test_the_article_page_does_not_depend_on_the_api_s_largest_comment_page(client, settings):
    # The page asks the comments API for one page of its own size: a site
    # that allows smaller pages must still show its articles.
    settings.RLS_COMMENTS = {**settings.RLS_COMMENTS, "MAX_PAGE_SIZE": 100}
    ArticleFactory(slug="small-pages")
    assert client.get("/articles/small-pages/").status_code == 200


# The list page.


def list_items(doc: Node) -> list[Node]:
    return doc.find_all("li", class_="article-item")


def item_titled(doc: Node, title: str) -> Node:
    [item] = [li for li in list_items(doc) if li.find("h2").text() == title]
    return item


def test_the_list_shows_summary_tags_thumbnail_byline_and_comment_count(
    client, demo_article, rich_article
):
    _, doc = get_page(client, "/")
    demo = item_titled(doc, demo_article.title)
    assert demo.find("h2").find("a").attrs["href"] == DEMO_PAGE
    assert demo.find("p", class_="summary").text().startswith("Restless legs syndrome (RLS)")
    tag_links = {a.text(): a.attrs["href"] for a in demo.find("ul", class_="tags").find_all("a")}
    assert tag_links["Sleep"] == "/?tag=sleep"
    assert tag_links["Restless legs syndrome"] == "/?tag=restless-legs-syndrome"
    img = demo.find("img")
    assert int(img.attrs["width"]) > 0 and int(img.attrs["height"]) > 0
    assert img.attrs["alt"]
    meta_line = " ".join(demo.find("p", class_="meta").text().split())
    assert meta_line.startswith("rls_cms demo ·")
    assert meta_line.endswith("0 comments")

    iron = item_titled(doc, "Iron and restless legs")
    img = iron.find("img")
    assert (img.attrs["width"], img.attrs["height"], img.attrs["alt"]) == (
        "40",
        "30",
        "A ferritin molecule.",
    )
    meta_line = " ".join(iron.find("p", class_="meta").text().split())
    assert meta_line.startswith("Ada Lovelace ·")
    assert meta_line.endswith("3 comments")  # approved only
    assert iron.find("ul", class_="tags").find("a").attrs["href"] == "/?tag=iron-tag"


def test_an_article_without_an_image_has_no_thumbnail(client):
    ArticleFactory(title="Plain text only")
    _, doc = get_page(client, "/")
    assert item_titled(doc, "Plain text only").find_all("img") == []


def test_a_tag_link_lists_that_tag_s_articles(client, demo_article, rich_article):
    _, doc = get_page(client, "/?tag=sleep")
    assert [li.find("h2").text() for li in list_items(doc)] == [demo_article.title]
    assert "Sleep" in doc.find("h1").text()


def test_an_unknown_tag_is_not_found(client, demo_article):
    _, doc = get_page(client, "/?tag=unknown", status=404)
    assert doc.find("h1").text() == "Page not found"


def test_a_search_finds_the_demo_article_and_is_not_indexed(client, demo_article):
    ArticleFactory(title="Something else entirely", intro="Nothing to see.")
    _, doc = get_page(client, "/?search=restless")
    assert [li.find("h2").text() for li in list_items(doc)] == [demo_article.title]
    assert meta(doc, name="robots") == "noindex"
    assert doc.find("input", name="search").attrs["value"] == "restless"
    _, home = get_page(client, "/")
    assert home.find_all("meta", name="robots") == []


def test_a_search_that_finds_nothing_says_so(client, demo_article):
    _, doc = get_page(client, "/?search=zebras")
    assert list_items(doc) == []
    assert "No articles match this search." in doc.find("main").text()


def test_older_articles_are_one_link_away(client):
    articles = ArticleFactory.create_batch(21)
    _, doc = get_page(client, "/")
    first = [li.find("h2").text() for li in list_items(doc)]
    assert len(first) == 20
    more = doc.find("a", rel="next")
    assert more.text() == "Older articles"
    address = urlsplit(more.attrs["href"])
    assert address.path == "/" and "cursor" in dict(parse_qsl(address.query))

    _, older = get_page(client, more.attrs["href"])
    second = [li.find("h2").text() for li in list_items(older)]
    assert sorted(first + second) == sorted(a.title for a in articles)
    assert older.find_all("a", rel="next") == []


def test_drafts_and_scheduled_articles_are_never_listed(client, demo_article):
    ArticleFactory(draft=True, title="A draft on iron")
    ArticleFactory(scheduled=True, title="Coming on iron")
    for path in ("/", "/?search=iron", "/?search=restless"):
        content = client.get(path).content.decode()
        assert "A draft on iron" not in content
        assert "Coming on iron" not in content


def test_unknown_parameters_are_ignored(client, demo_article):
    plain = client.get("/")
    tagged = client.get("/?utm_source=x&utm_campaign=spring")
    assert tagged.status_code == 200
    assert tagged["ETag"] == plain["ETag"]
    assert tagged.content == plain.content


STRAY = re.compile(r"\b(null|undefined|None)\b")


@pytest.fixture
def sparse_article(db):
    """An article with every optional part left empty."""
    article = ArticleFactory(slug="sparse", title="Sparse", byline="", intro="")
    SectionFactory(article=article, heading="Only heading", body="")
    ReferenceFactory(
        article=article, authors="", source="", year=None, doi="", url="", accessed_on=None
    )
    ImageFactory(article=article, caption="", credit="")
    CommentFactory(article=article, website="")
    return article


@pytest.mark.parametrize(
    "path", ["/", "/articles/sparse/", DEMO_PAGE, "/articles/iron/", "/?search=restless"]
)
def test_no_stray_null_undefined_or_none(client, demo_article, rich_article, sparse_article, path):
    response, _ = get_page(client, path)
    assert STRAY.findall(response.content.decode()) == []


# Preview.


def preview_of(article: Article) -> str:
    return preview_url(article)


def with_token(address: str, change) -> str:
    parts = urlsplit(address)
    query = dict(parse_qsl(parts.query))
    query["preview"] = change(query["preview"])
    return urlunsplit(parts._replace(query="&".join(f"{k}={v}" for k, v in query.items())))


@pytest.fixture
def draft(db):
    article = ArticleFactory(draft=True, title="Unpublished iron advice", slug="unpublished")
    SectionFactory(article=article, heading="Draft section")
    return article


def test_a_draft_s_preview_shows_it_with_a_banner(client, draft):
    response, doc = get_page(client, preview_of(draft), follow=True)
    assert doc.find("h1").text() == "Unpublished iron advice"
    assert doc.find("p", class_="preview-banner")
    dates = doc.find("p", class_="dates").text()
    assert "Draft" in dates
    assert "Published" not in dates
    assert doc.find("h2", id="draft-section")


def test_a_preview_is_private_and_not_indexed(client, draft):
    response, doc = get_page(client, preview_of(draft), follow=True)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert meta(doc, name="robots") == "noindex"
    assert doc.find_all("link", rel="canonical") == []
    assert doc.find_all("meta", property="og:url") == []
    assert json_ld_blocks(doc) == []
    assert "ETag" not in response


def test_a_preview_is_never_kept(client, draft):
    address = preview_of(draft)
    client.get(address, follow=True)
    draft.title = "Edited draft title"
    draft.save()  # a draft: the editor's save alone must show in the next preview
    assert b"Edited draft title" in client.get(address, follow=True).content


@pytest.mark.parametrize(
    "change", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "x" + t]
)
def test_an_altered_preview_token_is_refused(client, draft, change):
    response, doc = get_page(client, with_token(preview_of(draft), change), status=403)
    assert doc.find("h1").text() == "Preview link not valid"
    assert "Unpublished iron advice" not in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_an_expired_preview_is_refused(client, draft):
    address = preview_of(draft)
    max_age = article_settings.PREVIEW_MAX_AGE
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=max_age + 60)):
        response, doc = get_page(client, address, status=403)
    assert doc.find("h1").text() == "Preview link not valid"
    assert "expired" in doc.find("main").text()


def test_a_scheduled_article_s_preview_says_when(client):
    article = ArticleFactory(scheduled=True, slug="soon", title="Soon")
    _, doc = get_page(client, preview_of(article), follow=True)
    dates = " ".join(doc.find("p", class_="dates").text().split())
    assert "Scheduled for" in dates
    assert "Published" not in dates


def test_a_deleted_article_s_preview_is_not_found(client, draft):
    address = preview_of(draft)
    articles_delete(queryset=Article.objects.filter(pk=draft.pk))
    response, doc = get_page(client, address, status=404, follow=True)
    assert doc.find("h1").text() == "Page not found"
    assert response["Cache-Control"] == "private, no-store"


def test_a_search_too_long_is_refused_with_a_reason(client, demo_article):
    response, doc = get_page(client, "/?search=" + "x" * 201, status=400)
    assert doc.find("h1").text() == "This search cannot be run"


# What the pages load and allow.


@pytest.mark.parametrize("path", ["/", DEMO_PAGE, "/?tag=sleep", "/nope/"])
def test_pages_load_nothing_from_another_host(client, demo_article, path):
    doc = tree(client.get(path))
    loaded = [node.attrs["src"] for node in doc.iter() if node.attrs.get("src")]
    loaded += [
        node.attrs["href"]
        for node in doc.find_all("link")
        if set(node.attrs.get("rel", "").split())
        & {"stylesheet", "icon", "preload", "modulepreload"}
    ]
    loaded += [
        candidate.split()[0]
        for node in doc.iter()
        for candidate in (node.attrs.get("srcset") or "").split(",")
        if candidate.strip()
    ]
    assert loaded
    assert [a for a in loaded if not a.startswith("/") or a.startswith("//")] == []


@pytest.mark.parametrize("path", ["/", DEMO_PAGE, "/nope/"])
def test_pages_forbid_scripts_from_anywhere_else(client, demo_article, path):
    policy = client.get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy


def test_the_article_page_runs_no_inline_script(client, rich_article):
    doc = tree(client.get("/articles/iron/"))
    scripts = doc.find_all("script")
    assert any(s.attrs.get("src") for s in scripts)  # the comment form's module
    for script in scripts:
        if script.attrs.get("type") != "application/ld+json":
            assert script.attrs.get("src", "").startswith("/static/")
            assert script.text().strip() == ""


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert (
        f"Sitemap: {article_settings.SITE_URL.rstrip('/')}/sitemap.xml" in response.content.decode()
    )


def test_a_change_in_a_process_without_collected_static_files_drops_the_pages(
    client, demo_article, settings
):
    """A task worker or a command publishes changes too, marking the article changed; it has
    no static manifest (collectstatic may not have run there), and dropping the kept pages
    must not need one."""
    assert client.get(f"/articles/{DEMO_SLUG}/").status_code == 200
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"
    demo_article.title = "Changed by a worker"
    demo_article.save()  # the live article's draft: the kept pages stand
    article_publish_changes(article_id=demo_article.pk, user=None)  # drops them, raises nothing
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert b"Changed by a worker" in client.get(f"/articles/{DEMO_SLUG}/").content


def test_the_pages_work_for_a_site_mounted_under_a_prefix(client, demo_article, settings):
    """Behind a proxy that mounts the site at /cms/: the in-process API reads resolve
    without the prefix, and every link the page makes carries it."""
    # Django keeps the first prefixed STATIC_URL it computes for the rest of the
    # process; a setting changed here makes the fixture reset them all after.
    settings.STATIC_URL = "/static/"
    # What Django's WSGI handler does for each request under SCRIPT_NAME=/cms
    # (the test client leaves the prefix alone).
    set_script_prefix("/cms/")
    try:
        response = client.get(f"/articles/{DEMO_SLUG}/")
        listing = client.get("/")
    finally:
        set_script_prefix("/")
    assert response.status_code == 200
    assert demo_article.title.encode() in response.content
    assert b'data-comments-url="/cms/api/v1/articles/' in response.content
    assert listing.status_code == 200
    assert f'href="/cms/articles/{DEMO_SLUG}/"'.encode() in listing.content
