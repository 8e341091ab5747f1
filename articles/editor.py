"""markdownx's editor endpoints, closed to all but staff.

markdownx's own views answer anyone and its default renderer passes raw HTML
through; ours answer logged-in staff only, render with the renderer that
stores published HTML (so preview equals output), and check uploads with
Pillow instead of trusting the client's content type. They sit under the
API's prefix and refuse as the API does: JSON ``{"detail": ...}`` (a field's
messages for a 400), never Django's HTML pages.
"""

from __future__ import annotations

from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView, MarkdownifyView
from markdownx.widgets import AdminMarkdownxWidget
from rest_framework.authentication import CSRFCheck

from articles.conf import article_settings
from articles.markdown import render_markdown
from articles.uploads import image_upload_clean
from articles.validators import PLACEHOLDER_ALT

# What Django raises reading a form body it cannot or will not parse (its 400s).
UNREADABLE_BODY = (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def json_error(status: int, detail: str, **headers: str) -> JsonResponse:
    """A refusal as the API words it."""
    return JsonResponse({"detail": detail}, status=status, headers=headers)


@method_decorator(csrf_exempt, name="dispatch")
class StaffOnlyMixin(UserPassesTestMixin):
    """Staff who may write articles: the editor's endpoints store files in MEDIA_ROOT.

    Every refusal is JSON: the CSRF check (made here, not by the middleware,
    whose refusal is an HTML page), the permission (403, not a login
    redirect: these are AJAX endpoints) and the method (405 with Allow).
    """

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            len(request.POST)  # parsed first, as the CSRF check would: a broken body is a 400
        except UNREADABLE_BODY as error:
            return json_error(400, str(error))
        # DRF's SessionAuthentication makes the same check the same way.
        check = CSRFCheck(lambda request: None)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason:
            return json_error(403, f"CSRF Failed: {reason}")
        return super().dispatch(request, *args, **kwargs)

    def test_func(self) -> bool:
        user = self.request.user
        return (
            user.is_active
            and user.is_staff
            and (user.has_perm("articles.add_article") or user.has_perm("articles.change_article"))
        )

    def handle_no_permission(self) -> JsonResponse:
        return json_error(403, _("The editor's endpoints are for staff who write articles."))

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        refused = super().http_method_not_allowed(request, *args, **kwargs)
        detail = _('Method "%(method)s" not allowed.') % {"method": request.method}
        return json_error(405, detail, Allow=refused["Allow"])


CSRF_HEADER = {
    "in": "header",
    "name": "X-CSRFToken",
    "required": True,
    "description": "The csrftoken cookie's value, as for any form of the admin.",
    "schema": {"type": "string", "maxLength": 64},
}


def editor_operation(
    operation_id: str,
    summary: str,
    description: str,
    *,
    body: tuple[str, dict],
    answer: tuple[str, str, dict],
) -> dict:
    """An editor endpoint's POST in the OpenAPI document (``articles.api.schema`` reads
    ``openapi_operations``): called by the admin's Markdown editor, with the editor's
    session and CSRF token. ``body``: its content type and required fields;
    ``answer``: the 200's description, content type and schema."""
    body_type, fields = body
    said, answer_type, schema = answer
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "tags": ["editor"],
            "security": [{"cookieAuth": []}],
            "parameters": [CSRF_HEADER],
            "requestBody": {
                "required": True,
                "content": {
                    body_type: {
                        "schema": {"type": "object", "required": list(fields), "properties": fields}
                    }
                },
            },
            "responses": {
                "200": {"description": said, "content": {answer_type: {"schema": schema}}}
            },
        }
    }


class PreviewView(StaffOnlyMixin, MarkdownifyView):
    http_method_names = ["post"]

    @classmethod
    def openapi_operations(cls) -> dict:
        return editor_operation(
            "editor_markdown_preview",
            "Render Markdown as the article will show it",
            "The admin's live preview: the HTML a Markdown field will store (sanitised, "
            "citations linked), for staff who write articles.",
            body=(
                "application/x-www-form-urlencoded",
                {"content": {"type": "string", "maxLength": 2_621_440}},
            ),
            answer=("The HTML.", "text/html", {"type": "string"}),
        )

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "content" not in request.POST:
            return JsonResponse({"content": [_("Send the Markdown as 'content'.")]}, status=400)
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

    @classmethod
    def openapi_operations(cls) -> dict:
        image = {
            "type": "string",
            "format": "binary",
            "maxLength": article_settings.EDITOR_UPLOAD_MAX_SIZE,
        }
        code = {
            "type": "object",
            "required": ["image_code"],
            "properties": {"image_code": {"type": "string", "maxLength": 2000}},
        }
        return editor_operation(
            "editor_image_upload",
            "Upload an image into a Markdown field",
            "The admin's drag-and-drop upload: JPEG, PNG or WebP, checked by its content, "
            "stored in MEDIA_ROOT; the answer is the Markdown to insert, with alt text for the "
            "editor to replace.",
            body=("multipart/form-data", {"image": image}),
            answer=("The Markdown of the stored image.", "application/json", code),
        )

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
