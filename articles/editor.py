"""markdownx's editor endpoints, closed to all but staff.

markdownx's own views answer anyone and its default renderer passes raw HTML
through; ours answer logged-in staff only, render with the renderer that
stores published HTML (so preview equals output), and check uploads with
Pillow instead of trusting the client's content type.
"""

from __future__ import annotations

import mimetypes

from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView, MarkdownifyView
from markdownx.widgets import AdminMarkdownxWidget
from PIL import Image as PILImage

from articles.conf import article_settings
from articles.markdown import render_markdown
from articles.validators import PLACEHOLDER_ALT


class StaffOnlyMixin(UserPassesTestMixin):
    """Staff who may write articles: the editor's endpoints store files in MEDIA_ROOT."""

    raise_exception = True  # 403, not a login redirect: these are AJAX endpoints

    def test_func(self) -> bool:
        user = self.request.user
        return (
            user.is_active
            and user.is_staff
            and (user.has_perm("articles.add_article") or user.has_perm("articles.change_article"))
        )


class PreviewView(StaffOnlyMixin, MarkdownifyView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "content" not in request.POST:
            return HttpResponseBadRequest("Send the Markdown as 'content'.")
        return HttpResponse(render_markdown(request.POST["content"]))


# markdownx stores GIF and SVG byte for byte, unchecked: they never pass,
# whatever the host's MARKDOWNX_UPLOAD_CONTENT_TYPES allows.
UPLOAD_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")


class CheckedImageForm(ImageForm):
    """markdownx's upload form, trusting nothing the client says about the file."""

    def clean(self):
        # Instead of markdownx's checks, which read its settings (a host's, or
        # defaults that allow GIF and SVG but not WebP).
        upload = self.cleaned_data.get("image")
        if not upload:
            raise ValidationError(_("Choose an image to upload."), code="no_image")
        if upload.content_type not in UPLOAD_CONTENT_TYPES:
            raise ValidationError(
                _("Upload a JPEG, PNG or WebP image."), code="unsupported_image_type"
            )
        limit = article_settings.EDITOR_UPLOAD_MAX_SIZE
        if upload.size > limit:
            raise ValidationError(
                _("Upload an image of at most %(size)s.") % {"size": filesizeformat(limit)},
                code="image_too_large",
            )
        try:
            with PILImage.open(upload) as picture:
                picture.verify()
                found = PILImage.MIME.get(picture.format)
        except Exception:  # Pillow raises many types for a file that is not an image
            found = None
        finally:
            upload.seek(0)
        # markdownx re-encodes in the format the declared type names, so the
        # two must agree (a transparent PNG cannot be written as a JPEG).
        if found != upload.content_type:
            raise ValidationError(
                _("Upload a JPEG, PNG or WebP image, sent as what it is."), code="invalid_image"
            )
        return upload

    def _save(self, image, file_name, commit):
        # Name the file after what it is, never after what the client called
        # it: "x.html" holding an image must not be served as a web page.
        extension = mimetypes.guess_extension(self.files["image"].content_type)
        return super()._save(image, f"upload{extension}", commit)


class UploadView(StaffOnlyMixin, ImageUploadView):
    """Always JSON: markdownx's non-AJAX branches redirect or need a template."""

    form_class = CheckedImageForm
    http_method_names = ["post"]

    def form_invalid(self, form) -> JsonResponse:
        return JsonResponse(form.errors, status=400)

    def form_valid(self, form) -> JsonResponse:
        # An absolute URL, so the stored HTML works on a frontend's own origin;
        # alt text the editor is prompted to replace.
        url = self.request.build_absolute_uri(form.save(commit=True))
        return JsonResponse({"image_code": f"![{PLACEHOLDER_ALT}]({url})"})


class EditorWidget(AdminMarkdownxWidget):
    """markdownx's admin editor, calling our endpoints wherever the host mounted ``articles.urls``.

    markdownx's widget posts to fixed paths (its settings, read at import);
    ours are reversed per render.
    """

    def add_markdownx_attrs(self, attrs):
        attrs = super().add_markdownx_attrs(attrs)
        try:
            attrs["data-markdownx-urls-path"] = reverse("articles-editor:markdownify")
            attrs["data-markdownx-upload-urls-path"] = reverse("articles-editor:upload")
        except NoReverseMatch:
            pass  # not mounted (check articles.W001): the page works, the preview does not
        return attrs
