"""Bad query input gets a 4xx with a reason, never a 500."""

from __future__ import annotations

import base64

import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/articles/"


def forged_cursor(position: str) -> str:
    """A cursor DRF can decode, whose position is not a date."""
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize("position", ["not-a-date", "9999-12-31T23:59:59-23:59"])
def test_forged_cursor_is_not_found_not_a_server_error(api_client, position):
    ArticleFactory()
    response = api_client.get(LIST_URL, {"cursor": forged_cursor(position)})
    assert response.status_code == 404


def test_garbage_cursor_is_not_found(api_client):
    response = api_client.get(LIST_URL, {"cursor": "garbage"})
    assert response.status_code == 404


def test_search_longer_than_200_characters_is_a_bad_request(api_client):
    response = api_client.get(LIST_URL, {"search": "a" * 201})
    assert response.status_code == 400
    assert "search" in response.json()


def test_search_of_more_than_ten_words_is_a_bad_request(api_client):
    response = api_client.get(LIST_URL, {"search": " ".join(["iron"] * 11)})
    assert response.status_code == 400
    assert "search" in response.json()


def test_search_of_ten_words_is_served(api_client):
    ArticleFactory(title="iron " * 10)
    response = api_client.get(LIST_URL, {"search": " ".join(["iron"] * 10)})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
