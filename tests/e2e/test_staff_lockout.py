"""A member of staff who mistypes their password too often, in Chromium: the lockout page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

FAILURE_LIMIT = 3
# The clock runs (the browser and the server wait on it) from a fixed start.
START = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


@pytest.fixture
def low_limit(settings):
    """A limit of three: the live server's thread reads axes' settings on each request."""
    settings.AXES_FAILURE_LIMIT = FAILURE_LIMIT


@pytest.fixture
def editor(transactional_db, django_user_model):
    return django_user_model.objects.create_user("editor", password="pw", is_staff=True)


def try_password(page: Page, password: str):
    """Type ``password`` for the editor into the admin's login form and send it; the answer."""
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Log in").click()
    return answer.value


def test_wrong_passwords_lead_to_the_lockout_page_and_the_right_one_is_refused_there(
    page: Page, live_server, editor, low_limit, serious_violations, output_path
):
    with time_machine.travel(START, tick=True):
        see_the_lockout(page, live_server, serious_violations, output_path)


def see_the_lockout(page: Page, live_server, serious_violations, output_path) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    for _ in range(FAILURE_LIMIT - 1):
        assert try_password(page, "wrong").status == 200
        expect(page.locator(".errornote")).to_contain_text("Please enter the correct username")

    assert try_password(page, "wrong").status == 429
    expect(page.locator("#lockout-reason")).to_contain_text("“editor” from this address")
    expect(page.locator("#lockout-ends")).to_contain_text(
        "Try again in 1\xa0hour (from 15 Jun 2026, 13:00 UTC)"
    )
    expect(page.locator("#lockout-lift")).to_contain_text("An administrator can lift")
    expect(page.locator("#site-name")).to_be_visible()  # the admin's header

    page.get_by_role("link", name="Back to sign-in").click()
    assert try_password(page, "pw").status == 429
    expect(page.locator("#lockout-reason")).to_be_visible()

    for name, (width, height) in (("1280", (1280, 800)), ("390", (390, 844))):
        page.set_viewport_size({"width": width, "height": height})
        # Readable at this width: nothing runs off the side of the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        target = Path(output_path) / f"lockout-{name}.png"
        page.screenshot(path=target, full_page=True)
        assert target.stat().st_size > 5_000
    assert serious_violations(page) == []
