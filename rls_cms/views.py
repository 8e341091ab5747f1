"""The reader page: one template; the browser fetches everything from /api/v1/."""

from __future__ import annotations

from django.views.generic import TemplateView


class ReaderView(TemplateView):
    """Serve the reader app for the list (/) and for /articles/<slug>/.

    It reads nothing from the database: the page is a frontend like any
    other, and uses only the public API and the comment form contract.
    """

    template_name = "rls_cms/reader.html"
