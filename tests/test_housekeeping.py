"""Housekeeping: a year of rows goes down to what the retention settings keep, and no further.

The daily run (the beat), the command with ``--dry-run``, the batches, and
the settings. Commenters' addresses and spam: ``tests/comments/test_retention.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from articles import housekeeping
from articles.models import HousekeepingRun, PeriodicRun, WebhookDelivery
from articles.signals import minute_passed
from bench.year import Year, fill_year, table_sizes
from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

END = dt.datetime(2027, 12, 1, 12, 0, tzinfo=dt.UTC)
# The defaults' year, thinned: a beat an hour, 6 other tasks, 2 deliveries and 4 comments a day.
THIN = Year(
    beat_minutes=60,
    tasks_per_day=6,
    deliveries_per_day=2,
    comments_per_day=4,
    reply_threads=False,
)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture
def a_year(database_queue):
    return fill_year(END, THIN, article=ArticleFactory())


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("housekeeping", *args, stdout=out)
    return out.getvalue()


def test_a_year_comes_down_to_what_the_retention_keeps(a_year):
    assert a_year == {
        "periodic runs": 8760,
        "task results": 8760 + 2190,
        "webhook deliveries": 730,
        "comments": 1460,
    }
    assert table_sizes() == {
        "periodic runs": 8760,
        "task results": 10950,
        "webhook deliveries": 730,
        "comments": 1460,
        "spam comments": 876,
        "comments with an IP address": 1460,
    }

    with time_machine.travel(END, tick=False):
        counts = housekeeping.housekeeping_run()

    assert table_sizes() == {
        "periodic runs": 25,  # the last day's, at an hour each, both ends in
        "task results": 169 + 43 + 1,  # beats and tasks of 7 days, 1 failed of 30
        "webhook deliveries": 60 + 4,  # delivered of 30 days, failed of 90
        "comments": 584 + 72,  # every comment but spam, spam of 30 days
        "spam comments": 72,
        "comments with an IP address": 121,  # of the last 30 days
    }
    assert counts == {
        "task results (successful)": 10950 - 169 - 43 - 22,
        "task results (failed)": 22 - 1,
        "periodic runs": 8760 - 25,
        "webhook deliveries (delivered)": 715 - 60,
        "webhook deliveries (failed)": 15 - 4,
        "housekeeping runs": 0,
        "review reminder runs": 0,
        "spam comments": 876 - 72,
        "commenters' IP addresses and user agents": 656 - 121,
        # The demo host's own (rls_cms/housekeeping.py): none in this year.
        "expired sessions": 0,
        "staff sign-ins (axes)": 0,
        "failed staff sign-ins (axes)": 0,
        "sign-in failure counters (axes)": 0,
    }
    kept = Comment.objects.filter(ip_address=None)
    assert not kept.exclude(user_agent="").exists()
    assert not kept.filter(client_key="").exists()  # the rules' key stays

    with time_machine.travel(END, tick=False):
        again = housekeeping.housekeeping_run()
    assert set(again.values()) == {0}


def test_a_year_of_threads_keeps_every_real_reply_and_the_spam_above_it(database_queue):
    threads = Year(beat_minutes=24 * 60, tasks_per_day=1, deliveries_per_day=1, comments_per_day=10)
    fill_year(END, threads, article=ArticleFactory())
    comments = Comment.objects
    approved = set(comments.exclude(status=Comment.Status.SPAM).values_list("pk", flat=True))
    assert comments.filter(parent__status=Comment.Status.SPAM, status="spam").count() == 365
    assert comments.filter(parent__status=Comment.Status.SPAM, status="approved").count() == 365

    with time_machine.travel(END, tick=False):
        counts = housekeeping.housekeeping_run(batch_size=100)

    assert set(comments.exclude(status=Comment.Status.SPAM).values_list("pk", flat=True)) == (
        approved
    )
    old_spam = comments.filter(
        status=Comment.Status.SPAM, submitted_at__lt=END - dt.timedelta(days=30)
    )
    # Old spam stays only above a real reply; spam replies under old spam went with it.
    assert set(old_spam.values_list("pk", flat=True)) == set(
        comments.filter(parent__in=old_spam, status="approved").values_list("parent", flat=True)
    )
    assert old_spam.count() == 365 - 30  # one thread a day kept, before the last 30 days
    assert counts["spam comments"] == 2190 - 180 - old_spam.count()  # 180: of the last 30 days


def test_what_remains_is_exactly_the_rows_inside_each_window(a_year):
    with time_machine.travel(END, tick=False):
        housekeeping.housekeeping_run()
    day = dt.timedelta(days=1)
    assert PeriodicRun.objects.filter(minute__lt=END - day).count() == 0
    assert min(PeriodicRun.objects.values_list("minute", flat=True)) == END - day
    finished = DBTaskResult.objects.values_list("status", "finished_at")
    assert min(at for status, at in finished if status == "SUCCESSFUL") >= END - 7 * day
    assert min(at for status, at in finished if status == "FAILED") >= END - 30 * day
    delivered = WebhookDelivery.objects.exclude(delivered_at=None)
    assert min(delivered.values_list("created_at", flat=True)) >= END - 30 * day
    failed = WebhookDelivery.objects.filter(delivered_at=None)
    assert min(failed.values_list("created_at", flat=True)) >= END - 90 * day
    spam = Comment.objects.filter(status=Comment.Status.SPAM)
    assert min(spam.values_list("submitted_at", flat=True)) >= END - 30 * day
    with_address = Comment.objects.exclude(ip_address=None)
    assert min(with_address.values_list("submitted_at", flat=True)) >= END - 30 * day


def test_longer_and_shorter_retention_and_none_for_forever(a_year, settings):
    settings.RLS_ARTICLES = {
        **settings.RLS_ARTICLES,
        "PERIODIC_RUNS_DAYS": 2,
        "TASK_RESULTS_DAYS": None,
        "FAILED_TASK_RESULTS_DAYS": None,
        "WEBHOOK_DELIVERIES_DAYS": 1,
    }
    settings.RLS_COMMENTS = {**settings.RLS_COMMENTS, "SPAM_DAYS": None}
    with time_machine.travel(END, tick=False):
        counts = housekeeping.housekeeping_run()
    assert counts["task results (successful)"] == counts["task results (failed)"] == 0
    assert counts["spam comments"] == 0
    sizes = table_sizes()
    assert sizes["periodic runs"] == 49
    assert sizes["task results"] == 10950
    assert sizes["spam comments"] == 876
    assert WebhookDelivery.objects.exclude(delivered_at=None).count() == 3  # both ends in


def test_the_dry_run_counts_and_changes_nothing(a_year):
    before = table_sizes()
    with time_machine.travel(END, tick=False):
        printed = run("--dry-run")
        due = housekeeping.housekeeping_run(dry_run=True)
    assert table_sizes() == before
    assert "Dry run: nothing was changed." in printed
    assert "periodic runs" in printed and f"{8760 - 25:,}" in printed
    with time_machine.travel(END, tick=False):
        done = housekeeping.housekeeping_run()
    assert done == due  # the dry run's counts are what a run then does


def test_the_command_prints_its_counts(a_year):
    with time_machine.travel(END, tick=False):
        printed = run()
    lines = dict(line.rsplit(None, 1) for line in printed.strip().splitlines())
    assert {kind.strip(): count for kind, count in lines.items()}["periodic runs"] == "8,735"


@pytest.mark.parametrize("size", ["0", "-1", "many"])
def test_the_command_refuses_a_batch_size_that_is_not_a_positive_number(size):
    with pytest.raises(CommandError, match="batch.size"):
        call_command("housekeeping", "--batch-size", size)


def test_rows_go_in_batches_each_its_own_transaction(database_queue):
    PeriodicRun.objects.bulk_create(
        PeriodicRun(minute=END - dt.timedelta(days=2, minutes=n)) for n in range(250)
    )
    with time_machine.travel(END, tick=False), CaptureQueriesContext(connection) as queries:
        counts = housekeeping.housekeeping_run(batch_size=100)
    assert counts["periodic runs"] == 250
    deletes = [
        q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "articles_periodicrun"')
    ]
    assert len(deletes) == math.ceil(250 / 100)
    # A transaction per batch: as many commits (or releases of a savepoint) as batches, at least.
    ends = [q for q in queries if q["sql"].split()[0].upper() in {"COMMIT", "RELEASE"}]
    assert len(ends) >= len(deletes)


def test_a_batch_that_changes_nothing_stops_the_sweep(database_queue, caplog):
    PeriodicRun.objects.create(minute=END - dt.timedelta(days=2))
    stuck = housekeeping.Sweep(
        "stuck", 1, lambda cutoff: PeriodicRun.objects.filter(minute__lt=cutoff), lambda rows: 0
    )
    with time_machine.travel(END, tick=False):
        assert stuck.run(END) == 0
    assert "changed nothing" in caplog.text
    assert PeriodicRun.objects.count() == 1


# The beat: once a day, in one worker.


def beat(at: dt.datetime) -> None:
    with time_machine.travel(at, tick=False):
        minute_passed.send(sender=PeriodicRun)


def test_the_beat_runs_it_once_a_day_from_three_in_the_morning(database_queue, settings):
    settings.TIME_ZONE = "Europe/London"
    day = dt.date(2027, 6, 1)
    at = dt.datetime(2027, 6, 1, 2, 59, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    beat(at)
    assert not HousekeepingRun.objects.exists()
    beat(at + dt.timedelta(minutes=1))
    beat(at + dt.timedelta(minutes=2))  # another worker, or the next minute
    HousekeepingRun.objects.update(finished_at=at + dt.timedelta(minutes=3))
    beat(at + dt.timedelta(hours=20))
    assert list(HousekeepingRun.objects.values_list("day", flat=True)) == [day]
    queued = DBTaskResult.objects.filter(task_path="articles.tasks.housekeeping")
    assert list(queued.values_list("args_kwargs", flat=True)) == [
        {"args": ["2027-06-01"], "kwargs": {}}
    ]
    beat(at + dt.timedelta(days=1, minutes=1))
    assert HousekeepingRun.objects.count() == queued.count() == 2


def test_a_run_lost_before_it_finished_is_enqueued_again_once(database_queue):
    at = dt.datetime(2027, 6, 1, 3, 0, tzinfo=dt.UTC)
    beat(at)
    beat(at + dt.timedelta(minutes=59))  # still running, maybe
    queued = DBTaskResult.objects.filter(task_path="articles.tasks.housekeeping")
    assert queued.count() == 1
    beat(at + dt.timedelta(minutes=61))  # its worker died: again
    beat(at + dt.timedelta(minutes=62))  # another worker's beat: not a third
    assert queued.count() == 2
    assert HousekeepingRun.objects.get().started_at == at + dt.timedelta(minutes=61)


def test_a_failing_sweep_is_named_and_the_others_still_run(database_queue, caplog):
    from articles.signals import housekeeping_sweeps

    def broken(cutoff):
        raise ConnectionError("Redis is away")

    def host_sweeps(sender, **kwargs):
        return [housekeeping.Sweep("broken rows", 1, broken)]

    PeriodicRun.objects.create(minute=END - dt.timedelta(days=2))
    housekeeping_sweeps.connect(host_sweeps, dispatch_uid="test.broken")
    try:
        with time_machine.travel(END, tick=False):
            with pytest.raises(CommandError, match="Failed: broken rows"):
                run()
            counts = housekeeping.housekeeping_run()
    finally:
        housekeeping_sweeps.disconnect(dispatch_uid="test.broken")
    assert counts["broken rows"] == "failed: ConnectionError('Redis is away')"
    assert counts["periodic runs"] == 0  # the command's run deleted it already
    assert not PeriodicRun.objects.exists()
    assert "broken rows failed" in caplog.text


def test_the_daily_task_records_what_it_did(a_year, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        time_machine.travel(END.replace(hour=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        minute_passed.send(sender=PeriodicRun)
    run_ = HousekeepingRun.objects.get()
    assert run_.finished_at == END.replace(hour=3)
    assert run_.counts["periodic runs"] > 8000
    # A day back from 03:00, both ends in, and the rows to noon that the year holds.
    assert PeriodicRun.objects.count() == 25 + 9


def test_the_runs_own_records_go_after_400_days(database_queue):
    HousekeepingRun.objects.create(day=dt.date(2026, 1, 1), started_at=END - dt.timedelta(days=401))
    HousekeepingRun.objects.create(day=dt.date(2027, 1, 1), started_at=END - dt.timedelta(days=399))
    with time_machine.travel(END, tick=False):
        assert housekeeping.housekeeping_run()["housekeeping runs"] == 1
    assert list(HousekeepingRun.objects.values_list("day", flat=True)) == [dt.date(2027, 1, 1)]


def test_a_host_adds_its_own_sweep(database_queue):
    from articles.signals import housekeeping_sweeps

    def host_sweeps(sender, **kwargs):
        return [
            housekeeping.Sweep("host rows", 3, lambda c: PeriodicRun.objects.filter(minute__lt=c))
        ]

    PeriodicRun.objects.create(minute=END - dt.timedelta(days=4))
    housekeeping_sweeps.connect(host_sweeps, dispatch_uid="test.host")
    try:
        with time_machine.travel(END, tick=False):
            counts = housekeeping.housekeeping_run()
    finally:
        housekeeping_sweeps.disconnect(dispatch_uid="test.host")
    assert counts["host rows"] + counts["periodic runs"] == 1
    assert "host rows" in counts


def test_rq_keeps_failed_jobs_a_year_the_housekeeping_only_the_failed_retention(settings, db):
    import django_rq
    from rq.job import Job
    from rq.registry import FailedJobRegistry

    from tests.processes import redis_database

    with redis_database() as url:
        settings.RQ_QUEUES = {"default": {"URL": url}}
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        }
        queue = django_rq.get_queue("default")
        registry = FailedJobRegistry(queue=queue)
        for days in (31, 29):
            job = Job.create("articles.tasks.housekeeping", connection=queue.connection)
            job.ended_at = END - dt.timedelta(days=days)
            job.save()
            registry.add(job, ttl=365 * 24 * 3600)  # RQ's own failure TTL: a year

        due = housekeeping.housekeeping_run(now=END, dry_run=True)
        assert due["task results (failed, RQ)"] == 1
        assert registry.count == 2  # the dry run changed nothing
        assert housekeeping.housekeeping_run(now=END)["task results (failed, RQ)"] == 1
        [kept] = Job.fetch_many(registry.get_job_ids(), connection=queue.connection)
        assert kept.ended_at == END - dt.timedelta(days=29)


def test_the_demo_host_adds_expired_sessions_and_old_sign_in_records(database_queue):
    from axes.models import AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    Session.objects.create(session_key="gone", session_data="", expire_date=END - dt.timedelta(1))
    Session.objects.create(session_key="kept", session_data="", expire_date=END + dt.timedelta(1))
    for days in (91, 89):
        with time_machine.travel(END - dt.timedelta(days=days), tick=False):  # auto_now_add
            AccessLog.objects.create(username="editor", ip_address="203.0.113.9", user_agent="UA")
            AccessFailureLog.objects.create(username="editor", ip_address="203.0.113.9")
    with time_machine.travel(END, tick=False):
        counts = housekeeping.housekeeping_run()
    assert counts["expired sessions"] == 1
    assert counts["staff sign-ins (axes)"] == counts["failed staff sign-ins (axes)"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["kept"]
    assert AccessLog.objects.count() == AccessFailureLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_readers_keep_posting_while_a_year_of_backlog_goes(live_server, settings):
    """Each batch is a short transaction: comment POSTs go through between batches, none lost."""
    from tests.comments.test_concurrency import post_json

    settings.TASKS = DATABASE_QUEUE
    settings.RLS_COMMENTS = {"NUM_PROXIES": 1, "FLOOD_SECONDS": 0, "THROTTLE_RATE": None}
    running, done = threading.Event(), threading.Event()
    statuses: list[int] = []
    during: list[int] = []  # posts answered while the housekeeping ran

    with time_machine.travel(END, tick=True):  # the server's threads share the clock
        article = ArticleFactory()
        fill_year(END, THIN, article=article)
        url = f"{live_server.url}/api/v1/articles/{article.slug}/comments/"

        def reader(n: int) -> None:
            i = 0
            while not done.is_set() and i < 500:
                payload = {"name": f"R{n}", "email": f"r{n}.{i}@x.org", "body": f"Hi {n} {i}."}
                statuses.append(post_json(url, payload, client_ip=f"203.0.113.{n + 1}"))
                if running.is_set() and not done.is_set():
                    during.append(n)
                i += 1

        threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(4)]
        for thread in threads:
            thread.start()
        running.set()
        counts = housekeeping.housekeeping_run(now=END, batch_size=100)
        done.set()
        for thread in threads:
            thread.join(timeout=120)

    assert during, "no comment was answered while the housekeeping ran"
    assert set(statuses) == {201}
    assert counts["periodic runs"] == 8760 - 25
    assert counts["spam comments"] == 876 - 72
    posted = Comment.objects.filter(body__startswith="Hi ")
    assert posted.count() == len(statuses)
    assert Comment.objects.exclude(ip_address=None).count() == 121 + len(statuses)


def test_the_admin_lists_each_run_with_what_it_did(admin_client, database_queue):
    HousekeepingRun.objects.create(
        day=dt.date(2027, 6, 1),
        finished_at=END,
        counts={"periodic runs": 1439, "spam comments": 0, "task results (successful)": 1500},
    )
    HousekeepingRun.objects.create(day=dt.date(2027, 6, 2))  # still running, or died
    page = admin_client.get("/admin/articles/housekeepingrun/").content.decode()
    assert "periodic runs: 1,439; task results (successful): 1,500" in page
    assert "spam comments" not in page  # nothing done is not listed
    assert "not finished" in page
    assert admin_client.get("/admin/articles/housekeepingrun/add/").status_code == 403
