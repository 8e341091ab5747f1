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
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView, MarkdownifyView
from markdownx.widgets import AdminMarkdownxWidget

from articles.markdown import render_markdown
from articles.uploads import image_upload_clean
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


class CheckedImageForm(ImageForm):
    """markdownx's upload form under the articles' upload rules (articles.uploads).

    Instead of markdownx's checks and resizing, which read its settings (a
    host's, or defaults that store GIF and SVG byte for byte) and trust the
    type the client declares.
    """

    def clean(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            raise ValidationError(_("Choose an image to upload."), code="no_image")
        self.cleaned_data["image"] = image_upload_clean(upload, name="upload")
        return self.cleaned_data

    def save(self, commit=True):
        picture = self.cleaned_data["image"]
        return self._save(picture, picture.name, commit)


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

    class Media:
        js = ["articles/admin/markdown_rows.js"]

    def add_markdownx_attrs(self, attrs):
        attrs = super().add_markdownx_attrs(attrs)
        try:
            attrs["data-markdownx-urls-path"] = reverse("articles-editor:markdownify")
            attrs["data-markdownx-upload-urls-path"] = reverse("articles-editor:upload")
        except NoReverseMatch:
            pass  # not mounted (check articles.W001): the page works, the preview does not
        return attrs
