"""The article's admin page, as an editor uses it, in a real browser."""

from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image as PILImage
from playwright.sync_api import Page, expect

from articles.models import Article
from tests.articles.test_long_articles import long_article
from tests.factories import ArticleFactory, ImageFactory, ReferenceFactory, SectionFactory


@pytest.fixture
def article(transactional_db):
    article = ArticleFactory(title="Iron and restless legs", slug="iron", draft=True)
    for n, heading in enumerate(["Causes", "Symptoms", "Treatment"], start=1):
        SectionFactory(article=article, heading=heading, body=f"About {heading}.", position=n)
    for n, title in enumerate(["First study", "Second study"], start=1):
        ReferenceFactory(article=article, title=title, position=n)
    return article


@pytest.fixture
def change_page(page: Page, live_server, django_user_model, article) -> Page:
    return log_in_to_change_page(page, live_server, django_user_model, article)


def log_in_to_change_page(
    page: Page, live_server, django_user_model, article, username: str = "editor"
) -> Page:
    """The article's change page, the editor (or ``username``) logged in."""
    django_user_model.objects.create_superuser(username, f"{username}@example.org", "pw")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/articles/article/{article.pk}/change/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#sections-group")).to_be_visible()
    # The sortable lists are set up on the window's load event.
    page.wait_for_load_state("load")
    return page


def save(page: Page) -> None:
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def png_file() -> dict:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (20, 90, 160)).save(buffer, "PNG")
    return {"name": "iron.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def drag(page: Page, handle, *, onto) -> None:
    """Drag ``handle`` with the mouse, in small steps as a hand does, above ``onto``.

    The list animates each move and takes the next only after it: the mouse
    goes on moving, a few pixels at a time, until the row stands above the
    other, whatever the machine's speed (no fixed pause). A drag the list did
    not take up (a loaded machine can lose the first moves) is let go and
    begun again, as a hand would.
    """
    # The mouse reaches only what is on screen: a screen that holds both.
    page.set_viewport_size({"width": 1280, "height": 4000})
    # The rows themselves: the locators would find other rows once these move.
    grip, other_grip = handle.element_handle(), onto.element_handle()
    row = grip.evaluate_handle("h => h.closest('.inline-related')")
    other = other_grip.evaluate_handle("h => h.closest('.inline-related')")
    above = "(row, other) => Boolean(row.compareDocumentPosition(other) & 4)"  # FOLLOWING
    for _attempt in range(3):
        start, target = grip.bounding_box(), other_grip.bounding_box()
        x, y = start["x"] + 20, start["y"] + start["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        goal = target["y"] - 10
        deadline = time.monotonic() + 10
        while not row.evaluate(above, other) and time.monotonic() < deadline:
            # Down the way to just above the target, then a pixel to and fro there.
            y = max(goal, y - 12) if y > goal else (goal - 1 if y == goal else goal)
            page.mouse.move(x, y, steps=2)
        page.mouse.up()
        if row.evaluate(above, other):
            return
    raise AssertionError("the row did not move above the other")


def open_row(page: Page, row_id: str):
    """Open a saved row (closed until then) as the editor does: its Edit button."""
    row = page.locator(f"#{row_id}")
    row.get_by_role("button", name=re.compile("^Edit")).click()
    expect(row.locator(f'[name="{row_id}-id"]')).to_have_count(1)
    expect(row.locator("input:not([type=hidden]), textarea").first).to_be_visible()
    return row


def add_section(page: Page, heading: str):
    page.locator("#sections-group").get_by_role("button", name="Add another Section").click()
    added = page.locator("#sections-group .inline-related:not(.has_original):not(.empty-form)")
    # Its id now: Django renumbers the added forms when one is removed.
    form = page.locator("#" + added.last.get_attribute("id"))
    form.locator('input[name$="-heading"]').fill(heading)
    return form


def test_dragging_a_section_to_the_top_reorders_the_article(change_page: Page, article):
    handles = change_page.locator("#sections-group .inline-related.has_original h3")
    drag(change_page, handles.nth(2), onto=handles.nth(0))
    labels = change_page.locator("#sections-group .inline-related.has_original .inline_label")
    expect(labels).to_have_text(["Treatment", "Causes", "Symptoms"])
    save(change_page)

    headings = list(article.sections.values_list("heading", flat=True))
    assert headings == ["Treatment", "Causes", "Symptoms"]
    expect(
        change_page.locator("#sections-group .inline-related.has_original .inline_label")
    ).to_have_text(["Treatment", "Causes", "Symptoms"])


def test_an_image_follows_a_section_added_on_the_same_page(change_page: Page, article):
    add_section(change_page, "Iron and sleep")
    change_page.locator("#images-group").get_by_role("button", name="Add another Image").click()
    image = change_page.locator("#images-0")
    image.locator('input[type="file"]').set_input_files(png_file())
    image.get_by_label("Alt text").fill("A drop of blood.")
    place = image.get_by_label("After section")
    expect(place.locator("option")).to_have_text(
        ["---------", "Causes", "Symptoms", "Treatment", "Iron and sleep (new)"]
    )
    place.select_option(label="Iron and sleep (new)")
    save(change_page)

    saved = article.images.get()
    assert saved.after_section == article.sections.get(heading="Iron and sleep")
    expect(change_page.locator("#images-0").get_by_label("After section")).to_have_value(
        str(saved.after_section.pk)
    )


def test_a_new_section_choice_follows_its_section_when_another_is_removed(
    change_page: Page, article
):
    first = add_section(change_page, "Ferritin")
    add_section(change_page, "Sleep hygiene")
    change_page.locator("#images-group").get_by_role("button", name="Add another Image").click()
    image = change_page.locator("#images-0")
    place = image.get_by_label("After section")
    place.select_option(label="Sleep hygiene (new)")
    expect(place).to_have_value("sections-4")

    # Typing renames the choice, clearing the heading keeps it; removing the
    # first new section renumbers the second.
    heading = change_page.locator("#sections-4").locator('input[name$="-heading"]')
    heading.fill("")
    expect(place.locator("option:checked")).to_have_text("a section without a heading (new)")
    heading.fill("Sleep")
    expect(place.locator("option:checked")).to_have_text("Sleep (new)")
    first.locator(".inline-deletelink").click()
    expect(place).to_have_value("sections-3")
    expect(place.locator("option")).to_have_text(
        ["---------", "Causes", "Symptoms", "Treatment", "Sleep (new)"]
    )

    image.locator('input[type="file"]').set_input_files(png_file())
    image.get_by_label("Alt text").fill("A bedroom at night.")
    save(change_page)

    assert list(article.sections.values_list("heading", flat=True)) == [
        "Causes",
        "Symptoms",
        "Treatment",
        "Sleep",
    ]
    assert article.images.get().after_section.heading == "Sleep"
    assert Article.objects.count() == 1


def test_removing_the_chosen_new_section_puts_the_image_back_in_its_saved_place(
    page: Page, live_server, django_user_model, article, media_root
):
    ImageFactory(article=article, after_section=article.sections.get(heading="Symptoms"))
    change_page = log_in_to_change_page(page, live_server, django_user_model, article)
    new = add_section(change_page, "Iron")
    place = change_page.locator("#images-0").get_by_label("After section")
    place.select_option(label="Iron (new)")

    new.locator(".inline-deletelink").click()

    expect(place.locator("option:checked")).to_have_text("Symptoms")
    expect(place.locator("option")).to_have_count(4)


def test_a_section_added_on_the_page_previews_its_markdown(change_page: Page, article):
    form = add_section(change_page, "Iron and sleep")
    form.locator("textarea.markdownx-editor").fill("Low iron **worsens** sleep [^1].")
    preview = form.locator(".markdownx-preview")
    expect(preview.locator("strong")).to_have_text("worsens")
    expect(preview.locator('sup a[href="#ref-1"]')).to_have_text("1")

    # A second added row previews too, and the saved rows still do.
    second = add_section(change_page, "Ferritin")
    second.locator("textarea.markdownx-editor").fill("*Ferritin* below 75.")
    expect(second.locator(".markdownx-preview em")).to_have_text("Ferritin")
    saved = open_row(change_page, "sections-0")
    saved.locator("textarea.markdownx-editor").fill("Now **edited**.")
    expect(saved.locator(".markdownx-preview strong")).to_have_text("edited")


def test_the_slug_follows_the_title_as_it_is_typed(
    page: Page, live_server, django_user_model, article
):
    log_in_to_change_page(page, live_server, django_user_model, article)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Iron & Restless Legs")
    expect(page.locator("#id_slug")).to_have_value("iron-restless-legs")


def test_a_second_editors_save_is_refused_with_the_first_ones_change(
    change_page: Page, article, browser, live_server, django_user_model
):
    # Jane opens the same article in her own browser and saves first.
    other = browser.new_context()
    jane = other.new_page()
    log_in_to_change_page(jane, live_server, django_user_model, article, "jane")
    jane.get_by_label("Intro").fill("Iron is the key.")
    save(jane)
    other.close()

    open_row(change_page, "sections-0")
    change_page.locator('input[name="sections-0-heading"]').fill("What causes it")
    change_page.get_by_role("button", name="Save and continue editing").click()
    expect(change_page.locator(".errornote")).to_be_visible()
    expect(change_page.locator(".errorlist.nonfield")).to_contain_text("jane saved this article")
    expect(change_page.locator(".edit-conflict")).to_contain_text("Iron is the key.")
    expect(change_page.locator('input[name="sections-0-heading"]')).to_have_value("What causes it")
    expect(change_page.get_by_label("Intro")).to_have_value("Iron is the key.")
    save(change_page)
    article.refresh_from_db()
    assert (article.intro, article.sections.first().heading) == (
        "Iron is the key.",
        "What causes it",
    )


def test_a_long_article_saves_under_djangos_field_limit(page: Page, live_server, django_user_model):
    review = long_article(sections=130, references=60)  # about 1,800 fields on the page
    log_in_to_change_page(page, live_server, django_user_model, review)
    open_row(page, "sections-41").locator('input[name="sections-41-heading"]').fill(
        "Finding 42, revised"
    )
    open_row(page, "references-7").locator('input[name="references-7-year"]').fill("2021")
    save(page)

    assert review.sections.get(position=42).heading == "Finding 42, revised"
    assert review.references.get(position=8).year == 2021
    assert review.sections.count() == 130 and review.references.count() == 60


def test_a_closed_row_opens_with_its_form_keeps_its_place_and_saves(change_page: Page, article):
    rows = change_page.locator("#sections-group .inline-related.has_original")
    expect(rows.locator("textarea")).to_have_count(0)  # every saved row closed
    handles = rows.locator("h3")
    drag(change_page, handles.nth(2), onto=handles.nth(0))
    expect(rows.locator(".inline_label")).to_have_text(["Treatment", "Causes", "Symptoms"])

    treatment = open_row(change_page, "sections-2")
    treatment.get_by_label("Heading").fill("Treatment and iron")
    treatment.locator("textarea.markdownx-editor").fill("Iron **tablets**.")
    expect(treatment.locator(".markdownx-preview strong")).to_have_text("tablets")
    reference = open_row(change_page, "references-0")
    expect(reference.locator(".datetimeshortcuts").first).to_be_visible()  # the calendar
    save(change_page)

    assert list(article.sections.values_list("heading", flat=True)) == [
        "Treatment and iron",
        "Causes",
        "Symptoms",
    ]
    assert article.sections.get(heading="Treatment and iron").body == "Iron **tablets**."


def test_a_row_opened_after_the_forms_are_renumbered_is_still_itself(change_page: Page, article):
    rows = change_page.locator("#sections-group .inline-related.has_original")
    handles = rows.locator("h3")
    drag(change_page, handles.nth(2), onto=handles.nth(0))
    expect(rows.locator(".inline_label")).to_have_text(["Treatment", "Causes", "Symptoms"])
    # Adding a section and removing it makes Django renumber the forms in page order.
    added = add_section(change_page, "Not kept")
    added.locator(".inline-deletelink").click()
    expect(rows.first).to_have_attribute("id", "sections-0")

    treatment = open_row(change_page, "sections-0")
    treatment.get_by_label("Heading").fill("Treatment and iron")
    save(change_page)

    assert list(article.sections.values_list("heading", flat=True)) == [
        "Treatment and iron",
        "Causes",
        "Symptoms",
    ]
