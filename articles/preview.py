"""Headless preview: signed, expiring links that show a draft in exactly the detail shape.

The admin's Preview button sends the editor to the frontend's preview
address (RLS_ARTICLES["PREVIEW_URL"]) with a token; the frontend reads
``/api/v1/preview/`` with it in an ``Authorization: Bearer`` header (the
older ``/api/v1/preview/<token>/`` puts it where logs keep it). The token
names the article and when it was made, signed with SECRET_KEY: nobody
can make one without the admin, and it is refused once PREVIEW_MAX_AGE
seconds have passed.
"""

from __future__ import annotations

from django.core import signing

from articles.conf import article_settings
from articles.models import Article

SALT = "rls_articles.preview"


class PreviewExpired(Exception):
    pass


class PreviewInvalid(Exception):
    pass


def preview_token(article: Article) -> str:
    return signing.dumps(article.pk, salt=SALT)


def preview_article_id(token: str) -> int:
    """The article a token names; ``PreviewExpired`` or ``PreviewInvalid`` otherwise."""
    try:
        article_id = signing.loads(token, salt=SALT, max_age=article_settings.PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise PreviewExpired from None
    except signing.BadSignature:
        raise PreviewInvalid from None
    if not isinstance(article_id, int):
        raise PreviewInvalid
    return article_id


def preview_url(article: Article) -> str:
    """Where the frontend shows ``article``'s preview, with a fresh token."""
    return article_settings.PREVIEW_URL.format(slug=article.slug, token=preview_token(article))
