"""One set of rules for every image an editor brings in: the image inline, the
Markdown editor's upload and the importer.

Nothing the client says is trusted: the type is read from the content, the
picture is decoded whole and written anew, so bytes after its end (a page
hidden behind a PNG) are gone, and so is every metadata block (EXIF with its
GPS position and camera serials, XMP, comments). The orientation is applied
first, so the picture stands as it was taken; the colour profile is kept.
The file is named after its real format.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from PIL import ImageOps

from articles.conf import article_settings

# Pillow's format name: the file's extension.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# A small file can unpack to a huge picture; 50 megapixels covers any camera's photo.
MAX_PIXELS = 50_000_000
# What of a picture's own information is kept: how it looks, not where it was taken.
KEPT_INFO = ("icc_profile", "transparency")

ERRORS = {
    "image_too_large": _("Upload an image of at most %(size)s."),
    "unsupported_image_type": _("Upload a JPEG, PNG or WebP image."),
    "invalid_image": _("The file is not a picture that can be read: upload it again."),
    "too_many_pixels": _("The picture has too many pixels: upload one of at most 50 megapixels."),
}


def refuse(code: str, **params) -> ValidationError:
    return ValidationError(ERRORS[code], code=code, params=params)


def image_upload_clean(upload, *, name: str = "image") -> ContentFile:
    """The picture in ``upload``, checked and written anew, as a file named ``name.<format>``.

    Raises ``ValidationError`` (codes in ``ERRORS``) for anything that is not a
    JPEG, PNG or WebP picture within the size limit.
    """
    limit = article_settings.EDITOR_UPLOAD_MAX_SIZE
    if upload.size is not None and upload.size > limit:
        raise refuse("image_too_large", size=filesizeformat(limit))
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise refuse("image_too_large", size=filesizeformat(limit))
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            if picture.format not in ACCEPTED_FORMATS:
                raise refuse("unsupported_image_type")
            if picture.width * picture.height > MAX_PIXELS:
                raise refuse("too_many_pixels")
            picture.load()  # decodes it all: a truncated or forged file fails here
            image_format = picture.format
            kept = {key: picture.info[key] for key in KEPT_INFO if key in picture.info}
            upright = ImageOps.exif_transpose(picture)
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError):
        # Pillow raises these for a file that is not, or not wholly, a picture.
        raise refuse("invalid_image") from None
    upright.info = {}  # no EXIF, XMP or comment can ride along
    output = io.BytesIO()
    options = {"quality": 90} if image_format in {"JPEG", "WEBP"} else {}
    upright.save(output, image_format, **kept, **options)
    return ContentFile(output.getvalue(), name=f"{name}.{ACCEPTED_FORMATS[image_format]}")
