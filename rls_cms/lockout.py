"""The page a locked-out sign-in gets: django-axes' AXES_LOCKOUT_CALLABLE.

Axes' own answer is a line of bare text. This one is the admin's login page
in look (429, its header and styles) and says what a member of staff needs:
that this account is locked from this address only, until when, and that an
administrator can lift it sooner.
"""

from __future__ import annotations

import datetime as dt
import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _


def lockout_ends_at(*, username: str, ip_address: str | None, request):
    """When the lockout of ``username`` from ``ip_address`` ends; None if unknown."""
    cool_off = get_cool_off(request)
    attempts = AccessAttempt.objects.filter(username=username, ip_address=ip_address)
    last_failure = attempts.aggregate(last=Max("attempt_time"))["last"]
    if cool_off is None or last_failure is None:
        return None
    return last_failure + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (429), with Retry-After when the lockout's end is known."""
    username = get_client_username(request, credentials) or ""
    ends_at = lockout_ends_at(
        username=username, ip_address=getattr(request, "axes_ip_address", None), request=request
    )
    now = timezone.now()
    seconds = max(0, math.ceil((ends_at - now).total_seconds())) if ends_at else None
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in locked"),
        "username": username,
        "ends_at": ends_at,
        # Whole minutes, rounded up: "1 hour" just after the lockout, not "59 minutes".
        "wait": None
        if seconds is None
        else timeuntil(now + dt.timedelta(minutes=math.ceil(seconds / 60)), now),
    }
    # Rendered here: axes calls this from its middleware, after the view.
    response = render(request, "rls_cms/lockout.html", context, status=429)
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response
