"""Staff API tokens that expire: DRF's token authentication, bounded by the token's age.

A token is made (``manage.py staff_token``, the admin's Tokens page) for a
script or a dashboard and then forgotten in its configuration; a bound on its
age limits what a leaked one is worth. ``RLS_ARTICLES["STAFF_TOKEN_MAX_AGE_DAYS"]``
counts from ``Token.created``, so rotating a token (a new key, a new row)
starts the count again. Read on every request: a changed setting applies at
once, to tokens made before it too.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from articles.conf import article_settings

TOKEN_EXPIRED = _("Token has expired.")


def token_expires_at(token: Token) -> dt.datetime | None:
    """When ``token`` stops working; None: never (STAFF_TOKEN_MAX_AGE_DAYS is None)."""
    days = article_settings.STAFF_TOKEN_MAX_AGE_DAYS
    if days is None:
        return None
    return token.created + dt.timedelta(days=days)


def token_expired(token: Token) -> bool:
    """Whether ``token`` is older than STAFF_TOKEN_MAX_AGE_DAYS."""
    expires_at = token_expires_at(token)
    return expires_at is not None and timezone.now() > expires_at


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused with 401 once the token is too old.

    drf-spectacular documents it as TokenAuthentication (``tokenAuth``): its
    extension matches subclasses.
    """

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            # 401 with WWW-Authenticate: Token, like any other refused token.
            raise AuthenticationFailed(TOKEN_EXPIRED, code="token_expired")
        return user, token
