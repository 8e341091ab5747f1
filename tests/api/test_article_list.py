"""The article list endpoint: order, cursor paging, filters and item shape."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from tests.api.contract import LIST_ITEM_KEYS
from tests.conftest import DEMO_SLUG
from tests.factories import ArticleFactory, SectionFactory, TagFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/articles/"


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def get_list(api_client, **params) -> dict:
    response = api_client.get(LIST_URL, params)
    assert response.status_code == 200
    return response.json()


def slugs(page: dict) -> list[str]:
    return [item["slug"] for item in page["results"]]


def walk(api_client, url: str) -> list[dict]:
    """Follow `next` from ``url`` to the last page; return every page."""
    pages = []
    while url:
        response = api_client.get(url)
        assert response.status_code == 200
        pages.append(response.json())
        url = pages[-1]["next"]
        assert len(pages) <= 100, "the next links never end"
    return pages


# Item shape.


def test_list_item_has_every_contract_key(api_client):
    ArticleFactory()
    item = get_list(api_client)["results"][0]
    assert LIST_ITEM_KEYS - item.keys() == set()


def test_list_item_intro_is_the_article_intro(api_client):
    ArticleFactory(intro="An *intro* paragraph.")
    assert get_list(api_client)["results"][0]["intro"] == "An *intro* paragraph."


def test_list_item_tags_have_name_and_slug(api_client):
    ArticleFactory(tags=[TagFactory(name="Sleep", slug="sleep")])
    assert get_list(api_client)["results"][0]["tags"] == [{"name": "Sleep", "slug": "sleep"}]


def test_list_item_url_is_a_path_by_default(api_client):
    # One stored document serves every host name the site answers to.
    article = ArticleFactory()
    assert get_list(api_client)["results"][0]["url"] == f"/api/v1/articles/{article.slug}/"


def test_list_item_url_is_absolute_under_the_configured_base_url(api_client, settings):
    settings.RLS_ARTICLES = {"BASE_URL": "https://cms.example.org"}
    article = ArticleFactory()
    url = get_list(api_client)["results"][0]["url"]
    assert url == f"https://cms.example.org/api/v1/articles/{article.slug}/"


def test_list_item_url_points_to_the_article_detail(api_client):
    article = ArticleFactory()
    url = get_list(api_client)["results"][0]["url"]
    assert urlsplit(url).path == f"/api/v1/articles/{article.slug}/"
    response = api_client.get(url)
    assert response.status_code == 200
    assert response.json()["slug"] == article.slug


def test_demo_article_is_listed_with_its_detail_url(api_client, demo_article):
    item = get_list(api_client)["results"][0]
    assert item["slug"] == DEMO_SLUG
    assert api_client.get(item["url"]).json()["title"] == demo_article.title


def test_list_is_served_as_json(api_client):
    response = api_client.get(LIST_URL)
    assert response["Content-Type"].startswith("application/json")


def test_empty_list_has_no_results_and_no_links(api_client):
    page = get_list(api_client)
    assert page["results"] == []
    assert page["next"] is None
    assert page["previous"] is None


# Order.


def test_list_is_newest_first_by_published_at(api_client):
    # Created in an order that is neither oldest nor newest first.
    ArticleFactory(slug="middle", published_at=hours_ago(2))
    ArticleFactory(slug="newest", published_at=hours_ago(1))
    ArticleFactory(slug="oldest", published_at=hours_ago(3))
    assert slugs(get_list(api_client)) == ["newest", "middle", "oldest"]


def test_list_order_ignores_creation_and_update_times(api_client):
    older = ArticleFactory(slug="older", published_at=hours_ago(5))
    ArticleFactory(slug="newer", published_at=hours_ago(1))
    older.title = "Edited just now"
    older.save()
    assert slugs(get_list(api_client)) == ["newer", "older"]


def test_articles_published_at_the_same_time_are_all_listed(api_client):
    when = hours_ago(1)
    for n in range(3):
        ArticleFactory(slug=f"same-{n}", published_at=when)
    assert sorted(slugs(get_list(api_client))) == ["same-0", "same-1", "same-2"]


# Cursor paging.


def test_first_page_has_a_next_link_and_no_previous_link(api_client):
    ArticleFactory.create_batch(3)
    page = get_list(api_client, page_size=2)
    assert len(page["results"]) == 2
    assert page["next"]
    assert page["previous"] is None


def test_next_link_is_a_cursor_link(api_client):
    ArticleFactory.create_batch(3)
    next_url = get_list(api_client, page_size=2)["next"]
    assert "cursor" in parse_qs(urlsplit(next_url).query)


def test_next_link_keeps_the_page_size(api_client):
    ArticleFactory.create_batch(5)
    next_url = get_list(api_client, page_size=2)["next"]
    assert len(api_client.get(next_url).json()["results"]) == 2


def test_walking_next_returns_every_public_article_exactly_once(api_client):
    expected = {ArticleFactory(published_at=hours_ago(n + 1)).slug for n in range(7)}
    pages = walk(api_client, f"{LIST_URL}?page_size=2")
    listed = [item["slug"] for page in pages for item in page["results"]]
    assert len(pages) == 4
    assert len(listed) == len(set(listed))
    assert set(listed) == expected


def test_walking_next_keeps_newest_first_order_across_pages(api_client):
    for n in range(5):
        ArticleFactory(slug=f"a-{n}", published_at=hours_ago(n + 1))
    pages = walk(api_client, f"{LIST_URL}?page_size=2")
    assert [slug for page in pages for slug in slugs(page)] == [f"a-{n}" for n in range(5)]


def test_walking_next_returns_every_article_once_when_publication_times_tie(api_client):
    when = hours_ago(1)
    expected = {ArticleFactory(published_at=when).slug for _ in range(5)}
    pages = walk(api_client, f"{LIST_URL}?page_size=2")
    listed = [item["slug"] for page in pages for item in page["results"]]
    assert len(listed) == len(set(listed))
    assert set(listed) == expected


def test_walking_next_skips_articles_that_are_not_public(api_client):
    public = {ArticleFactory(published_at=hours_ago(n + 1)).slug for n in range(3)}
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)
    pages = walk(api_client, f"{LIST_URL}?page_size=2")
    listed = [item["slug"] for page in pages for item in page["results"]]
    assert sorted(listed) == sorted(public)


def test_last_page_has_no_next_link(api_client):
    ArticleFactory.create_batch(3)
    pages = walk(api_client, f"{LIST_URL}?page_size=2")
    assert pages[-1]["next"] is None
    assert len(pages[-1]["results"]) == 1


def test_previous_link_returns_the_page_before(api_client):
    for n in range(5):
        ArticleFactory(slug=f"a-{n}", published_at=hours_ago(n + 1))
    first = get_list(api_client, page_size=2)
    second = api_client.get(first["next"]).json()
    assert second["previous"]
    back = api_client.get(second["previous"]).json()
    assert slugs(back) == slugs(first)


def test_page_size_of_the_maximum_is_served(api_client):
    ArticleFactory.create_batch(101)
    assert len(get_list(api_client, page_size=100)["results"]) == 100


@pytest.mark.parametrize("page_size", ["101", "0", "-1", "abc", "1.5", ""])
def test_page_size_out_of_range_is_a_bad_request(api_client, page_size):
    response = api_client.get(LIST_URL, {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()


# ?tag=


def test_tag_filter_returns_only_articles_with_that_tag(api_client):
    sleep, diet = TagFactory(slug="sleep"), TagFactory(slug="diet")
    ArticleFactory(slug="about-sleep", tags=[sleep])
    ArticleFactory(slug="about-both", tags=[sleep, diet], published_at=hours_ago(2))
    ArticleFactory(slug="about-diet", tags=[diet])
    ArticleFactory(slug="untagged")
    assert slugs(get_list(api_client, tag="sleep")) == ["about-sleep", "about-both"]


def test_tag_filter_lists_an_article_with_several_tags_once(api_client):
    sleep, diet = TagFactory(slug="sleep"), TagFactory(slug="diet")
    ArticleFactory(slug="about-both", tags=[sleep, diet])
    assert slugs(get_list(api_client, tag="diet")) == ["about-both"]


def test_tag_filter_with_an_unknown_tag_returns_nothing(api_client):
    ArticleFactory(tags=[TagFactory(slug="sleep")])
    assert get_list(api_client, tag="no-such-tag")["results"] == []


def test_tag_filter_matches_the_slug_not_the_name(api_client):
    ArticleFactory(tags=[TagFactory(name="Restless legs syndrome", slug="rls")])
    assert len(get_list(api_client, tag="rls")["results"]) == 1
    assert get_list(api_client, tag="Restless legs syndrome")["results"] == []


def test_tag_filter_finds_the_demo_article_by_a_seed_tag(api_client, demo_article):
    ArticleFactory()
    assert slugs(get_list(api_client, tag="neurology")) == [DEMO_SLUG]


def test_next_link_keeps_the_tag_filter(api_client):
    sleep = TagFactory(slug="sleep")
    tagged = {ArticleFactory(tags=[sleep], published_at=hours_ago(n + 1)).slug for n in range(3)}
    ArticleFactory.create_batch(3)
    pages = walk(api_client, f"{LIST_URL}?tag=sleep&page_size=2")
    assert {item["slug"] for page in pages for item in page["results"]} == tagged


# ?search=


def test_search_matches_the_title(api_client):
    ArticleFactory(slug="hit", title="Iron and sleep")
    ArticleFactory(slug="miss", title="Something else")
    assert slugs(get_list(api_client, search="iron")) == ["hit"]


def test_search_matches_the_intro(api_client):
    ArticleFactory(slug="hit", intro="Ferritin levels matter.")
    ArticleFactory(slug="miss")
    assert slugs(get_list(api_client, search="ferritin")) == ["hit"]


def test_search_matches_section_body_text(api_client):
    SectionFactory(article=ArticleFactory(slug="hit"), body="Dopamine pathways.")
    SectionFactory(article=ArticleFactory(slug="miss"), body="Unrelated text.")
    assert slugs(get_list(api_client, search="dopamine")) == ["hit"]


def test_search_matches_section_heading(api_client):
    SectionFactory(article=ArticleFactory(slug="hit"), heading="Kidney Failure")
    ArticleFactory(slug="miss")
    assert slugs(get_list(api_client, search="kidney")) == ["hit"]


def test_search_is_case_insensitive(api_client):
    ArticleFactory(slug="hit", title="Iron and sleep")
    assert slugs(get_list(api_client, search="IRON")) == ["hit"]


def test_search_requires_every_word_to_match(api_client):
    ArticleFactory(slug="both", title="Iron and sleep")
    ArticleFactory(slug="iron-only", title="Iron supplements")
    ArticleFactory(slug="sleep-only", title="Sleep hygiene")
    assert slugs(get_list(api_client, search="iron sleep")) == ["both"]


def test_search_words_may_match_in_different_parts(api_client):
    article = ArticleFactory(slug="hit", title="Iron", intro="Plain intro.")
    SectionFactory(article=article, body="About pregnancy.")
    ArticleFactory(slug="miss", title="Iron")
    assert slugs(get_list(api_client, search="iron pregnancy")) == ["hit"]


def test_search_lists_an_article_once_when_several_sections_match(api_client):
    article = ArticleFactory(slug="hit")
    SectionFactory.create_batch(3, article=article, body="Dopamine again.")
    assert slugs(get_list(api_client, search="dopamine")) == ["hit"]


def test_search_with_no_match_returns_nothing(api_client):
    ArticleFactory()
    assert get_list(api_client, search="zzzunmatched")["results"] == []


def test_search_finds_the_demo_article_by_section_text(api_client, demo_article):
    # "anesthesia" appears only in the seed's "Spinal Cord Conditions" section.
    ArticleFactory()
    assert slugs(get_list(api_client, search="spinal anesthesia")) == [DEMO_SLUG]


def test_search_and_tag_filters_combine(api_client):
    sleep = TagFactory(slug="sleep")
    ArticleFactory(slug="hit", title="Iron", tags=[sleep])
    ArticleFactory(slug="untagged", title="Iron")
    ArticleFactory(slug="other-title", title="Diet", tags=[sleep])
    assert slugs(get_list(api_client, search="iron", tag="sleep")) == ["hit"]
