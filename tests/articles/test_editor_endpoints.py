"""markdownx's editor endpoints as we serve them: staff only, safe preview, checked uploads."""

from __future__ import annotations

import io
import os

import markdownx.forms
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage

from articles.conf import article_settings
from articles.editor import PLACEHOLDER_ALT
from tests.factories import SectionFactory

PREVIEW_URL = "/api/v1/editor/markdownify/"
UPLOAD_URL = "/api/v1/editor/upload/"
AJAX = {"X-Requested-With": "XMLHttpRequest"}

MARKDOWN_WITH_SCRIPT = (
    "Iron is *often* low.\n"
    "\n"
    "- ferritin\n"
    "- transferrin\n"
    "\n"
    "See [the guideline](https://example.org/guideline).\n"
    "\n"
    "<script>alert('x')</script>\n"
)

pytestmark = pytest.mark.django_db


def png_bytes(*, width: int = 40, height: int = 30, mode: str = "RGB") -> bytes:
    """A real PNG, drawn in memory with Pillow."""
    buffer = io.BytesIO()
    PILImage.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def picture_bytes(kind: str) -> bytes:
    """A small real picture in Pillow's format ``kind`` (GIF, WEBP...)."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 6)).save(buffer, kind)
    return buffer.getvalue()


def upload(content: bytes, *, name: str = "figure.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def assert_refused(response) -> None:
    """Refused: 403, or a redirect to a login page."""
    if response.status_code == 302:
        assert "login" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.fixture
def editor(client, staff_user):
    """The test client, logged in as the staff editor."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def reader(client, django_user_model):
    """The test client, logged in as a user who is not staff."""
    client.force_login(django_user_model.objects.create_user("reader", password="pw"))
    return client


def post_endpoint(client, url: str):
    """A request the endpoint would accept from staff."""
    if url == PREVIEW_URL:
        return client.post(url, {"content": "Some *text*."})
    return client.post(url, {"image": upload(png_bytes())}, headers=AJAX)


# Who may call the endpoints


@pytest.mark.parametrize("url", [PREVIEW_URL, UPLOAD_URL])
def test_endpoint_refuses_anonymous_user(client, url):
    assert_refused(post_endpoint(client, url))


@pytest.mark.parametrize("url", [PREVIEW_URL, UPLOAD_URL])
def test_endpoint_refuses_non_staff_user(reader, url):
    assert_refused(post_endpoint(reader, url))


@pytest.mark.parametrize("client_fixture", ["client", "reader"])
def test_refused_upload_stores_nothing(request, client_fixture, media_root):
    post_endpoint(request.getfixturevalue(client_fixture), UPLOAD_URL)

    assert stored_files(media_root) == []


# Preview


def test_preview_equals_stored_section_html(editor):
    section = SectionFactory(body=MARKDOWN_WITH_SCRIPT)

    response = editor.post(PREVIEW_URL, {"content": MARKDOWN_WITH_SCRIPT})

    assert response.status_code == 200
    assert response.content.decode() == section.body_html
    assert "<em>often</em>" in section.body_html
    assert "<li>ferritin</li>" in section.body_html
    assert 'href="https://example.org/guideline"' in section.body_html


def test_preview_and_stored_html_drop_script(editor):
    section = SectionFactory(body=MARKDOWN_WITH_SCRIPT)

    response = editor.post(PREVIEW_URL, {"content": MARKDOWN_WITH_SCRIPT})

    assert "<script" not in response.content.decode()
    assert "<script" not in section.body_html


def test_preview_without_content_is_bad_request(editor):
    response = editor.post(PREVIEW_URL, {})

    assert response.status_code == 400
    assert list(response.json()) == ["content"]


# Refusals: JSON, as the API under whose prefix the endpoints sit


def assert_json_refusal(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("url", [PREVIEW_URL, UPLOAD_URL])
def test_refusing_a_visitor_who_is_not_staff_is_a_json_403(client, url):
    assert_json_refusal(post_endpoint(client, url), 403)


@pytest.mark.parametrize("url", [PREVIEW_URL, UPLOAD_URL])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "OPTIONS", "PROPFIND"])
def test_a_method_other_than_post_is_a_json_405_naming_post(editor, url, method):
    response = editor.generic(method, url)

    assert_json_refusal(response, 405)
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("url", [PREVIEW_URL, UPLOAD_URL])
def test_a_post_without_the_csrf_token_is_a_json_403(staff_user, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)

    assert_json_refusal(post_endpoint(client, url), 403)


def test_a_post_with_the_csrf_token_is_answered(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    client.get("/admin/")  # the admin's page sets the CSRF cookie, as for the editor's script
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(PREVIEW_URL, {"content": "*Hi*"}, headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert response.content == b"<p><em>Hi</em></p>"


@pytest.mark.parametrize("url", [PREVIEW_URL, UPLOAD_URL])
def test_a_body_django_cannot_parse_is_a_json_400(editor, url):
    response = editor.post(url, "--x--", content_type="multipart/form-data")

    assert_json_refusal(response, 400)


# Uploads


def test_upload_png_returns_image_code(editor, media_root):
    response = editor.post(UPLOAD_URL, {"image": upload(png_bytes())}, headers=AJAX)

    assert response.status_code == 200
    assert response.json()["image_code"].startswith(
        f"![{PLACEHOLDER_ALT}](http://testserver/media/markdownx/"
    )


def test_upload_png_is_stored_under_media_root(editor, media_root):
    response = editor.post(UPLOAD_URL, {"image": upload(png_bytes())}, headers=AJAX)

    url = response.json()["image_code"][len(f"![{PLACEHOLDER_ALT}](") : -len(")")]
    [stored] = stored_files(media_root)
    assert url == "http://testserver/media/" + stored.relative_to(media_root).as_posix()
    with PILImage.open(stored) as picture:
        assert picture.format == "PNG"


def test_upload_text_claiming_png_is_refused(editor, media_root):
    fake = upload(b"just some text, not an image\n", name="notes.png")

    response = editor.post(UPLOAD_URL, {"image": fake}, headers=AJAX)

    assert response.status_code == 400
    assert set(response.json()) == {"__all__"}
    assert stored_files(media_root) == []


def test_upload_svg_is_refused(editor, media_root):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'

    response = editor.post(
        UPLOAD_URL,
        {"image": upload(svg, name="figure.svg", content_type="image/svg+xml")},
        headers=AJAX,
    )

    assert response.status_code == 400
    assert set(response.json()) == {"__all__"}
    assert stored_files(media_root) == []


def test_upload_over_size_limit_is_refused(editor, media_root, settings):
    content = png_bytes()
    settings.RLS_ARTICLES = {"EDITOR_UPLOAD_MAX_SIZE": len(content) - 1}

    response = editor.post(UPLOAD_URL, {"image": upload(content)}, headers=AJAX)

    assert response.status_code == 400
    assert "at most" in response.json()["__all__"][0]
    assert stored_files(media_root) == []


def test_upload_at_size_limit_is_accepted(editor, settings):
    content = png_bytes()
    settings.RLS_ARTICLES = {"EDITOR_UPLOAD_MAX_SIZE": len(content)}

    response = editor.post(UPLOAD_URL, {"image": upload(content)}, headers=AJAX)

    assert response.status_code == 200


def test_upload_over_the_default_limit_is_refused_whatever_markdownx_allows(
    editor, media_root, settings
):
    # markdownx's own default limit is 50 MB; ours, inside the app, is 5 MB.
    limit = article_settings.EDITOR_UPLOAD_MAX_SIZE
    assert limit < markdownx.forms.MARKDOWNX_UPLOAD_MAX_SIZE
    # Random pixels do not compress: a real PNG just over the limit.
    side = int((limit / 3) ** 0.5) + 1
    noise = PILImage.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    assert buffer.tell() > limit

    response = editor.post(UPLOAD_URL, {"image": upload(buffer.getvalue())}, headers=AJAX)

    assert response.status_code == 400
    assert stored_files(media_root) == []


# markdownx reads its settings once, at import, and markdownx.forms copies
# MARKDOWNX_UPLOAD_CONTENT_TYPES into its own namespace: patching that is
# what a host's setting would do.


@pytest.mark.parametrize("host_allows_gif", [False, True])
def test_gif_is_refused_because_markdownx_stores_gifs_unchecked(
    editor, media_root, monkeypatch, host_allows_gif
):
    if host_allows_gif:
        allowed = (*markdownx.forms.MARKDOWNX_UPLOAD_CONTENT_TYPES, "image/gif")
        monkeypatch.setattr(markdownx.forms, "MARKDOWNX_UPLOAD_CONTENT_TYPES", allowed)

    response = editor.post(
        UPLOAD_URL,
        {"image": upload(picture_bytes("GIF"), name="a.gif", content_type="image/gif")},
        headers=AJAX,
    )

    assert response.status_code == 400
    assert stored_files(media_root) == []


def test_upload_whose_declared_type_disagrees_is_stored_as_what_it_is(editor, media_root):
    # A PNG with transparency, sent as a JPEG (say, renamed to .jpg).
    content = png_bytes(mode="RGBA")

    response = editor.post(
        UPLOAD_URL,
        {"image": upload(content, name="figure.jpg", content_type="image/jpeg")},
        headers=AJAX,
    )

    assert response.status_code == 200
    [stored] = stored_files(media_root)
    assert stored.suffix == ".png"
    with PILImage.open(stored) as picture:
        assert (picture.format, picture.mode) == ("PNG", "RGBA")


def test_upload_get_is_method_not_allowed(editor):
    response = editor.get(UPLOAD_URL)

    assert response.status_code == 405


def test_upload_without_ajax_header_of_bad_file_is_bad_request(editor, media_root):
    response = editor.post(UPLOAD_URL, {"image": upload(b"not an image")})

    assert response.status_code == 400
    assert stored_files(media_root) == []


def test_upload_is_named_after_its_real_format_not_the_clients_name(editor, media_root):
    response = editor.post(
        UPLOAD_URL, {"image": upload(png_bytes(), name="page.html")}, headers=AJAX
    )

    assert response.status_code == 200
    [stored] = stored_files(media_root)
    assert stored.suffix == ".png"


def test_webp_upload_is_accepted_whatever_markdownx_s_default_types_say(editor, media_root):
    # markdownx's default MARKDOWNX_UPLOAD_CONTENT_TYPES has no WebP; ours has.
    assert "image/webp" not in markdownx.forms.MARKDOWNX_UPLOAD_CONTENT_TYPES

    response = editor.post(
        UPLOAD_URL,
        {"image": upload(picture_bytes("WEBP"), name="a.webp", content_type="image/webp")},
        headers=AJAX,
    )

    assert response.status_code == 200
    [stored] = stored_files(media_root)
    assert stored.suffix == ".webp"
