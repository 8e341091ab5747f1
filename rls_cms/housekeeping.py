"""The demo host's own rows in the daily housekeeping (articles.housekeeping).

Expired sessions (Django keeps them until ``clearsessions``) and django-axes'
records of staff sign-ins, which hold addresses and user agents.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.dispatch import receiver

from articles.housekeeping import Sweep
from articles.signals import housekeeping_sweeps

# Long enough to look into a break-in reported weeks later.
SIGN_IN_RECORDS_DAYS = 90


@receiver(housekeeping_sweeps, dispatch_uid="rls_cms.housekeeping")
def host_sweeps(sender, **kwargs) -> list[Sweep]:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    def older(model):
        return lambda cutoff: model.objects.filter(attempt_time__lt=cutoff)

    return [
        Sweep("expired sessions", 0, lambda now: Session.objects.filter(expire_date__lt=now)),
        Sweep("staff sign-ins (axes)", SIGN_IN_RECORDS_DAYS, older(AccessLog)),
        Sweep("failed staff sign-ins (axes)", SIGN_IN_RECORDS_DAYS, older(AccessFailureLog)),
        # Counters of failures: a lockout lasts AXES_COOLOFF_TIME, well under this.
        Sweep("sign-in failure counters (axes)", SIGN_IN_RECORDS_DAYS, older(AccessAttempt)),
    ]
