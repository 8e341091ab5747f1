"""The moderation workspace as a moderator uses it, and reports as a reader sends them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from articles.models import Article
from comments.models import Comment, CommentReport
from tests.e2e.conftest import DEMO_SLUG
from tests.factories import CommentFactory

WORKSPACE = "/admin/comments/pendingcomment/"
ARTICLE_PATH = f"/articles/{DEMO_SLUG}/"


@pytest.fixture
def moderator_page(page: Page, site, django_user_model) -> Page:
    """The workspace, a moderator (superuser) logged in."""
    django_user_model.objects.create_superuser("mod", "mod@example.org", "pw", first_name="Mo")
    page.goto(f"{site}/admin/login/?next={WORKSPACE}")
    page.get_by_label("Username").fill("mod")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("Moderation queue")
    return page


def pending(count: int) -> list[Comment]:
    article = Article.objects.get(slug=DEMO_SLUG)
    return [
        CommentFactory(
            article=article,
            name=f"Reader {n}",
            email=f"reader{n}@example.org",
            body=f"Question number {n} about iron.",
            status=Comment.Status.PENDING,
        )
        for n in range(count)
    ]


def open_workspace(page: Page, site: str, tab: str = "pending") -> None:
    page.goto(f"{site}{WORKSPACE}?tab={tab}")
    page.wait_for_load_state("load")


def test_twenty_comments_are_decided_with_twenty_keys_and_no_page_load(moderator_page, site):
    comments = pending(20)
    page = moderator_page
    open_workspace(page, site)
    rows = page.locator(".mq-row")
    expect(rows).to_have_count(20)
    # A page load would drop this mark.
    page.evaluate("window.stillTheSamePage = true")
    # As fast as a person can press: each key decides the next comment while
    # the one before is still being saved.
    for _ in range(20):
        page.keyboard.press("a")
    expect(rows).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator('[data-count="pending"]')).to_have_text("0")
    expect(page.locator("#mq-summary")).to_have_text("0 pending comments")
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.APPROVED}

    # Undo puts the last one back, pending, in the list.
    page.keyboard.press("u")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(comments[-1].body)
    expect(page.locator('[data-count="pending"]')).to_have_text("1")
    last = Comment.objects.get(pk=comments[-1].pk)
    assert (last.status, last.moderated_by, last.moderated_at) == (
        Comment.Status.PENDING,
        None,
        None,
    )
    expect(page.locator('[data-count="pending"]')).to_have_text("1")
    assert page.evaluate("window.stillTheSamePage") is True


def test_keys_move_spam_remove_and_select(moderator_page, site):
    first, second, third = pending(3)
    page = moderator_page
    open_workspace(page, site)
    expect(page.locator(".mq-row.mq-current")).to_have_attribute("data-id", str(first.pk))
    page.keyboard.press("j")
    expect(page.locator(".mq-row.mq-current")).to_have_attribute("data-id", str(second.pk))
    page.keyboard.press("s")
    expect(page.locator(".mq-row")).to_have_count(2)
    page.keyboard.press("k")
    expect(page.locator(".mq-row.mq-current")).to_have_attribute("data-id", str(first.pk))
    page.keyboard.press("d")
    expect(page.locator(".mq-row")).to_have_count(1)
    page.keyboard.press("x")
    expect(page.locator(f"#mq-select-{third.pk}")).to_be_checked()
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Comment.Status.REMOVED,
        second.pk: Comment.Status.SPAM,
        third.pk: Comment.Status.PENDING,
    }
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()


def test_an_ended_session_is_said_and_the_comment_stays(moderator_page, site):
    [comment] = pending(1)
    page = moderator_page
    open_workspace(page, site)
    page.context.clear_cookies()
    page.keyboard.press("a")
    expect(page.locator("#mq-toast")).to_contain_text("Nothing was saved: your session has ended")
    expect(page.locator(".mq-row")).to_have_count(1)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_a_staff_reply_is_posted_in_place_and_shows_on_the_reader_page(moderator_page, site):
    [question] = pending(1)
    page = moderator_page
    open_workspace(page, site)
    page.keyboard.press("r")
    reply_box = page.get_by_label("Your reply to Reader 0, published as staff")
    expect(reply_box).to_be_focused()
    page.keyboard.type("Iron levels are worth checking with your doctor.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".mq-row")).to_have_count(0)
    reply = Comment.objects.get(parent=question)
    assert (reply.staff_reply, reply.status, reply.name) == (True, Comment.Status.APPROVED, "Mo")
    assert Comment.objects.get(pk=question.pk).status == Comment.Status.APPROVED

    page.goto(site + ARTICLE_PATH)
    answer = page.locator(f"#_comment-{reply.pk}")
    expect(answer).to_contain_text("Iron levels are worth checking")
    expect(answer.locator(".staff-badge")).to_have_text("Staff")


def test_without_javascript_a_decision_is_a_form_and_undo_a_button(
    browser, site, django_user_model
):
    [comment] = pending(1)
    django_user_model.objects.create_superuser("mod", "mod@example.org", "pw")
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{site}/admin/login/?next={WORKSPACE}")
    page.get_by_label("Username").fill("mod")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".mq-undo-banner")).to_contain_text("Approved the comment by Reader 0.")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".messagelist")).to_contain_text("Undone")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_the_workspace_fits_desktop_and_phone_and_has_no_serious_accessibility_faults(
    moderator_page, site, serious_violations, output_path
):
    [held] = pending(1)
    held.reasons = [{"rule": "too_many_links", "verdict": "hold", "detail": "3 links, limit 2"}]
    held.save()
    CommentFactory(
        article=held.article,
        status=Comment.Status.PENDING,
        priority=Comment.Priority.URGENT,
        body="I want to end my life.",
        reasons=[
            {
                "rule": "crisis_language",
                "verdict": "hold",
                "detail": "crisis language: “end my life”",
                "spans": [[10, 21]],
            }
        ],
    )
    page = moderator_page
    for name, (width, height) in (("desktop", (1280, 900)), ("phone", (390, 844))):
        page.set_viewport_size({"width": width, "height": height})
        open_workspace(page, site)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # Every row's actions are inside the screen, not cut.
        for box in page.locator(".mq-actions").all():
            bounds = box.bounding_box()
            assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width
        target = Path(output_path) / f"moderation-{name}.png"
        page.screenshot(path=target, full_page=True)
        assert target.stat().st_size > 10_000
    expect(page.locator(".mq-urgent mark")).to_have_text("end my life")
    expect(page.locator(".mq-chip").first).to_have_text("crisis language: “end my life”")
    assert serious_violations(page) == []


def test_a_reader_reports_a_comment_from_the_article_page(page: Page, site):
    article = Article.objects.get(slug=DEMO_SLUG)
    comment = CommentFactory(article=article, name="Loud", status=Comment.Status.APPROVED)
    page.goto(site + ARTICLE_PATH)
    item = page.locator(f"#_comment-{comment.pk}")
    item.locator(".report summary").click()
    item.get_by_role("button", name="Send report").click()
    expect(item.locator(".report-status")).to_have_text("Choose why a moderator should look at it.")
    assert not CommentReport.objects.exists()
    item.get_by_label("Health misinformation").check()
    item.get_by_label("Anything else the moderators should know (optional)").fill("Wrong dose.")
    item.get_by_role("button", name="Send report").click()
    expect(item.locator(".report-thanks")).to_be_visible()
    report = CommentReport.objects.get()
    assert (report.comment_id, report.reason, report.note) == (
        comment.pk,
        "misinformation",
        "Wrong dose.",
    )


def test_a_reader_who_writes_of_crisis_is_shown_support_at_once(page: Page, site):
    page.goto(site + ARTICLE_PATH)
    expect(page.locator(".comment-form")).to_be_visible()
    page.get_by_role("textbox", name="Name", exact=True).fill("Sam")
    page.get_by_role("textbox", name="Email", exact=True).fill("sam@example.org")
    page.get_by_role("textbox", name="Comment", exact=True).fill("Some nights I want to die.")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_role("alert")).to_contain_text("call your local emergency number")
    comment = Comment.objects.get(name="Sam")
    assert (comment.status, comment.priority) == (Comment.Status.PENDING, Comment.Priority.URGENT)
