"""markdownx's editor endpoints, closed to all but staff.

markdownx's own views answer anyone and its default renderer passes raw HTML
through; ours answer logged-in staff only, render with the renderer that
stores published HTML (so preview equals output), and check uploads with
Pillow instead of trusting the client's content type.
"""

from __future__ import annotations

from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView, MarkdownifyView
from PIL import Image as PILImage

from articles.markdown import render_markdown

# What Pillow must find inside the file, whatever the upload claims to be.
UPLOAD_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


class StaffOnlyMixin(UserPassesTestMixin):
    raise_exception = True  # 403, not a login redirect: these are AJAX endpoints

    def test_func(self) -> bool:
        user = self.request.user
        return user.is_active and user.is_staff


class PreviewView(StaffOnlyMixin, MarkdownifyView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "content" not in request.POST:
            return HttpResponseBadRequest("Send the Markdown as 'content'.")
        return HttpResponse(render_markdown(request.POST["content"]))


class CheckedImageForm(ImageForm):
    def clean(self):
        upload = super().clean()
        try:
            with PILImage.open(upload) as picture:
                picture.verify()
                found = picture.format
        except Exception:  # Pillow raises many types for a file that is not an image
            found = None
        finally:
            upload.seek(0)
        if found not in UPLOAD_FORMATS:
            raise ValidationError(_("Upload a JPEG, PNG, GIF or WebP image."), code="invalid_image")
        # markdownx re-encodes in the format the content type names, so the
        # two must agree (a transparent PNG cannot be written as a JPEG).
        if PILImage.MIME[found] != upload.content_type:
            raise ValidationError(
                _("The file is a %(found)s image but was sent as %(claimed)s."),
                code="content_type_mismatch",
                params={"found": found, "claimed": upload.content_type},
            )
        return upload


class UploadView(StaffOnlyMixin, ImageUploadView):
    """Always JSON: markdownx's non-AJAX branches redirect or need a template."""

    form_class = CheckedImageForm
    http_method_names = ["post"]

    def form_invalid(self, form) -> JsonResponse:
        return JsonResponse(form.errors, status=400)

    def form_valid(self, form) -> JsonResponse:
        return JsonResponse({"image_code": f"![]({form.save(commit=True)})"})
