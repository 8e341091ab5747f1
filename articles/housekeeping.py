"""Housekeeping: nothing the site stores grows without bound, and personal data goes when due.

Each *sweep* names one kind of row past its retention (the settings ending
in ``_DAYS``) and what happens to it: deleted, or its personal data erased.
The apps contribute their sweeps through the ``housekeeping_sweeps`` signal
(the comments app: spam, commenters' addresses), and so may a host.

``housekeeping_run`` works through them in batches, each batch its own short
transaction: the site keeps taking comments and saves while a year of
backlog goes. The beat runs it once a day, in one worker however many run
(``HousekeepingRun``'s unique day); ``manage.py housekeeping`` runs it by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from articles.conf import article_settings
from articles.models import HousekeepingRun, PeriodicRun, ReviewReminderRun, WebhookDelivery
from articles.signals import housekeeping_sweeps, minute_passed

logger = logging.getLogger(__name__)

# Rows per batch: a batch's transaction holds its locks for milliseconds.
BATCH_SIZE = 1000
# The daily run starts with the first beat from this hour on (local time),
# when readers and editors are fewest.
HOUR = 3
# The records of the runs themselves, and of the weekly review reminders.
RUN_RECORDS_DAYS = 400


@dataclass(frozen=True)
class Sweep:
    """One kind of row kept ``days`` days, and what is done to it after.

    ``rows(cutoff)`` are the rows from before ``cutoff``; ``apply`` gets a
    queryset of one batch of them and returns how many it dealt with (the
    default deletes them). An erasing ``apply`` must take the rows out of
    ``rows``, or the run would meet them again. ``days`` None: kept forever.
    """

    kind: str
    days: int | None
    rows: Callable[[dt.datetime], QuerySet]
    apply: Callable[[QuerySet], int] | None = None

    def cutoff(self, now: dt.datetime) -> dt.datetime | None:
        return None if self.days is None else now - dt.timedelta(days=self.days)

    def count(self, now: dt.datetime) -> int:
        cutoff = self.cutoff(now)
        return 0 if cutoff is None else self.rows(cutoff).count()

    def run(self, now: dt.datetime, *, batch_size: int = BATCH_SIZE) -> int:
        cutoff = self.cutoff(now)
        done = 0
        while cutoff is not None:
            with transaction.atomic():
                # No ordering: the model's own (a sort of the whole table) is not needed.
                due = self.rows(cutoff)
                batch = list(due.order_by().values_list("pk", flat=True)[:batch_size])
                if not batch:
                    break
                # By key alone: the sweep's conditions again could lead the
                # planner to a scan of the table per batch. A sweep whose rows
                # can change meanwhile checks again in its ``apply``.
                rows = due.model._default_manager.filter(pk__in=batch)
                dealt = self.apply(rows) if self.apply else delete(rows)
            if not dealt:  # nothing changed: meeting the same rows again would never end
                logger.error("Housekeeping: %s: a batch changed nothing; stopped.", self.kind)
                break
            done += dealt
        return done


@dataclass(frozen=True)
class RQFailedJobs:
    """RQ's failed jobs that ended more than ``days`` days ago, in its failed-job registries.

    RQ keeps a failed job a year (its failure TTL) and a successful one 500
    seconds: the database queue's retention is held here for the failed ones.
    """

    kind: str
    days: int | None
    queues: tuple[str, ...]

    def _due(self, now: dt.datetime) -> Iterator[tuple]:
        import django_rq
        from rq.job import Job
        from rq.registry import FailedJobRegistry

        if self.days is None:
            return
        cutoff = now - dt.timedelta(days=self.days)
        for name in self.queues:
            queue = django_rq.get_queue(name)
            registry = FailedJobRegistry(queue=queue)
            ids = registry.get_job_ids()
            for start in range(0, len(ids), BATCH_SIZE):
                jobs = Job.fetch_many(ids[start : start + BATCH_SIZE], connection=queue.connection)
                for job in jobs:
                    if job is not None and job.ended_at is not None and job.ended_at < cutoff:
                        yield registry, job

    def count(self, now: dt.datetime) -> int:
        return sum(1 for _ in self._due(now))

    def run(self, now: dt.datetime, *, batch_size: int = BATCH_SIZE) -> int:
        done = 0
        for registry, job in list(self._due(now)):
            registry.remove(job, delete_job=True)
            done += 1
        return done


def delete(rows: QuerySet) -> int:
    """Delete ``rows``; how many of them went (not counting other models' rows that went along)."""
    _total, by_model = rows.delete()
    return by_model.get(rows.model._meta.label, 0)


def sweeps() -> list[Sweep | RQFailedJobs]:
    """Every sweep the installed apps (and the host) contribute, in the order they run."""
    found: list[Sweep | RQFailedJobs] = []
    for _receiver, contributed in housekeeping_sweeps.send(sender=Sweep):
        found.extend(contributed or [])
    return found


def housekeeping_run(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> dict[str, int | str]:
    """Run every sweep (or, ``dry_run``, count what each would do). Returns the counts by kind.

    A sweep that fails (Redis away, say) is logged and named in the counts
    with its error, ``"failed: ..."``; the others still run: one kind's
    trouble must not keep commenters' addresses past their days.
    """
    now = now or timezone.now()
    counts: dict[str, int | str] = {}
    for sweep in sweeps():
        try:
            count = sweep.count(now) if dry_run else sweep.run(now, batch_size=batch_size)
        except Exception as error:
            logger.exception("Housekeeping: %s failed.", sweep.kind)
            counts[sweep.kind] = f"failed: {error!r}"[:300]
            continue
        counts[sweep.kind] = count
        logger.info("Housekeeping: %s: %d%s.", sweep.kind, count, " due" if dry_run else "")
    return counts


def failures(counts: dict[str, int | str]) -> list[str]:
    """The kinds whose sweep failed in a run that returned ``counts``."""
    return [kind for kind, count in counts.items() if isinstance(count, str)]


def housekeeping_daily(*, day: dt.date) -> dict[str, int | str]:
    """The beat's run for ``day``: the sweeps, their counts recorded on the day's run."""
    counts = housekeeping_run()
    HousekeepingRun.objects.filter(day=day).update(finished_at=timezone.now(), counts=counts)
    return counts


# A day's run not finished this long after it began is taken as lost (its
# worker died, its task never reached the queue) and enqueued again. The
# year's backlog takes under a minute (bench/housekeeping.py).
LOST_AFTER = dt.timedelta(hours=1)


@receiver(minute_passed, dispatch_uid="articles.housekeeping.daily")
def daily_run_due(sender, **kwargs) -> None:
    """From HOUR on, the first beat of each day enqueues that day's housekeeping, once.

    Once: the first beat to make the day's row enqueues it. A run lost
    before it finished is enqueued again, by the one beat whose update
    moves its start.
    """
    from articles.tasks import enqueue_with_commit, housekeeping

    now = timezone.localtime()
    if now.hour < HOUR:
        return
    day = now.date()
    with transaction.atomic():
        _run, created = HousekeepingRun.objects.get_or_create(day=day)
        lost = HousekeepingRun.objects.filter(
            day=day, finished_at=None, started_at__lt=now - LOST_AFTER
        )
        if created or lost.update(started_at=now):
            enqueue_with_commit(housekeeping, day.isoformat())


def _task_results() -> list[Sweep | RQFailedJobs]:
    """Finished task results: the database queue's, successful and failed, and RQ's failed ones."""
    from django_tasks import task_backends

    found: list[Sweep | RQFailedJobs] = []
    rq_queues = {
        name
        for backend in task_backends.all()
        if type(backend).__name__ == "RQBackend"
        for name in backend.queues
    }
    if rq_queues:
        found.append(
            RQFailedJobs(
                "task results (failed, RQ)",
                article_settings.FAILED_TASK_RESULTS_DAYS,
                tuple(sorted(rq_queues)),
            )
        )
    if not apps.is_installed("django_tasks_db"):
        return found
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    aliases = [b.alias for b in task_backends.all() if isinstance(b, DatabaseBackend)]

    def finished(status: str) -> Callable[[dt.datetime], QuerySet]:
        return lambda cutoff: DBTaskResult.objects.filter(
            backend_name__in=aliases, status=status, finished_at__lt=cutoff
        )

    return [
        Sweep(
            "task results (successful)",
            article_settings.TASK_RESULTS_DAYS,
            finished(TaskResultStatus.SUCCESSFUL),
        ),
        Sweep(
            "task results (failed)",
            article_settings.FAILED_TASK_RESULTS_DAYS,
            finished(TaskResultStatus.FAILED),
        ),
        *found,
    ]


@receiver(housekeeping_sweeps, dispatch_uid="articles.housekeeping.sweeps")
def articles_sweeps(sender, **kwargs) -> list[Sweep | RQFailedJobs]:
    settings = article_settings
    deliveries = WebhookDelivery.objects
    return [
        *_task_results(),
        Sweep(
            "periodic runs",
            settings.PERIODIC_RUNS_DAYS,
            lambda cutoff: PeriodicRun.objects.filter(minute__lt=cutoff),
        ),
        Sweep(
            "webhook deliveries (delivered)",
            settings.WEBHOOK_DELIVERIES_DAYS,
            lambda cutoff: deliveries.filter(created_at__lt=cutoff, delivered_at__isnull=False),
        ),
        Sweep(
            "webhook deliveries (failed)",
            settings.FAILED_WEBHOOK_DELIVERIES_DAYS,
            lambda cutoff: deliveries.filter(created_at__lt=cutoff, delivered_at__isnull=True),
        ),
        Sweep(
            "housekeeping runs",
            RUN_RECORDS_DAYS,
            lambda cutoff: HousekeepingRun.objects.filter(started_at__lt=cutoff),
        ),
        Sweep(
            "review reminder runs",
            RUN_RECORDS_DAYS,
            lambda cutoff: ReviewReminderRun.objects.filter(sent_at__lt=cutoff),
        ),
    ]
