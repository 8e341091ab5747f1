from tests.conftest import DEMO_SLUG


def test_demo_article_is_served(api_client, demo_article):
    response = api_client.get(f"/api/v1/articles/{DEMO_SLUG}/")
    assert response.status_code == 200
    assert response.json()["slug"] == DEMO_SLUG
