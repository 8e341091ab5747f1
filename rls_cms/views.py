"""The reader's pages: the article list at /, each article at /articles/<slug>/.

Rendered on the server from what the public API serves (``rls_cms.reader``),
complete without JavaScript; the scripts only add the comment form, replies
and reports. Kept as bytes, answered with ETag, Last-Modified and 304.
"""

from __future__ import annotations

import json
import math
import time

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from articles import documents
from articles.api.base import served_response
from articles.conf import article_settings
from articles.preview import PreviewExpired, PreviewInvalid, preview_article_id
from articles.urls_public import reader_url, site_url
from rls_cms import pages
from rls_cms.reader import (
    api_get,
    article_page_listing,
    comments_page,
    list_page_listing,
    page_code_since,
    page_key,
)

HTML = "text/html; charset=utf-8"

# Scripts, styles and data from this site only; images from here or any
# https host (media may live on a CDN). Even a javascript: URL that got
# into the data could not run. JSON-LD is a data block: no script runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

# The list's own query parameters, passed on to the API; any other (a
# campaign's utm_source) is ignored rather than refused.
LIST_PARAMETERS = ("tag", "search", "cursor")


def site_name() -> str:
    return article_settings.PUBLISHER_NAME or "rls_cms"


def with_policy(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def page(request: HttpRequest, served: documents.Served) -> HttpResponse:
    """A kept page: 200, or 304 when the reader's browser holds it already."""
    return with_policy(served_response(request, served, {}, content_type=HTML))


def message_page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    """A page that says what went wrong, with the status that says it to machines too."""
    context = {"site_name": site_name(), "title": title, "text": text}
    return with_policy(render(request, "rls_cms/message.html", context, status=status))


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """The site's 404 page (``handler404`` too): a page a reader can go on from."""
    return message_page(
        request, 404, "Page not found", "There is no article at this address, or not yet."
    )


def unkept(body: bytes, last_modified: float, expires_at: float) -> documents.Served:
    """A page served once and not kept (a search; a page whose parts changed meanwhile)."""
    return documents.Served(body, documents.make_etag(body), last_modified, -math.inf, expires_at)


# The pages change nothing: an unsafe method is answered 405 (require_safe),
# not with the CSRF failure page.
@csrf_exempt
@require_safe
def article_list(request: HttpRequest) -> HttpResponse:
    query = {name: request.GET.get(name, "").strip() for name in LIST_PARAMETERS}
    query = {name: value for name, value in query.items() if value}
    query_string = page_key(urlencode(sorted(query.items())))
    listing = list_page_listing()
    now = time.time()
    served = listing.cached_page(query_string, now)
    if served is None:
        state = listing.generation(now, documents.article_list_times)
        answer = api_get(request, reverse("articles-api:article-list"), query)
        if answer.status == 400:
            errors = answer.data
            text = " ".join(str(m) for messages in errors.values() for m in messages)
            return message_page(request, 400, "This search cannot be run", text)
        if answer.status != 200:
            return not_found(request)
        data = answer.data
        if query.get("tag") and not query.get("search") and not data["results"]:
            return not_found(request)  # no such tag, or nothing public under it
        body = render_to_string("rls_cms/article_list.html", list_context(query, data)).encode()
        # The API's list knows when its content last moved (articles that left it too).
        last_modified = max(answer.last_modified, page_code_since(now))
        if query.get("search"):
            # Every search is another page: kept, they would only fill the cache.
            served = unkept(body, last_modified, state.expires_at)
        else:
            served = listing.keep(state, query_string, body, last_modified=last_modified)
    return page(request, served)


def list_context(query: dict[str, str], data: dict) -> dict:
    tag = query.get("tag")
    tag_name = next(
        (t["name"] for item in data["results"] for t in item["tags"] if t["slug"] == tag), tag
    )
    if tag:
        heading = f"Articles about {tag_name}"
    elif query.get("search"):
        heading = f"Articles matching “{query['search']}”"
    else:
        heading = "Articles"
    next_query = pages.query_of(data["next"])
    searched = bool(query.get("search"))
    return {
        "site_name": site_name(),
        "heading": heading,
        "search": query.get("search", ""),
        "articles": [
            {**item, "summary": pages.description(item["intro_html"])} for item in data["results"]
        ],
        "next_url": f"{reverse('reader')}?{next_query}" if next_query else "",
        # Search results are for the reader, not for an index: no canonical either.
        "canonical": "" if searched else site_url("/" + (f"?{urlencode(query)}" if query else "")),
        "noindex": searched,
        "description": article_settings.FEED_DESCRIPTION,
    }


def finite(moment: float) -> float | None:
    return None if moment == math.inf else moment


@csrf_exempt
@require_safe
def article_page(request: HttpRequest, slug: str) -> HttpResponse:
    token = request.GET.get("preview")
    if token is not None:
        return preview_trade(request, slug, token)
    cursor = request.GET.get("comments", "")
    query_string = page_key(urlencode({"comments": cursor}) if cursor else "")
    listing = article_page_listing(slug)
    now = time.time()
    served = listing.cached_page(query_string, now)
    if served is None:
        detail = documents.detail_served(slug=slug)
        if detail is None:
            return not_found(request)  # no generation for what is not public
        # The generation ends when the detail does (comments closing).
        state = listing.generation(now, lambda: (None, finite(detail.expires_at), None))
        # Read again after the generation: a change from now on drops what is built.
        detail = documents.detail_served(slug=slug)
        if detail is None:
            return not_found(request)
        comments = comments_page(request, slug, cursor)
        if comments.status != 200:
            return not_found(request)  # a cursor that is no page
        article = json.loads(detail.body)
        context = article_context(article, comments.data, cursor=cursor)
        body = render_to_string("rls_cms/article.html", context).encode()
        last_modified = max(detail.last_modified, comments.last_modified, page_code_since(now))
        if detail.expires_at < state.expires_at:
            # Changed between the two reads: this page lives only as long as its detail.
            served = unkept(body, last_modified, detail.expires_at)
        else:
            served = listing.keep(state, query_string, body, last_modified=last_modified)
    return page(request, served)


def article_context(
    article: dict, comments: dict | None, *, cursor: str = "", preview: dict | None = None
) -> dict:
    intro_figures, sections = pages.sections_with_figures(article)
    json_ld = article["json_ld"]
    next_cursor = QueryDict(pages.query_of(comments["next"])).get("cursor") if comments else None
    return {
        "site_name": site_name(),
        "article": article,
        "description": pages.description(article["intro_html"]),
        "canonical": reader_url(article["slug"]) if preview is None else "",
        # The link preview's picture and its alt text: the same image, the article's first.
        "image": (json_ld.get("image") or [None])[0],
        "image_alt": next((i["alt_text"] for i in article["images"] if i["url"]), ""),
        "json_ld": json_ld,
        "show_updated": not pages.same_day(article["published_at"], article["updated_at"]),
        "toc": pages.table_of_contents(article["toc"]),
        "intro_figures": intro_figures,
        "sections": sections,
        "references": pages.references(article),
        "comments": comments
        and {
            **article.get("comments", {}),
            "thread": pages.comment_thread(comments["results"]),
            "api_url": reverse("comments-api:article-comments", kwargs={"slug": article["slug"]}),
            "next_url": f"?{urlencode({'comments': next_cursor})}#_comments" if next_cursor else "",
            "paged": bool(cursor),
        },
        "preview": preview,
        "noindex": preview is not None,
    }


# Preview. The admin's Preview button opens /articles/<slug>/?preview=<token>
# (RLS_ARTICLES["PREVIEW_URL"]). The token is traded at once for a cookie and
# the browser sent on to /articles/<slug>/preview/, so that the address the
# browser shows, keeps in its history and sends as Referer holds no token.
# Only that address receives the cookie (its Path) and reads it: the public
# page is kept and shared, and never varies by cookie.
PREVIEW_COOKIE = "rls_preview"
PREVIEW_INVALID = "This is not a valid preview link."
PREVIEW_ENDED = (
    "This preview has ended, or was opened in another browser: "
    "open it again with the Preview button in the admin."
)


def private(response: HttpResponse) -> HttpResponse:
    """For the preview's holder alone: not kept, not indexed, not named to other sites."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def preview_trade(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A preview link's token traded for a cookie, and a 303 to the address without it.

    A token expired or altered is refused here (403), and no cookie set.
    """
    try:
        preview_article_id(token)
    except (PreviewExpired, PreviewInvalid):
        return preview_page(request, token)  # the API's refusal, in its words
    address = reverse("reader-article-preview", kwargs={"slug": slug})
    response = HttpResponseRedirect(address, status=303)
    response.set_cookie(
        PREVIEW_COOKIE,
        token,
        # The token's whole life at most; the API refuses it once over.
        max_age=article_settings.PREVIEW_MAX_AGE,
        path=address,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return private(response)


@csrf_exempt
@require_safe
def article_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The preview at its own address, from the cookie its link was traded for."""
    token = request.COOKIES.get(PREVIEW_COOKIE)
    if not token:
        return private(message_page(request, 403, "Preview link not valid", PREVIEW_ENDED))
    return preview_page(request, token)


def preview_page(request: HttpRequest, token: str) -> HttpResponse:
    """A draft as it will be published, for the holder of a token: never kept or indexed."""
    # A token is one word of ASCII; anything else could not go in a header.
    sendable = token.isascii() and token.split() == [token]
    answer = api_get(request, reverse("articles-api:preview"), bearer=token) if sendable else None
    if answer is None or answer.status in (401, 403):
        detail = answer.data["detail"] if answer and answer.status == 403 else PREVIEW_INVALID
        response = message_page(request, 403, "Preview link not valid", detail)
    elif answer.status != 200:
        response = not_found(request)
    else:
        data = answer.data
        context = article_context(data, None, preview={"status": data.get("status", "draft")})
        response = with_policy(render(request, "rls_cms/article.html", context))
    return private(response)


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
