"""The editor's journey through a change to a live article, with a medical sign-off
required: edit, preview, sign off as a reviewer, publish the changes. In Chromium."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Browser, Page, expect

from articles.models import Article, Reviewer
from tests.e2e.conftest import DEMO_SLUG

NEW_INTRO = "Restless legs syndrome affects up to one adult in ten."


@pytest.fixture
def signoff_required(settings):
    settings.RLS_ARTICLES = {**settings.RLS_ARTICLES, "REQUIRE_SIGNOFF": True}


@pytest.fixture
def people(site, django_user_model):
    """An editor who may edit and publish, and a reviewer who may only view and sign off."""
    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles").exclude(
            codename="sign_off_article"
        )
    )
    reviewer = django_user_model.objects.create_user("drlee", password="pw", is_staff=True)
    reviewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_article", "sign_off_article"])
    )
    Reviewer.objects.create(user=reviewer, display_name="Dr Ann Lee", credentials="MD")
    return Article.objects.get(slug=DEMO_SLUG)


def log_in(page: Page, site: str, username: str, next_path: str) -> None:
    page.goto(f"{site}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()


def test_an_editor_changes_a_live_article_a_reviewer_signs_off_and_the_editor_publishes(
    page: Page, browser: Browser, site: str, people, signoff_required
):
    article = people
    change = f"/admin/articles/article/{article.pk}/change/"
    reader = browser.new_page()
    reader.goto(f"{site}/articles/{DEMO_SLUG}/")
    expect(reader.locator(".intro")).not_to_contain_text(NEW_INTRO)

    # The editor changes the intro of the live article and saves.
    log_in(page, site, "editor", change)
    state = page.locator("#publication-state")
    expect(state).to_contain_text("Published: this page shows what readers see.")
    page.locator('textarea[name="intro"]').fill(NEW_INTRO)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .warning")).to_contain_text("saved as a draft")
    expect(state).to_contain_text("Published, with unpublished changes")

    # Readers still see the published version.
    reader.reload()
    expect(reader.locator(".intro")).not_to_contain_text(NEW_INTRO)

    # The preview shows the draft.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Preview").click()
    preview = opened.value
    expect(preview.locator(".preview-banner")).to_be_visible()
    expect(preview.locator(".intro")).to_contain_text(NEW_INTRO)
    preview.close()

    # Unsigned, the changes cannot be published.
    page.get_by_role("link", name="Review the unpublished changes").click()
    expect(page.locator("#sign-off-state")).to_contain_text("no medical sign-off")
    expect(page.locator("table.diff")).to_contain_text(NEW_INTRO[:40])
    expect(page.get_by_role("button", name="Publish changes")).to_be_disabled()

    # The reviewer, who cannot edit, reads the text and signs it off.
    reviewer_context = browser.new_context()
    reviewer_page = reviewer_context.new_page()
    log_in(reviewer_page, site, "drlee", change)
    expect(reviewer_page.locator('textarea[name="intro"]')).to_have_count(0)  # read only
    reviewer_page.get_by_role("link", name="Medical sign-off").click()
    expect(reviewer_page.locator("#sign-off-state")).to_contain_text("no medical sign-off")
    reviewer_page.get_by_label("Note").fill("Prevalence checked against the 2024 review.")
    reviewer_page.get_by_role("button", name="Sign off this text").click()
    expect(reviewer_page.locator(".messagelist .success")).to_contain_text(
        "Signed off by Dr Ann Lee."
    )
    reviewer_context.close()

    # The editor publishes the changes; readers see them, with the new review line.
    page.reload()
    expect(page.locator("#sign-off-state")).to_contain_text("signed off by Dr Ann Lee")
    page.get_by_role("button", name="Publish changes").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Published the changes")
    expect(state).to_contain_text("Published: this page shows what readers see.")
    reader.reload()
    expect(reader.locator(".intro")).to_contain_text(NEW_INTRO)
    expect(reader.locator(".dates .reviewer")).to_have_text("Medically reviewed by Dr Ann Lee, MD")
