"""The reader page, as a reader uses it, in a real browser."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from rest_framework.authtoken.models import Token

from articles.models import Article
from articles.services import article_publish_changes
from comments.models import Comment, client_key
from tests.e2e.conftest import DEMO_SLUG
from tests.seed import SEED_HEADINGS, SEED_IMAGES

ARTICLE_PATH = f"/articles/{DEMO_SLUG}/"

SECTION_HEADINGS = SEED_HEADINGS
ALT_TEXTS = [alt_text for alt_text, _ in SEED_IMAGES]
PENDING = "Your comment is awaiting moderation."
PER_PAGE = 50  # RLS_COMMENTS["PAGE_SIZE"]: comments on the article's page


def open_article(page: Page, site: str) -> None:
    page.goto(site + ARTICLE_PATH)
    expect(page.locator(".comment-form")).to_be_visible()


def fill_form(page: Page, *, name="Ada Reader", email="ada@example.org", body="Thank you.") -> None:
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_role("textbox", name="Comment", exact=True).fill(body)


def post_comment(page: Page, **fields) -> None:
    fill_form(page, **fields)
    page.get_by_role("button", name="Post Comment").click()


# --- reading ----------------------------------------------------------------------------


def test_list_links_to_the_article(page: Page, site, console_errors):
    page.goto(site + "/")
    link = page.get_by_role("link", name="What Causes Restless Legs Syndrome?")
    link.click()
    expect(page).to_have_url(site + ARTICLE_PATH)
    expect(page.locator("h1")).to_have_text(Article.objects.get(slug=DEMO_SLUG).title)
    expect(page.locator(".comment-form")).to_be_visible()
    assert console_errors == []


def test_back_and_forward_move_between_list_and_article(page: Page, site):
    page.goto(site + "/")
    page.get_by_role("link", name="What Causes Restless Legs Syndrome?").click()
    expect(page.locator(".comment-form")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(site + "/")
    expect(page.locator("h1")).to_have_text("Articles")
    page.go_forward()
    expect(page).to_have_url(site + ARTICLE_PATH)
    expect(page.locator("article h1")).to_contain_text("Restless Legs")


def test_article_shows_every_section_heading_at_its_level(page: Page, site, console_errors):
    open_article(page, site)
    headings = page.locator("article section h2[id], article section h3[id]")
    shown = [
        (int(tag[1]), text)
        for tag, text in zip(
            headings.evaluate_all("els => els.map(e => e.tagName)"),
            headings.all_inner_texts(),
            strict=True,
        )
        if text != "References"
    ]
    assert shown == SECTION_HEADINGS
    assert console_errors == []


def test_the_pages_are_whole_without_javascript(browser, site):
    Comment.objects.create(
        article=Article.objects.get(slug=DEMO_SLUG),
        name="Ann",
        email="ann@example.org",
        body="Iron helped.",
        body_html="<p>Iron helped.</p>",
        status="approved",
    )
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    page.get_by_role("link", name="What Causes Restless Legs Syndrome?").click()
    # "load": every image of the page has loaded (or failed), so each can be judged.
    page.wait_for_load_state("load")
    headings = page.locator("article section:not(.references) :is(h2, h3)[id]")
    expect(headings).to_have_count(len(SECTION_HEADINGS))
    expect(page.locator(".references li")).to_have_count(15)
    for image in page.locator("article figure img").all():
        assert image.get_attribute("width") and image.get_attribute("height")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator(".comment")).to_contain_text("Iron helped.")
    # Said to a browser without scripts (Playwright only stops scripts running,
    # so the noscript element is read here, not shown).
    note = page.locator(".comments noscript")
    assert "To leave a comment, turn on JavaScript." in note.inner_html()
    context.close()


def test_an_unknown_article_is_a_404_page_that_asks_the_api_nothing(page: Page, site, api_requests):
    response = page.goto(site + "/articles/no-such-article/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    page.wait_for_load_state("networkidle")
    assert api_requests == []


def test_no_stray_text_on_any_page(page: Page, site):
    """Every text node of the list and the article: none says null, undefined or the like."""
    stray = re.compile(r"\b(null|undefined|None|NaN)\b|\[object Object\]")
    for path in ("/", ARTICLE_PATH):
        page.goto(site + path)
        if path == ARTICLE_PATH:
            expect(page.locator(".comment-form")).to_be_visible()
        texts = page.evaluate(
            """() => {
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                const texts = [];
                while (walker.nextNode()) texts.push(walker.currentNode.textContent);
                return texts;
            }"""
        )
        assert texts, path
        assert [t for t in texts if stray.search(t)] == [], path


def test_dates_include_the_last_review(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    article.last_reviewed_on = dt.date(2023, 11, 28)
    article.save()
    article_publish_changes(article_id=article.pk, user=None)
    open_article(page, site)
    expect(page.locator(".dates")).to_contain_text("Last reviewed November 28, 2023")


def test_the_medical_reviewer_is_named_with_credentials(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    article.reviewer_name, article.reviewer_credentials = "Dr Jane Doe", "MD, neurologist"
    article.save()
    article_publish_changes(article_id=article.pk, user=None)
    open_article(page, site)
    expect(page.locator(".dates .reviewer")).to_have_text(
        "Medically reviewed by Dr Jane Doe, MD, neurologist"
    )


def test_the_page_carries_the_article_s_structured_data_and_drops_it_on_leaving(page: Page, site):
    page.goto(site + "/")
    page.get_by_role("link", name="What Causes Restless Legs Syndrome?").click()
    expect(page.locator(".comment-form")).to_be_visible()
    blocks = page.locator('head script[type="application/ld+json"]')
    expect(blocks).to_have_count(1)
    data = json.loads(blocks.text_content())
    assert data["@type"] == "MedicalWebPage"
    assert data["headline"] == Article.objects.get(slug=DEMO_SLUG).title
    assert len(data["citation"]) == 15
    page.go_back()  # the list describes no article
    expect(page.locator("h1")).to_have_text("Articles")
    expect(blocks).to_have_count(0)


def test_table_of_contents_links_to_each_section(page: Page, site):
    open_article(page, site)
    targets = page.locator(".toc a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    anchors = page.locator("article section [id]").evaluate_all("els => els.map(e => '#' + e.id)")
    assert len(targets) == len(SECTION_HEADINGS)
    assert set(targets) <= set(anchors)


def test_both_images_load_with_alt_text_size_and_caption(page: Page, site):
    open_article(page, site)
    figures = page.locator("article figure")
    expect(figures).to_have_count(2)
    for index, alt in enumerate(ALT_TEXTS):
        image = figures.nth(index).locator("img")
        expect(image).to_have_attribute("alt", alt)
        assert image.get_attribute("width") == "800"
        assert image.get_attribute("height") == "450"
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
        # A browser that reads WebP gets the WebP copy of the size it needs.
        assert image.evaluate("img => img.currentSrc").endswith(".webp")
        expect(figures.nth(index).locator("figcaption")).to_contain_text("Credit:")


def test_images_follow_their_sections(page: Page, site):
    open_article(page, site)
    dopamine = page.locator("section", has=page.locator("h2", has_text="The Role of Dopamine"))
    neuropathy = page.locator("section", has=page.locator("h3", has_text="Peripheral Neuropathy"))
    expect(dopamine.locator("figure img")).to_have_attribute("alt", ALT_TEXTS[0])
    expect(neuropathy.locator("figure img")).to_have_attribute("alt", ALT_TEXTS[1])


def test_all_fifteen_references_render_with_links_and_accessed_dates(page: Page, site):
    open_article(page, site)
    references = page.locator(".references ol > li")
    expect(references).to_have_count(15)
    expect(references.nth(3).get_by_role("link")).to_have_attribute(
        "href", "https://doi.org/10.1016/j.sleep.2016.01.017"
    )
    expect(references.nth(0)).to_contain_text("Accessed November 16, 2021")
    expect(references.nth(11).get_by_role("link")).to_have_attribute(
        "href", "https://sleepeducation.org/sleep-center/"
    )


def test_the_article_page_asks_the_api_only_for_the_form(page: Page, site, api_requests):
    # The article and its comments come in the page; the form is described by OPTIONS.
    open_article(page, site)
    page.wait_for_load_state("networkidle")
    assert api_requests == [f"OPTIONS {site}/api/v1/articles/{DEMO_SLUG}/comments/"]


def test_article_without_comments_invites_the_first_one(page: Page, site):
    open_article(page, site)
    expect(page.locator(".comments")).to_contain_text(
        "No comments yet. Why don’t you start the discussion?"
    )


# --- the form ---------------------------------------------------------------------------


def test_form_is_built_from_the_api_description(page: Page, site):
    open_article(page, site)
    form = page.locator(".comment-form")
    expect(form.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    expect(form).to_contain_text(
        "Your email address will not be published. Required fields are marked *"
    )
    expect(form.get_by_role("textbox", name="Name", exact=True)).to_have_attribute(
        "maxlength", "100"
    )
    expect(form.get_by_role("textbox", name="Email", exact=True)).to_have_attribute("type", "email")
    expect(form.get_by_role("textbox", name="Comment", exact=True)).to_have_attribute(
        "maxlength", "5000"
    )
    for label in ("Name", "Email", "Comment"):
        expect(form.locator("label", has_text=label).locator(".required")).to_have_text("*")
    expect(form.locator("label", has_text="Website").locator(".required")).to_have_count(0)


def test_honeypot_is_hidden_from_people_and_assistive_technology(page: Page, site):
    open_article(page, site)
    honeypot = page.locator(".comment-form [name=homepage]")
    expect(honeypot).to_be_hidden()
    expect(honeypot).to_have_attribute("tabindex", "-1")
    assert honeypot.evaluate("el => el.closest('[aria-hidden=true]') !== null")
    assert page.get_by_role("textbox", name="Homepage").count() == 0


def test_empty_form_shows_an_error_on_each_required_field_and_sends_nothing(page: Page, site):
    open_article(page, site)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="Post Comment").click()
    for name in ("name", "email", "body"):
        expect(page.locator(f"#_comment-{name}-error")).not_to_be_empty()
        expect(page.locator(f"#_comment-{name}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#_comment-website-error")).to_be_empty()
    assert posts == []


def test_invalid_email_is_caught_before_sending(page: Page, site):
    open_article(page, site)
    post_comment(page, email="not-an-email")
    expect(page.locator("#_comment-email-error")).to_have_text(
        "Please enter a valid email address."
    )
    assert Comment.objects.count() == 0


def test_server_errors_appear_next_to_their_fields(page: Page, site):
    open_article(page, site)
    fill_form(page)
    page.get_by_role("textbox", name="Website", exact=True).fill("ftp://example.org/file")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("#_comment-website-error")).not_to_be_empty()
    expect(page.locator("#_comment-website")).to_have_attribute("aria-invalid", "true")


def test_valid_submission_shows_the_pending_message_and_clears_the_form(
    page: Page, site, console_errors
):
    open_article(page, site)
    post_comment(page, body="A valid first comment.")
    expect(page.locator(".form-status")).to_have_text(PENDING)
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_have_value("")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("")
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert console_errors == []


def test_button_is_disabled_while_sending(page: Page, site):
    open_article(page, site)
    held = []
    page.route(
        "**/comments/",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    with page.expect_request(lambda request: request.method == "POST"):
        post_comment(page)
    expect(page.get_by_role("button", name="Posting…")).to_be_disabled()
    # The route's handler runs as Playwright dispatches events: wait for the held request.
    deadline = time.monotonic() + 10
    while not held:
        assert time.monotonic() < deadline, "the POST never reached the route"
        page.wait_for_timeout(20)
    held[0].continue_()
    expect(page.get_by_role("button", name="Post Comment")).to_be_enabled()
    expect(page.locator(".form-status")).to_have_text(PENDING)


def test_duplicate_comment_is_answered_with_a_sentence(page: Page, site):
    open_article(page, site)
    post_comment(page, body="Said once.")
    expect(page.locator(".form-status")).to_have_text(PENDING)
    # Not a flood: only the duplicate rule.
    Comment.objects.update(ip_address="192.0.2.1", client_key=client_key("192.0.2.1"))
    post_comment(page, body="Said once.")
    expect(page.locator(".form-status")).to_contain_text("already said that")


def test_posting_too_fast_is_answered_with_the_wait(page: Page, site):
    open_article(page, site)
    post_comment(page, body="First.")
    expect(page.locator(".form-status")).to_have_text(PENDING)
    post_comment(page, body="Second, at once.")
    expect(page.locator(".form-status")).to_contain_text("too quickly")
    expect(page.locator(".form-status")).to_contain_text("seconds")


def test_closed_comments_are_answered_with_a_sentence(page: Page, site):
    open_article(page, site)
    Article.objects.filter(slug=DEMO_SLUG).update(comments_enabled=False)
    post_comment(page)
    expect(page.locator(".form-status")).to_have_text("Comments are closed for this article.")


def test_details_are_saved_in_the_browser_only_when_ticked(page: Page, site):
    open_article(page, site)
    post_comment(page, name="Una", email="una@example.org", body="Not saved.")
    expect(page.locator(".form-status")).to_have_text(PENDING)
    assert page.evaluate("localStorage.getItem('rls_cms.commenter')") is None

    Comment.objects.update(ip_address="192.0.2.1", client_key=client_key("192.0.2.1"))
    fill_form(page, name="Sam", email="sam@example.org", body="Saved.")
    page.get_by_label("Save my name, email, and website").check()
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".form-status")).to_have_text(PENDING)
    stored = json.loads(page.evaluate("localStorage.getItem('rls_cms.commenter')"))
    assert stored == {"name": "Sam", "email": "sam@example.org", "website": ""}

    page.reload()
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Sam")
    expect(page.get_by_role("textbox", name="Email", exact=True)).to_have_value("sam@example.org")


def test_comment_approved_through_the_staff_api_shows_after_reload(
    page: Page, site, django_user_model
):
    open_article(page, site)
    post_comment(page, name="Grace", body="Iron helped me.")
    expect(page.locator(".form-status")).to_have_text(PENDING)
    comment = Comment.objects.get()

    moderator = django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")
    token = Token.objects.create(user=moderator)
    request = urllib.request.Request(
        f"{site}/api/v1/moderation/comments/{comment.pk}/approve/",
        method="POST",
        headers={"Authorization": f"Token {token.key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200

    page.reload()
    shown = page.locator(f"#_comment-{comment.pk}")
    expect(shown).to_contain_text("Grace")
    expect(shown).to_contain_text("Iron helped me.")


def test_reply_is_posted_under_the_chosen_comment(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    first = Comment.objects.create(
        article=article, name="Ann", email="ann@example.org", body="Top.", status="approved"
    )
    open_article(page, site)
    page.get_by_role("button", name="Reply to Ann").click()
    expect(page.locator(".replying-to")).to_contain_text("Replying to Ann.")
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_be_focused()
    post_comment(page, name="Ben", email="ben@example.org", body="A reply.")
    expect(page.locator(".form-status")).to_have_text(PENDING)
    assert Comment.objects.get(name="Ben").parent == first
    expect(page.locator(".replying-to")).to_be_hidden()


def test_a_known_author_s_comment_joins_the_thread_at_once(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    Comment.objects.create(
        article=article, name="Ann", email="ann@example.org", body="Before.", status="approved"
    )
    open_article(page, site)
    page.evaluate("window.samePage = true")
    post_comment(page, name="Ann", email="ann@example.org", body="Ferritin was low.")
    added = page.locator(".comment", has_text="Ferritin was low.")
    expect(added).to_be_visible()
    expect(page.locator("#_comments")).to_have_text("Comments (2)")
    # The thread, as the server renders it now, with the controls on every comment.
    expect(added.get_by_role("button", name="Reply to Ann")).to_be_visible()
    expect(page.locator(".comment details.report")).to_have_count(2)
    assert page.evaluate("window.samePage")


def test_no_reply_is_offered_at_the_deepest_level(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    parent = None
    for level in range(1, 6):  # RLS_COMMENTS["MAX_DEPTH"] is 5
        parent = Comment.objects.create(
            article=article,
            parent=parent,
            name=f"Level {level}",
            email=f"level{level}@example.org",
            body=f"At depth {level}.",
            status="approved",
        )
    open_article(page, site)
    for level in range(1, 5):
        expect(page.get_by_role("button", name=f"Reply to Level {level}")).to_be_visible()
    expect(page.locator("#_comment-" + str(parent.pk))).to_contain_text("At depth 5.")
    expect(page.get_by_role("button", name="Reply to Level 5")).to_have_count(0)


def test_cancelled_reply_posts_a_top_level_comment(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    Comment.objects.create(
        article=article, name="Ann", email="ann@example.org", body="Top.", status="approved"
    )
    open_article(page, site)
    page.get_by_role("button", name="Reply to Ann").click()
    page.get_by_role("button", name="Cancel reply").click()
    post_comment(page, name="Cy", email="cy@example.org", body="Not a reply.")
    expect(page.locator(".form-status")).to_have_text(PENDING)
    assert Comment.objects.get(name="Cy").parent is None


def test_server_refusal_of_the_parent_is_shown(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    first = Comment.objects.create(
        article=article, name="Ann", email="ann@example.org", body="Top.", status="approved"
    )
    open_article(page, site)
    page.get_by_role("button", name="Reply to Ann").click()
    Comment.objects.filter(pk=first.pk).update(status="removed")  # gone meanwhile
    post_comment(page, name="Ben", email="ben@example.org", body="Too late.")
    expect(page.locator(".form-status")).to_contain_text("approved comment")


def test_unticking_the_box_forgets_the_saved_details(page: Page, site):
    open_article(page, site)
    fill_form(page, name="Sam", email="sam@example.org", body="Saved.")
    page.get_by_label("Save my name, email, and website").check()
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".form-status")).to_have_text(PENDING)
    assert page.evaluate("localStorage.getItem('rls_cms.commenter')") is not None
    page.get_by_label("Save my name, email, and website").uncheck()
    assert page.evaluate("localStorage.getItem('rls_cms.commenter')") is None


def test_a_javascript_website_never_becomes_a_link(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    Comment.objects.create(
        article=article,
        name="Eve",
        email="eve@example.org",
        website="javascript:alert(document.domain)",
        body="Click my name.",
        status="approved",
    )
    open_article(page, site)
    author = page.locator(".comment-author")
    expect(author).to_have_text("Eve")
    expect(author.locator("a")).to_have_count(0)


def test_more_comments_than_a_page_are_shown_on_request(page: Page, site, api_requests):
    article = Article.objects.get(slug=DEMO_SLUG)
    first = Comment.objects.create(
        article=article, name="Ann", email="ann@example.org", body="Top.", status="approved"
    )
    Comment.objects.bulk_create(
        Comment(
            article=article,
            name=f"Reader {n}",
            email=f"reader{n}@example.org",
            body=f"Comment {n}.",
            body_html=f"<p>Comment {n}.</p>",
            status="approved",
        )
        for n in range(PER_PAGE)
    )
    # A reply on the second page to a comment on the first.
    reply = Comment.objects.create(
        article=article, parent=first, name="Ben", email="ben@example.org", body="Late reply.",
        status="approved",
    )  # fmt: skip
    open_article(page, site)
    expect(page.locator(".comment")).to_have_count(PER_PAGE)
    page.evaluate("window.samePage = true")
    # Two clicks at once: the second, while the first loads, adds nothing twice.
    page.get_by_role("link", name="More comments").evaluate(
        "link => { link.click(); link.click(); }"
    )
    expect(page.locator(".comment")).to_have_count(PER_PAGE + 2)
    expect(page.get_by_role("link", name="More comments")).to_have_count(0)
    assert page.evaluate("window.samePage")  # added in place, not a new page
    # The late reply sits under the comment it answers, and the reader goes on there.
    expect(page.locator(f"#_comment-{first.pk} .replies #_comment-{reply.pk}")).to_be_visible()
    expect(page.locator(".comment").last).to_be_focused()
    # The comments that came later can be answered and reported like the others.
    last = page.locator(".comment").last
    expect(last.get_by_role("button", name=f"Reply to Reader {PER_PAGE - 1}")).to_be_visible()
    expect(last.locator("details.report")).to_have_count(1)


def test_replies_are_shown_under_their_comment(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    first = Comment.objects.create(
        article=article, name="Ann", email="ann@example.org", body="Top.", status="approved"
    )
    reply = Comment.objects.create(
        article=article,
        parent=first,
        name="Ben",
        email="ben@example.org",
        body="Reply.",
        status="approved",
    )
    open_article(page, site)
    expect(page.locator(f"#_comment-{first.pk} .replies #_comment-{reply.pk}")).to_contain_text(
        "Reply."
    )


# --- accessibility and looks ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", ARTICLE_PATH])
def test_page_has_no_serious_or_critical_accessibility_violations(
    browser, site, serious_violations, path
):
    # The page's Content-Security-Policy refuses injected scripts, axe included.
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(site + path)
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []


def test_screenshots_at_desktop_and_phone_widths(page: Page, site, output_path):
    for name, size in (("desktop", (1280, 900)), ("phone", (390, 844))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        open_article(page, site)
        # Readable at this width: nothing runs off the side of the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        target = Path(output_path) / f"article-{name}.png"
        page.screenshot(path=target, full_page=True)
        assert target.stat().st_size > 10_000


def test_form_works_from_the_keyboard_alone(page: Page, site):
    open_article(page, site)
    page.get_by_role("textbox", name="Name", exact=True).focus()
    page.keyboard.type("Kim Keys")
    page.keyboard.press("Tab")
    page.keyboard.type("kim@example.org")
    page.keyboard.press("Tab")  # website, optional
    page.keyboard.press("Tab")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")  # the save checkbox
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Post Comment")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".form-status")).to_have_text(PENDING)
    assert Comment.objects.get().name == "Kim Keys"


def test_errors_are_announced(page: Page, site):
    open_article(page, site)
    page.get_by_role("button", name="Post Comment").click()
    status = page.locator(".form-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).not_to_be_empty()
    described = page.locator("#_comment-name").get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).not_to_be_empty()


def test_print_stylesheet_keeps_the_article_and_drops_the_form(page: Page, site):
    open_article(page, site)
    page.emulate_media(media="print")
    expect(page.locator(".comment-form")).to_be_hidden()
    expect(page.locator(".references")).to_be_visible()
    expect(page.locator("article h1")).to_be_visible()


# --- preview ------------------------------------------------------------------


def test_a_preview_link_shows_the_draft_under_a_banner(page: Page, site):
    from articles.preview import preview_token
    from tests.factories import ArticleFactory, SectionFactory

    draft = ArticleFactory(draft=True, title="A draft about ferritin")
    SectionFactory(article=draft, heading="Not yet public")
    page.goto(f"{site}/articles/{draft.slug}/?preview={preview_token(draft)}")
    # The token traded for a cookie: the address shown holds none.
    expect(page).to_have_url(f"{site}/articles/{draft.slug}/preview/")
    expect(page.locator(".preview-banner")).to_contain_text("Preview")
    expect(page.locator("article h1")).to_have_text("A draft about ferritin")
    expect(page.get_by_role("heading", name="Not yet public")).to_be_visible()
    expect(page.locator(".comments")).to_have_count(0)
    # A draft has no publication date to show.
    expect(page.locator(".dates")).to_contain_text("Draft")
    expect(page.locator(".dates")).not_to_contain_text("Published")


def test_an_altered_preview_link_says_so(page: Page, site):
    page.goto(f"{site}/articles/anything/?preview=not-a-token")
    expect(page.locator("h1")).to_have_text("Preview link not valid")
    expect(page.locator("main")).to_contain_text("This is not a valid preview link.")


# --- citations ----------------------------------------------------------------


def test_a_citation_leads_to_its_reference_and_back(page: Page, site):
    from tests.factories import ArticleFactory, ReferenceFactory, SectionFactory

    article = ArticleFactory(title="Iron and the legs")
    SectionFactory(article=article, heading="Causes", body="Low iron matters.[^1]", position=1)
    ReferenceFactory(article=article, title="Iron in restless legs", position=1)
    page.goto(f"{site}/articles/{article.slug}/")

    citation = page.locator("article sup a", has_text="1")
    expect(citation).to_have_attribute("href", "#ref-1")
    citation.click()
    expect(page).to_have_url(f"{site}/articles/{article.slug}/#ref-1")
    reference = page.locator("#ref-1")
    expect(reference).to_contain_text("Iron in restless legs")
    # The reference the reader jumped to stands out from the others.
    expect(reference).to_have_css("background-color", "rgb(255, 248, 230)")

    reference.get_by_role("link", name="Back to Causes").click()
    expect(page).to_have_url(f"{site}/articles/{article.slug}/#causes")
    expect(page.get_by_role("heading", name="Causes")).to_be_in_viewport()
