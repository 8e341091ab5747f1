"""Structured data (schema.org JSON-LD) and the typed author: who wrote an article,
who publishes it, in which language, at which address; and the list's thumbnails.

Every address in a built document is absolute and comes from settings, never
from a request: the same bytes go to every host.
"""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from articles.api.serializers import THUMBNAIL_SIZES
from articles.conf import content_language
from articles.models import Article, ArticleDocument
from articles.renditions import image_renditions_make
from tests.admin_forms import resubmit
from tests.factories import ArticleFactory, ImageFactory, ReferenceFactory, TagFactory
from tests.schemaorg import validate

pytestmark = pytest.mark.django_db

PERSON = Article.BylineKind.PERSON
ORGANIZATION = Article.BylineKind.ORGANIZATION
SITE = "https://health.example.org"
API = "https://cms.example.org"


def detail(api_client, article: Article) -> dict:
    response = api_client.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 200
    return response.json()


def json_ld(api_client, article: Article) -> dict:
    return detail(api_client, article)["json_ld"]


# The author.


def test_a_person_byline_is_a_person_with_their_page_and_credentials(api_client):
    article = ArticleFactory(
        byline="Dr Jane Doe",
        byline_kind=PERSON,
        byline_url="https://example.org/people/jane-doe",
        byline_credentials="MD, neurologist",
    )

    body = detail(api_client, article)

    assert body["json_ld"]["author"] == {
        "@type": "Person",
        "name": "Dr Jane Doe",
        "url": "https://example.org/people/jane-doe",
        "honorificSuffix": "MD, neurologist",
    }
    assert body["author"] == {
        "name": "Dr Jane Doe",
        "type": "person",
        "url": "https://example.org/people/jane-doe",
        "credentials": "MD, neurologist",
    }
    assert body["byline"] == "Dr Jane Doe"  # the plain byline stays, for older frontends


def test_an_organization_byline_is_an_organization_with_its_page(api_client):
    article = ArticleFactory(
        byline="The editorial team",
        byline_kind=ORGANIZATION,
        byline_url="https://example.org/about/editors",
    )

    body = detail(api_client, article)

    assert body["json_ld"]["author"] == {
        "@type": "Organization",
        "name": "The editorial team",
        "url": "https://example.org/about/editors",
    }
    assert body["author"] == {
        "name": "The editorial team",
        "type": "organization",
        "url": "https://example.org/about/editors",
        "credentials": "",
    }


def test_a_byline_without_a_page_names_the_author_only(api_client):
    article = ArticleFactory(byline="Dr Jane Doe", byline_kind=PERSON)
    assert json_ld(api_client, article)["author"] == {"@type": "Person", "name": "Dr Jane Doe"}


def test_without_a_byline_there_is_no_author(api_client):
    body = detail(api_client, ArticleFactory(byline=""))
    assert body["author"] is None
    assert "author" not in body["json_ld"]


def test_credentials_belong_to_a_person():
    article = ArticleFactory.build(
        byline="The editorial team", byline_kind=ORGANIZATION, byline_credentials="MD"
    )

    with pytest.raises(ValidationError) as raised:
        article.full_clean()

    assert raised.value.message_dict == {
        "byline_credentials": [
            "Credentials belong to a person: choose “A person” or leave them empty."
        ]
    }


def test_an_author_s_page_needs_a_byline():
    article = ArticleFactory.build(byline="", byline_url="https://example.org/people/jane-doe")

    with pytest.raises(ValidationError) as raised:
        article.full_clean()

    assert raised.value.message_dict == {"byline": ["Name the author in the byline first."]}


def test_credentials_without_a_byline_need_a_byline_and_a_person():
    article = ArticleFactory.build(byline="", byline_kind=PERSON, byline_credentials="MD")

    with pytest.raises(ValidationError) as raised:
        article.full_clean()

    assert raised.value.message_dict == {"byline": ["Name the author in the byline first."]}


def test_a_person_with_a_page_and_credentials_is_valid():
    ArticleFactory.build(
        byline="Dr Jane Doe",
        byline_kind=PERSON,
        byline_url="https://example.org/people/jane-doe",
        byline_credentials="MD",
    ).full_clean()


def test_the_admin_article_page_has_the_author_fields(admin_client):
    article = ArticleFactory()

    page = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()

    for field in ("byline", "byline_kind", "byline_url", "byline_credentials"):
        assert f'name="{field}"' in page
    assert 'value="person"' in page and 'value="organization"' in page


def test_the_admin_refuses_credentials_for_an_organization(admin_client):
    article = ArticleFactory(byline="The editorial team", byline_kind=ORGANIZATION)
    change = f"/admin/articles/article/{article.pk}/change/"

    response = resubmit(admin_client, change, byline_credentials="MD")

    assert response.status_code == 200  # the form again, with the error
    assert "Credentials belong to a person" in response.content.decode()
    article.refresh_from_db()
    assert article.byline_credentials == ""


def test_the_admin_saves_a_person_and_the_api_serves_it_once_published(admin_client, api_client):
    article = ArticleFactory(byline="Editorial team")
    assert detail(api_client, article)["author"]["type"] == "organization"  # built and cached
    change = f"/admin/articles/article/{article.pk}/change/"

    response = resubmit(
        admin_client,
        change,
        byline="Dr Jane Doe",
        byline_kind=PERSON,
        byline_url="https://example.org/people/jane-doe",
        byline_credentials="MD",
    )

    assert response.status_code == 302
    # Saved as the live article's draft: readers keep the published author.
    assert json_ld(api_client, article)["author"]["@type"] == "Organization"
    published = admin_client.post(f"/admin/articles/article/{article.pk}/changes/publish/")
    assert published.status_code == 302
    assert json_ld(api_client, article)["author"] == {
        "@type": "Person",
        "name": "Dr Jane Doe",
        "url": "https://example.org/people/jane-doe",
        "honorificSuffix": "MD",
    }


def import_file(path, text: str) -> None:
    path.write_text(text)
    call_command("import_article", str(path), "--publish", stdout=io.StringIO())


def test_reimporting_under_another_byline_leaves_the_earlier_author_s_details_behind(
    api_client, tmp_path
):
    """The article file has a byline and nothing more ("the file is the whole truth
    about the article", articles.services): the earlier author's kind, page and
    credentials must not end up under the new name."""
    ArticleFactory(
        slug="iron",
        byline="Dr Jane Doe",
        byline_kind=PERSON,
        byline_url="https://example.org/people/jane-doe",
        byline_credentials="MD",
    )

    import_file(
        tmp_path / "iron.md",
        "---\ntitle: Iron\nslug: iron\nbyline: Editorial team\n---\n\nAn intro.\n",
    )

    author = json_ld(api_client, Article.objects.get(slug="iron"))["author"]
    assert author["name"] == "Editorial team"
    assert "honorificSuffix" not in author, author
    assert author.get("url") != "https://example.org/people/jane-doe", author


def test_a_file_without_a_byline_reimports_over_an_article_with_an_author_page(
    api_client, tmp_path
):
    """The file cannot carry an author page, so it cannot be refused for one."""
    ArticleFactory(
        slug="iron", byline="Editorial team", byline_url="https://example.org/about/editors"
    )

    import_file(tmp_path / "iron.md", "---\ntitle: Iron\nslug: iron\n---\n\nAn intro.\n")

    assert "author" not in json_ld(api_client, Article.objects.get(slug="iron"))


# The publisher.


def test_the_publisher_comes_from_the_settings_with_its_logo_on_the_site(api_client, settings):
    settings.RLS_ARTICLES = {
        "SITE_URL": SITE,
        "PUBLISHER_NAME": "Leg Health",
        "PUBLISHER_LOGO": "/static/reader/logo.png",
    }

    assert json_ld(api_client, ArticleFactory())["publisher"] == {
        "@type": "Organization",
        "name": "Leg Health",
        "url": SITE + "/",
        "logo": {"@type": "ImageObject", "url": SITE + "/static/reader/logo.png"},
    }


def test_an_absolute_logo_address_is_kept(api_client, settings):
    settings.RLS_ARTICLES = {
        "SITE_URL": SITE,
        "BASE_URL": API,
        "PUBLISHER_NAME": "Leg Health",
        "PUBLISHER_LOGO": "https://cdn.example.org/logo.png",
    }
    publisher = json_ld(api_client, ArticleFactory())["publisher"]
    assert publisher["logo"] == {"@type": "ImageObject", "url": "https://cdn.example.org/logo.png"}


def test_a_publisher_without_a_logo_has_none(api_client, settings):
    settings.RLS_ARTICLES = {"SITE_URL": SITE, "PUBLISHER_NAME": "Leg Health"}
    publisher = json_ld(api_client, ArticleFactory())["publisher"]
    assert publisher == {"@type": "Organization", "name": "Leg Health", "url": SITE + "/"}


def test_without_a_publisher_name_there_is_no_publisher(api_client, settings):
    settings.RLS_ARTICLES = {"PUBLISHER_NAME": "", "PUBLISHER_LOGO": "/static/reader/logo.png"}
    data = json_ld(api_client, ArticleFactory())
    assert "publisher" not in data
    assert validate(data) == []


def test_the_logo_path_is_on_the_site_even_when_the_api_has_its_own_address(api_client, settings):
    """articles/conf.py: PUBLISHER_LOGO is "a path on SITE_URL or an https address".

    The logo is the reader site's (the demo's is rls_cms/static/reader/logo.png),
    not one of the API's media files: BASE_URL must not move it.
    """
    settings.RLS_ARTICLES = {
        "SITE_URL": SITE,
        "BASE_URL": API,
        "PUBLISHER_NAME": "Leg Health",
        "PUBLISHER_LOGO": "/static/reader/logo.png",
    }
    publisher = json_ld(api_client, ArticleFactory())["publisher"]
    assert publisher["logo"]["url"] == SITE + "/static/reader/logo.png"


# The language.


def test_the_language_is_the_project_s_language_code_as_bcp_47(api_client, settings):
    settings.LANGUAGE_CODE = "en-gb"
    assert json_ld(api_client, ArticleFactory())["inLanguage"] == "en-GB"


def test_the_demo_project_writes_american_english(api_client):
    assert json_ld(api_client, ArticleFactory())["inLanguage"] == "en-US"


def test_the_articles_own_language_setting_wins(api_client, settings):
    settings.LANGUAGE_CODE = "en-us"
    settings.RLS_ARTICLES = {"LANGUAGE": "de-at"}
    assert json_ld(api_client, ArticleFactory())["inLanguage"] == "de-AT"


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("en-us", "en-US"),
        ("EN-GB", "en-GB"),
        ("fr", "fr"),
        ("pt-br", "pt-BR"),
        ("zh-hant", "zh-Hant"),
        ("sr-latn", "sr-Latn"),
        ("es-419", "es-419"),
    ],
)
def test_language_codes_are_written_as_bcp_47_tags(settings, code, tag):
    settings.RLS_ARTICLES = {"LANGUAGE": code}
    assert content_language() == tag


# The article's address.


def test_the_page_s_address_is_the_reader_page_on_the_site(api_client, settings):
    settings.RLS_ARTICLES = {"SITE_URL": SITE + "/", "READER_URL": "/read/{slug}/"}

    data = json_ld(api_client, ArticleFactory(slug="iron"))

    assert data["url"] == SITE + "/read/iron/"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": SITE + "/read/iron/"}


def test_the_default_reader_page_is_under_articles(api_client, settings):
    settings.RLS_ARTICLES = {"SITE_URL": SITE}
    assert json_ld(api_client, ArticleFactory(slug="iron"))["url"] == SITE + "/articles/iron/"


def test_a_reader_page_on_another_host_is_kept_as_it_is(api_client, settings):
    settings.RLS_ARTICLES = {"SITE_URL": SITE, "READER_URL": "https://read.example.org/{slug}"}
    data = json_ld(api_client, ArticleFactory(slug="iron"))
    assert data["url"] == "https://read.example.org/iron"
    assert data["mainEntityOfPage"]["@id"] == "https://read.example.org/iron"


def test_without_a_reader_page_there_is_no_address(api_client, settings):
    settings.RLS_ARTICLES = {"SITE_URL": SITE, "READER_URL": ""}
    data = json_ld(api_client, ArticleFactory(slug="iron"))
    assert "url" not in data
    assert "mainEntityOfPage" not in data
    assert validate(data) == []


# Images.


def test_images_are_under_the_api_s_address_when_it_is_set(api_client, settings):
    settings.RLS_ARTICLES = {"SITE_URL": SITE, "BASE_URL": API}
    image = ImageFactory()

    [address] = json_ld(api_client, image.article)["image"]

    assert address == API + image.file.url
    assert address.startswith(API + "/media/")


def test_images_are_under_the_site_s_address_without_one(api_client, settings):
    settings.RLS_ARTICLES = {"SITE_URL": SITE}
    image = ImageFactory()
    assert json_ld(api_client, image.article)["image"] == [SITE + image.file.url]


def test_images_on_an_absolute_media_address_keep_it(api_client, settings):
    settings.MEDIA_URL = "https://media.example.org/files/"
    settings.RLS_ARTICLES = {"SITE_URL": SITE, "BASE_URL": API}
    image = ImageFactory()

    [address] = json_ld(api_client, image.article)["image"]

    assert address.startswith("https://media.example.org/files/articles/")


def test_images_on_a_scheme_relative_media_address_stay_on_that_host(api_client, settings):
    """MEDIA_URL may be "//media.example.org/" (any URL, Django's docs say): it names
    the host, and must not become a path under SITE_URL."""
    settings.MEDIA_URL = "//media.example.org/files/"
    settings.RLS_ARTICLES = {"SITE_URL": SITE}
    image = ImageFactory()

    [address] = json_ld(api_client, image.article)["image"]

    parts = urlsplit(address)
    assert (parts.scheme in ("http", "https"), parts.netloc) == (True, "media.example.org"), address
    assert parts.path.startswith("/files/articles/")


# Settings change documents: no stale bytes.


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        ({"SITE_URL": "https://moved.example.org"}, "https://moved.example.org/articles/iron/"),
        ({"READER_URL": "/health/{slug}"}, "/health/iron"),
        ({"PUBLISHER_NAME": "Another publisher"}, "Another publisher"),
        ({"PUBLISHER_LOGO": "/static/another-logo.svg"}, "/static/another-logo.svg"),
        ({"LANGUAGE": "en-gb"}, '"en-GB"'),
        ({"BASE_URL": "https://api.example.org"}, "https://api.example.org/media/"),
    ],
)
def test_a_changed_setting_changes_the_served_document(api_client, settings, change, seen):
    before = {
        "SITE_URL": SITE,
        "PUBLISHER_NAME": "Leg Health",
        "PUBLISHER_LOGO": "/static/reader/logo.png",
    }
    settings.RLS_ARTICLES = before
    article = ArticleFactory(slug="iron")
    ImageFactory(article=article)
    url = "/api/v1/articles/iron/"
    first = api_client.get(url)
    assert seen not in first.content.decode()
    assert api_client.get(url).content == first.content  # kept: cached and stored

    settings.RLS_ARTICLES = {**before, **change}
    again = api_client.get(url)

    assert seen in again.content.decode()
    assert again["ETag"] != first["ETag"]
    # The stored document was rebuilt too, not only the cached copy.
    stored = ArticleDocument.objects.get(article=article)
    assert bytes(stored.detail) == again.content


def test_changing_the_site_address_moves_every_address_at_once(api_client, settings):
    settings.RLS_ARTICLES = {"SITE_URL": SITE, "PUBLISHER_NAME": "Leg Health"}
    image = ImageFactory(article=ArticleFactory(slug="iron"))
    assert json_ld(api_client, image.article)["url"] == SITE + "/articles/iron/"

    settings.RLS_ARTICLES = {
        "SITE_URL": "https://moved.example.org",
        "PUBLISHER_NAME": "Leg Health",
    }
    data = json_ld(api_client, image.article)

    assert data["url"] == "https://moved.example.org/articles/iron/"
    assert data["mainEntityOfPage"]["@id"] == "https://moved.example.org/articles/iron/"
    assert data["publisher"]["url"] == "https://moved.example.org/"
    assert data["image"] == ["https://moved.example.org" + image.file.url]
    assert SITE not in api_client.get("/api/v1/articles/iron/").content.decode()


# Citations.


def test_a_reference_without_a_doi_is_a_creative_work_from_its_publisher(api_client):
    reference = ReferenceFactory(
        authors="Silber MH, Buchfuhrer MJ, et al.",
        title="Restless legs syndrome fact sheet",
        source="National Institute of Neurological Disorders and Stroke",
        year=2023,
        doi="",
        url="https://www.ninds.nih.gov/rls",
    )

    [work] = json_ld(api_client, reference.article)["citation"]

    assert work == {
        "@type": "CreativeWork",
        "name": "Restless legs syndrome fact sheet",
        "author": [
            {"@type": "Person", "name": "Silber MH"},
            {"@type": "Person", "name": "Buchfuhrer MJ"},
        ],
        "publisher": {
            "@type": "Organization",
            "name": "National Institute of Neurological Disorders and Stroke",
        },
        "datePublished": "2023",
        "url": "https://www.ninds.nih.gov/rls",
    }
    assert "isPartOf" not in work and "identifier" not in work


def test_a_reference_s_full_date_is_its_publication_date(api_client):
    reference = ReferenceFactory(date=dt.date(2021, 3, 14), year=2021)
    [work] = json_ld(api_client, reference.article)["citation"]
    assert work["datePublished"] == "2021-03-14"


@pytest.mark.parametrize(
    ("authors", "people"),
    [
        ("Silber MH, et al", ["Silber MH"]),
        ("Silber MH, et al.", ["Silber MH"]),
        ("Silber MH, Et Al.", ["Silber MH"]),
        ("Allen RP", ["Allen RP"]),
        ("", []),
    ],
)
def test_et_al_names_nobody(api_client, authors, people):
    reference = ReferenceFactory(authors=authors, doi="")
    [work] = json_ld(api_client, reference.article)["citation"]
    assert [person["name"] for person in work.get("author", [])] == people


# Valid schema.org.


def test_the_demo_article_s_structured_data_is_valid_schema_org(api_client, demo_article):
    data = json_ld(api_client, demo_article)
    assert validate(data) == []
    assert data["author"]["name"] == demo_article.byline
    assert {work["@type"] for work in data["citation"]} == {"ScholarlyArticle", "CreativeWork"}


def test_an_article_with_every_optional_part_is_valid_schema_org(api_client, settings):
    settings.RLS_ARTICLES = {
        "SITE_URL": SITE,
        "BASE_URL": API,
        "PUBLISHER_NAME": "Leg Health",
        "PUBLISHER_LOGO": "/static/reader/logo.png",
        "LANGUAGE": "en-gb",
    }
    article = ArticleFactory(
        byline="Dr Jane Doe",
        byline_kind=PERSON,
        byline_url="https://example.org/people/jane-doe",
        byline_credentials="MD",
        reviewer_name="Dr John Roe",
        reviewer_credentials="MD, PhD",
        last_reviewed_on=dt.date(2026, 5, 1),
        tags=[TagFactory(name="Iron"), TagFactory(name="Sleep")],
    )
    ImageFactory(article=article)
    ImageFactory(article=article)
    ReferenceFactory(article=article, date=dt.date(2021, 3, 14))  # with a DOI
    ReferenceFactory(article=article, doi="", source="NINDS", url="https://example.org/x")

    data = json_ld(api_client, article)

    every = {
        "headline", "description", "inLanguage", "datePublished", "dateModified", "keywords",
        "image", "citation", "url", "mainEntityOfPage", "author", "publisher", "lastReviewed",
        "reviewedBy",
    }  # fmt: skip
    assert every <= set(data)
    assert validate(data) == []


# The list's thumbnails.


def list_item(api_client, article: Article) -> dict:
    [item] = [
        item
        for item in api_client.get("/api/v1/articles/").json()["results"]
        if item["slug"] == article.slug
    ]
    return item


def test_a_list_item_s_thumbnail_is_its_first_image(api_client):
    article = ArticleFactory()
    ImageFactory(article=article, position=2, alt_text="The second figure.")
    first = ImageFactory(article=article, position=1, alt_text="The first figure.")

    thumbnail = list_item(api_client, article)["thumbnail"]

    assert thumbnail == {
        "url": first.file.url,
        "width": 40,
        "height": 30,
        "alt_text": "The first figure.",
        "srcset": f"{first.file.url} 40w",  # no copies of so small a picture
        "srcset_webp": "",
        "sizes": THUMBNAIL_SIZES,
    }


def test_a_thumbnail_s_srcset_starts_with_the_smallest_copy(api_client):
    image = ImageFactory(file__width=1200, file__height=800)
    assert image_renditions_make(image_id=image.pk) > 0  # as the task does after a save

    thumbnail = list_item(api_client, image.article)["thumbnail"]

    entries = thumbnail["srcset"].split(", ")
    assert [entry.rsplit(" ", 1)[1] for entry in entries] == ["480w", "960w", "1200w"]
    assert entries[-1] == f"{image.file.url} 1200w"  # the original ends it
    webp = thumbnail["srcset_webp"].split(", ")
    assert webp[0].endswith(".webp 480w")
    assert [entry.rsplit(" ", 1)[1] for entry in webp] == ["480w", "960w", "1200w"]
    assert thumbnail["sizes"] == THUMBNAIL_SIZES


def test_a_list_item_without_images_has_no_thumbnail(api_client):
    article = ArticleFactory()
    assert list_item(api_client, article)["thumbnail"] is None


def test_the_thumbnail_follows_the_api_s_address(api_client, settings):
    settings.RLS_ARTICLES = {"BASE_URL": API}
    image = ImageFactory()
    thumbnail = list_item(api_client, image.article)["thumbnail"]
    assert thumbnail["url"] == API + image.file.url
    assert thumbnail["srcset"].startswith(API + "/media/")
