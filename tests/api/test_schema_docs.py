"""The OpenAPI document and its browsable docs, with every asset served locally."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.api.contract import ARTICLE_KEYS, LIST_ITEM_KEYS
from tests.conftest import DEMO_SLUG
from tests.factories import ArticleFactory, ImageFactory, ReferenceFactory, SectionFactory

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/schema/"
DOCS_URL = "/api/docs/"
LIST_PATH = "/api/v1/articles/"
DETAIL_PATH = "/api/v1/articles/{slug}/"


class AssetCollector(HTMLParser):
    """Collect every <script src> and <link href> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.assets.append(value)


@pytest.fixture
def yaml_schema(api_client) -> dict:
    response = api_client.get(SCHEMA_URL)
    assert response.status_code == 200
    return yaml.safe_load(response.content)


@pytest.fixture
def json_schema(api_client) -> dict:
    response = api_client.get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def docs_assets(api_client) -> list[str]:
    response = api_client.get(DOCS_URL)
    assert response.status_code == 200
    collector = AssetCollector()
    collector.feed(response.content.decode())
    return collector.assets


def resolve(schema: dict, node: dict) -> dict:
    """Follow a local ``$ref`` such as ``#/components/schemas/Article``."""
    while "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def response_properties(schema: dict, path: str) -> dict:
    ok = schema["paths"][path]["get"]["responses"]["200"]
    return resolve(schema, ok["content"]["application/json"]["schema"])["properties"]


# The schema.


def test_schema_answers_200_to_anyone(api_client):
    assert api_client.get(SCHEMA_URL).status_code == 200


def test_schema_is_served_as_openapi_yaml(api_client):
    response = api_client.get(SCHEMA_URL)
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")


def test_schema_is_an_openapi_3_document(yaml_schema):
    assert str(yaml_schema["openapi"]).startswith("3.")
    assert yaml_schema["info"]["title"]


def test_schema_documents_the_article_list(yaml_schema):
    assert "get" in yaml_schema["paths"][LIST_PATH]


def test_schema_documents_the_article_detail(yaml_schema):
    assert "get" in yaml_schema["paths"][DETAIL_PATH]


def test_schema_is_available_as_json(api_client, json_schema):
    response = api_client.get(SCHEMA_URL, {"format": "json"})
    assert "json" in response["Content-Type"]
    assert str(json_schema["openapi"]).startswith("3.")


def test_json_schema_documents_both_article_paths(json_schema):
    assert {LIST_PATH, DETAIL_PATH} <= json_schema["paths"].keys()


def test_json_and_yaml_schemas_are_the_same_document(yaml_schema, json_schema):
    assert json_schema == yaml_schema


def test_schema_documents_the_list_filters(yaml_schema):
    parameters = yaml_schema["paths"][LIST_PATH]["get"]["parameters"]
    names = {parameter["name"] for parameter in parameters}
    assert {"tag", "search", "cursor"} <= names


def test_schema_documents_the_detail_contract_fields(yaml_schema):
    properties = response_properties(yaml_schema, DETAIL_PATH)
    assert ARTICLE_KEYS - properties.keys() == set()


def test_schema_documents_the_list_item_contract_fields(yaml_schema):
    page = response_properties(yaml_schema, LIST_PATH)
    assert {"next", "previous", "results"} <= page.keys()
    item = resolve(yaml_schema, page["results"]["items"])["properties"]
    assert LIST_ITEM_KEYS - item.keys() == set()


def test_schema_documents_the_reference_doi_url(yaml_schema):
    references = response_properties(yaml_schema, DETAIL_PATH)["references"]
    reference = resolve(yaml_schema, references["items"])["properties"]
    assert {"number", "doi", "doi_url", "citation"} <= reference.keys()


def test_schema_offers_no_write_operations_on_articles(yaml_schema):
    for path in (LIST_PATH, DETAIL_PATH):
        assert set(yaml_schema["paths"][path]) & {"post", "put", "patch", "delete"} == set()


# Responses against the schema: what the frontend's generated client will expect.


def as_json_schema(node):
    """An OpenAPI schema as JSON Schema (3.0's ``nullable``, and ``oneOf`` read as ``anyOf``)."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    # drf-spectacular writes a blank-allowed URL as oneOf [uri string, empty string];
    # without format checking "" matches both, so "one of" is read as "any of".
    node = {
        ("anyOf" if key == "oneOf" else key): as_json_schema(value) for key, value in node.items()
    }
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str) and "enum" not in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def assert_matches_schema(document: dict, schema: dict, path: str) -> None:
    ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    root = {**as_json_schema(ok["schema"]), "components": as_json_schema(schema["components"])}
    jsonschema.validate(document, root, cls=jsonschema.Draft202012Validator)


def test_demo_article_detail_matches_the_schema(api_client, demo_article, json_schema):
    document = api_client.get(f"/api/v1/articles/{DEMO_SLUG}/").json()
    assert_matches_schema(document, json_schema, DETAIL_PATH)


def test_list_page_matches_the_schema(api_client, demo_article, json_schema):
    ArticleFactory.create_batch(2)
    document = api_client.get(LIST_PATH, {"page_size": 1}).json()
    assert document["next"]
    assert_matches_schema(document, json_schema, LIST_PATH)


def test_detail_with_empty_optional_parts_matches_the_schema(api_client, json_schema):
    article = ArticleFactory(last_reviewed_on=None)
    SectionFactory(article=article)
    ReferenceFactory(article=article, year=None, doi="", url="", accessed_on=None)
    ImageFactory(article=article, after_section=None)
    document = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert_matches_schema(document, json_schema, DETAIL_PATH)


def test_schema_allows_a_null_after_section_for_an_image_after_the_intro(yaml_schema):
    # The API serves null for an image placed after the intro (see test_article_detail).
    images = response_properties(yaml_schema, DETAIL_PATH)["images"]
    after_section = resolve(yaml_schema, images["items"])["properties"]["after_section"]
    # OpenAPI 3.1: JSON Schema's own null.
    assert after_section["type"] == ["string", "null"]


# The docs page.


def test_docs_answer_200_html_to_anyone(api_client):
    response = api_client.get(DOCS_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_docs_page_loads_scripts_and_stylesheets(docs_assets):
    assert any(asset.endswith(".js") for asset in docs_assets)
    assert any(asset.endswith(".css") for asset in docs_assets)


def test_docs_assets_are_local_paths(docs_assets):
    assert docs_assets
    for asset in docs_assets:
        assert asset.startswith("/")
        assert not asset.startswith("//"), f"{asset} is a protocol-relative (CDN) URL"


def test_docs_assets_never_come_from_another_host(docs_assets):
    assert [a for a in docs_assets if a.lower().startswith(("http://", "https://"))] == []


def test_docs_static_assets_exist_in_the_static_files(docs_assets):
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    static_assets = [asset for asset in docs_assets if asset.startswith(static_prefix)]
    assert static_assets
    for asset in static_assets:
        path = asset.removeprefix(static_prefix).split("?")[0].split("#")[0]
        assert finders.find(path), f"{asset} is not a static file"


def test_docs_page_points_swagger_ui_at_the_local_schema(api_client):
    html = api_client.get(DOCS_URL).content.decode()
    assert f'"{SCHEMA_URL}"' in html
