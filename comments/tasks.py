"""Background work of the comments app, on Django's task framework (django-tasks).

Tasks run in a worker (``manage.py tasks_worker``: the database queue, or RQ),
never in the request that enqueued them.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# A failed run is tried again after 1, 2, 4, 8 and 16 minutes; then the
# comments wait for the next pending comment's run (or `manage.py
# notify_moderators`). Every failed run shows in the admin's task results.
ATTEMPTS = 6
FIRST_RETRY = dt.timedelta(minutes=1)


def retry_delay(attempt: int) -> dt.timedelta:
    """How long after failed run number ``attempt`` the next one starts."""
    return FIRST_RETRY * 2 ** (attempt - 1)


@task()
def notify_moderators(attempt: int = 1) -> int:
    """Email the moderators about every pending comment they have not heard of yet.

    One run serves every comment waiting, so a run lost with a crashed
    worker is made up by the next. Returns how many comments were told of.
    """
    from comments.services import comments_notify_moderators

    try:
        return comments_notify_moderators()
    except Exception:
        # A backend that cannot defer runs tasks at once, in the request: no retries there.
        if attempt < ATTEMPTS and notify_moderators.get_backend().supports_defer:
            delay = retry_delay(attempt)
            logger.warning("Notifying moderators failed (run %s); again in %s.", attempt, delay)
            notify_moderators.using(run_after=timezone.now() + delay).enqueue(attempt + 1)
        raise  # the run is recorded as failed, with the error, for staff to see
