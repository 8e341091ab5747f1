"""The OpenAPI document's examples are the demo article's real answers, shortened.

Spectral checks that each example fits its schema (tests/contract); this
checks that each still says what the API answers for the demo article.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from articles.api.schema import EXAMPLES

DEMO = "what-causes-restless-legs-syndrome"
# Times, review dates (the day load_demo signs off) and stored file names
# differ from one load of the demo to the next.
VARYING = {
    "published_at",
    "updated_at",
    "datePublished",
    "dateModified",
    "url",
    "srcset",
    "last_reviewed_on",
    "lastReviewed",
    "last",
    "next",
}


def stable(value):
    """``value`` without the parts that vary between loads of the demo."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VARYING and k != "image"}
    if isinstance(value, list):
        return [stable(item) for item in value]
    return value


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_the_detail_example_is_the_demo_article_shortened(client, demo):
    live = client.get(f"/api/v1/articles/{DEMO}/").json()
    example = EXAMPLES["ArticleDetail"]
    assert set(example) == set(live)
    for part in ("toc", "sections", "images", "references"):
        shown = len(example[part])
        assert stable(example[part]) == stable(live[part][:shown]), part
    live["json_ld"]["citation"] = live["json_ld"]["citation"][: len(example["json_ld"]["citation"])]
    assert stable(example["json_ld"]) == stable(live["json_ld"])
    whole = {"toc", "sections", "images", "references", "json_ld"}
    assert stable({k: v for k, v in example.items() if k not in whole}) == stable(
        {k: v for k, v in live.items() if k not in whole}
    )


def test_the_list_example_is_the_demo_article_in_the_list(client, demo):
    live = client.get("/api/v1/articles/", {"search": "dopamine"}).json()["results"][0]
    assert stable(EXAMPLES["ArticleListItem"]) == stable(live)
    assert set(EXAMPLES["ArticleListItem"]) == set(live)


def test_the_comment_examples_have_the_fields_of_the_answers(client, demo):
    form = client.options(f"/api/v1/articles/{DEMO}/comments/").json()["actions"]["POST"]
    sent = {name for name, field in form.items() if not field.get("honeypot")}
    assert set(EXAMPLES["CommentForm"]) == sent
    answer = client.post(
        f"/api/v1/articles/{DEMO}/comments/",
        EXAMPLES["CommentForm"],
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert set(EXAMPLES["CommentSubmitted"]) == set(answer.json())
