"""The RSS and Atom feeds, the sitemap and robots.txt: what a feed reader and a crawler get."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def site(settings):
    settings.RLS_ARTICLES = {"SITE_URL": "https://health.example.org"}


@pytest.fixture
def articles():
    # Tagged as it is made: a tag added to the rows afterwards is only the draft's.
    public = ArticleFactory(
        slug="iron",
        title="Iron and sleep",
        byline="Dr Ada Example",
        tags=[TagFactory(name="Sleep")],
    )
    ArticleFactory(slug="draft", draft=True)
    ArticleFactory(slug="later", scheduled=True)
    return public


def test_the_rss_feed_lists_public_articles_with_absolute_links(client, articles):
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "Latest articles"
    assert channel.findtext("link") == "https://health.example.org/"
    items = channel.findall("item")
    assert [item.findtext("link") for item in items] == [
        "https://health.example.org/articles/iron/"
    ]
    [item] = items
    assert item.findtext("title") == "Iron and sleep"
    assert item.findtext("category") == "Sleep"
    assert item.findtext("guid") == "https://health.example.org/articles/iron/"
    assert item.findtext("pubDate")


def test_the_atom_feed_lists_the_same_with_updated_times(client, articles):
    response = client.get("/feed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        "https://health.example.org/articles/iron/"
    ]
    assert entries[0].findtext(f"{ATOM}updated")
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "Dr Ada Example"
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == "https://health.example.org/feed/atom/"


def test_the_request_host_never_reaches_a_link(client, articles, settings):
    settings.ALLOWED_HOSTS = ["*"]
    for path in ("/feed/", "/feed/atom/", "/sitemap.xml", "/robots.txt"):
        body = client.get(path, HTTP_HOST="evil.example").content.decode()
        assert "evil.example" not in body, path


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/"])
def test_a_feed_revalidates_with_its_etag_and_changes_with_the_articles(client, articles, path):
    first = client.get(path)
    etag = first["ETag"]
    assert first["Last-Modified"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    since = first["Last-Modified"]
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    ArticleFactory(slug="new", title="New")
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert b"/articles/new/" in again.content


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/"])
@pytest.mark.parametrize("header", ["If-None-Match", "If-Modified-Since"])
def test_a_304_names_no_length(client, articles, path, header):
    # Not CommonMiddleware's "0" (RFC 9110 allows only the 200's length), nor
    # the 200's length, for which Node's fetch waits on a kept-alive connection.
    first = client.get(path)
    validator = first["ETag" if header == "If-None-Match" else "Last-Modified"]

    response = client.get(path, headers={header: validator})

    assert response.status_code == 304
    assert response.headers.get("Content-Length") is None
    assert response.content == b""


def test_the_sitemap_gives_each_public_article_with_its_last_change(client, articles):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = ET.fromstring(response.content).findall(f"{SITEMAP}url")
    assert [(u.findtext(f"{SITEMAP}loc"), bool(u.findtext(f"{SITEMAP}lastmod"))) for u in urls] == [
        ("https://health.example.org/articles/iron/", True)
    ]
    assert urls[0].findtext(f"{SITEMAP}lastmod") == articles.updated_at.date().isoformat()


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: https://health.example.org/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


@pytest.mark.parametrize("path", ["/feed/", "/feed/atom/", "/sitemap.xml", "/robots.txt"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_feeds_sitemap_and_robots_answer_only_get_and_head(client, path, method):
    assert getattr(client, method)(path).status_code == 405
    assert client.head(path).status_code == 200


def test_feed_size_and_titles_come_from_the_settings(client, settings):
    settings.RLS_ARTICLES = {
        "SITE_URL": "https://health.example.org",
        "FEED_SIZE": 2,
        "FEED_TITLE": "Health news",
    }
    ArticleFactory.create_batch(3)
    channel = ET.fromstring(client.get("/feed/").content).find("channel")
    assert channel.findtext("title") == "Health news"
    assert len(channel.findall("item")) == 2


def test_no_reader_url_means_an_empty_sitemap(client, settings, articles):
    settings.RLS_ARTICLES = {"SITE_URL": "https://health.example.org", "READER_URL": ""}
    urls = ET.fromstring(client.get("/sitemap.xml").content).findall(f"{SITEMAP}url")
    assert urls == []
