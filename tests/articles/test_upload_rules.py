"""One set of upload rules for the admin's image inline, the Markdown editor's upload
and the importer: a size cap, the type read from the content, the picture written
anew without what rides along (trailing bytes, EXIF with GPS, XMP), upright, its
colour profile kept, named after its real format."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image as PILImage
from PIL import ImageCms

from articles.models import Image
from tests.articles.test_admin import ADD_URL, add_form_data, image_row, section_row

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/api/v1/editor/upload/"
AJAX = {"X-Requested-With": "XMLHttpRequest"}
GPS_IFD = 0x8825
ORIENTATION = 0x0112
SERIAL = "CAMERA-SERIAL-123456"
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def phone_photo() -> bytes:
    """A JPEG as a phone writes it: 40×20 stored, shown turned (orientation 6),
    with a GPS position, a camera serial in XMP and EXIF, and a colour profile."""
    exif = PILImage.Exif()
    exif[ORIENTATION] = 6
    exif[0xA431] = SERIAL  # BodySerialNumber
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 20), (200, 30, 30)).save(
        buffer,
        "JPEG",
        exif=exif.tobytes(),
        xmp=f"<x:xmpmeta><serial>{SERIAL}</serial></x:xmpmeta>".encode(),
        icc_profile=SRGB,
    )
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (30, 20), (20, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def assert_clean_photo(content: bytes) -> None:
    assert SERIAL.encode() not in content
    with PILImage.open(io.BytesIO(content)) as picture:
        assert picture.size == (20, 40)  # turned upright
        exif = picture.getexif()
        assert not exif.get_ifd(GPS_IFD) and ORIENTATION not in exif
        assert "xmp" not in picture.info
        assert picture.info.get("icc_profile") == SRGB


def post_image(editor, prefixes, file: SimpleUploadedFile):
    data = add_form_data(prefixes, sections=[section_row("Causes")], images=[image_row(file=file)])
    return editor.post(ADD_URL, data)


def stored_image() -> Image:
    return Image.objects.get()


def test_the_inline_strips_gps_and_metadata_and_turns_the_photo_upright(
    editor, prefixes, media_root
):
    response = post_image(editor, prefixes, SimpleUploadedFile("clinic.jpg", phone_photo()))
    assert response.status_code == 302
    image = stored_image()
    assert image.file.name.endswith(".jpg")
    assert (image.width, image.height) == (20, 40)
    assert_clean_photo((media_root / image.file.name).read_bytes())


def test_the_editor_upload_strips_them_too(editor, media_root):
    response = editor.post(
        UPLOAD_URL,
        {"image": SimpleUploadedFile("clinic.jpg", phone_photo(), content_type="image/jpeg")},
        headers=AJAX,
    )
    assert response.status_code == 200
    [stored] = [path for path in media_root.rglob("*") if path.is_file()]
    assert_clean_photo(stored.read_bytes())


def test_the_importer_strips_them_too(tmp_path, media_root):
    (tmp_path / "clinic.jpg").write_bytes(phone_photo())
    (tmp_path / "a.md").write_text(
        "---\ntitle: Iron\nslug: iron\n---\nIntro.\n\n![Legs](clinic.jpg)\n", encoding="utf-8"
    )
    call_command("import_article", str(tmp_path / "a.md"), stdout=io.StringIO())
    assert_clean_photo((media_root / stored_image().file.name).read_bytes())


def test_bytes_after_the_picture_are_not_stored(editor, prefixes, media_root):
    content = png_bytes() + b"<html><script>alert(1)</script></html>"
    assert post_image(editor, prefixes, SimpleUploadedFile("a.png", content)).status_code == 302
    stored = (media_root / stored_image().file.name).read_bytes()
    assert b"<script>" not in stored
    assert stored.endswith(b"IEND\xaeB`\x82")


def test_the_extension_comes_from_the_content_not_the_name(editor, prefixes, api_client):
    response = post_image(editor, prefixes, SimpleUploadedFile("figure.gif", png_bytes()))
    assert response.status_code == 302
    assert stored_image().file.name.endswith(".png")


def test_the_inline_caps_the_size_as_the_editor_does(editor, prefixes, settings, media_root):
    settings.RLS_ARTICLES = {"EDITOR_UPLOAD_MAX_SIZE": 1000}
    big = png_bytes() + b"\0" * 1000
    response = post_image(editor, prefixes, SimpleUploadedFile("big.png", big))
    assert response.status_code == 200
    [form] = response.context["inline_admin_formsets"][1].formset.forms
    assert [e.code for e in form.errors.as_data()["file"]] == ["image_too_large"]
    assert not Image.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"<html>not a picture</html>", "invalid_image"),
        (png_bytes()[:60], "invalid_image"),  # cut short
    ],
)
def test_what_is_not_a_whole_picture_is_refused(editor, prefixes, content, code):
    response = post_image(editor, prefixes, SimpleUploadedFile("a.png", content))
    [form] = response.context["inline_admin_formsets"][1].formset.forms
    assert code in [e.code for e in form.errors.as_data()["file"]]


def test_a_gif_is_refused_everywhere(editor, prefixes):
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 6)).save(buffer, "GIF")
    response = post_image(editor, prefixes, SimpleUploadedFile("a.gif", buffer.getvalue()))
    [form] = response.context["inline_admin_formsets"][1].formset.forms
    assert [e.code for e in form.errors.as_data()["file"]] == ["unsupported_image_type"]


def test_a_row_whose_save_failed_asks_for_the_file_again(editor, prefixes):
    data = add_form_data(prefixes, title="", sections=[section_row("Causes")], images=[image_row()])
    page = editor.post(ADD_URL, data).content.decode()
    assert "This file was not saved: choose it again." in page
    assert "/media/" not in page  # no thumbnail of a file that is not there


def test_the_importer_names_the_line_of_a_refused_image(tmp_path, media_root):
    (tmp_path / "a.gif").write_bytes(b"GIF89a not really")
    (tmp_path / "a.md").write_text(
        "---\ntitle: Iron\nslug: iron\n---\nIntro.\n\n![Legs](a.gif)\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match=r"a\.md:7: "):
        call_command("import_article", str(tmp_path / "a.md"))
