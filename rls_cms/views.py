"""The reader page: one template; the browser fetches everything from /api/v1/."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from articles.urls_public import site_url


class ReaderView(TemplateView):
    """Serve the reader app for the list (/) and for /articles/<slug>/.

    It reads nothing from the database: the page is a frontend like any
    other, and uses only the public API and the comment form contract.
    """

    template_name = "rls_cms/reader.html"

    # Scripts, styles and data from this site only; images from here or any
    # https host (media may live on a CDN). Even a javascript: URL that got
    # into the data could not run.
    content_security_policy = (
        "default-src 'self'; img-src 'self' https: data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        # The preview endpoint's prefix: the page adds a link's token.
        sample = reverse("articles-api:article-preview", kwargs={"token": "-"})
        context["preview_root"] = sample.removesuffix("-/")
        return context

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Content-Security-Policy"] = self.content_security_policy
        return response


@require_safe
def robots_txt(request) -> HttpResponse:
    """Crawlers welcome on the reader pages; the sitemap named; the admin left alone."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Allow: /",
        f"Sitemap: {site_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
