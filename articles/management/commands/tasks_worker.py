"""``manage.py tasks_worker``: the worker for whichever task backend TASKS names.

The database backend's worker is ``db_worker``; RQ's is django-rq's
``rqworker``, with its scheduler for retries set to run later. Before it,
the once-a-minute beat is started (scheduled articles' webhooks, leftover
moderator notifications), which neither worker does by itself. One command
for any host whose TASKS is a queue, ``make run`` and every deployment.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from articles.signals import worker_starting
from articles.tasks import every_minute


class Command(BaseCommand):
    help = "Run tasks as they are enqueued, on the configured task backend."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1, help="seconds between polls (database backend)"
        )

    def handle(self, *args, interval: float, **options) -> None:
        backend = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__
        if backend not in {"DatabaseBackend", "RQBackend"}:
            raise CommandError(
                f"The {backend} runs tasks as they are enqueued: there is no worker to start."
            )
        # What a worker that died left undone is made up now (the database queue
        # never takes a running task up again; RQ files it as failed).
        worker_starting.send(sender=self.__class__)
        # The periodic beat: one chain survives however many workers start one.
        every_minute.enqueue()
        if backend == "DatabaseBackend":
            call_command("db_worker", interval=interval)
        else:
            # django-tasks-rq's job class runs the task the job names.
            call_command(
                "rqworker",
                "default",
                with_scheduler=True,
                job_class="django_tasks_rq.backend.Job",
            )
