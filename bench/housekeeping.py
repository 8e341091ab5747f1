"""A year of running, then the housekeeping at the default settings: the rows left, and the time.

    make bench                                   # runs this after cache.py
    .venv/bin/python bench/housekeeping.py --days-per-year 365

In a throw-away SQLite database (or PostgreSQL with ``--postgres``) with
production settings: ``bench/year.py`` writes a year of a mid-sized health
publisher's rows (a beat a minute and its task result, 60 other tasks, 20
webhook deliveries and 100 comments a day, 3 in 5 of them spam, with reply
threads under spam), with their timestamps. Then ``manage.py housekeeping``
as the first daily run meets it (a year of backlog), and again the next day
(a day's worth: the steady state). Target: the backlog in under 2 minutes;
the daily run under 5 seconds.

Prints the table sizes before and after, and the times; writes
bench/results/housekeeping.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.admin_pages import RESULTS, setup_django  # noqa: E402
from bench.moderation import add_postgres_option, in_own_database  # noqa: E402

END = dt.datetime(2027, 12, 1, 3, 0, tzinfo=dt.UTC)


def measure(workdir: Path, database_url: str | None, *, beat_minutes: int) -> dict:
    setup_django(workdir, database_url)
    import time_machine
    from django.core.management import call_command

    from articles.housekeeping import housekeeping_run
    from articles.models import Article
    from bench.year import Year, fill_year, table_sizes

    year = Year(beat_minutes=beat_minutes)

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    started = time.perf_counter()
    written = fill_year(END, year, article=Article.objects.get())
    filled = time.perf_counter() - started
    before = table_sizes()

    with time_machine.travel(END, tick=True):
        started = time.perf_counter()
        backlog = housekeeping_run()
        backlog_seconds = time.perf_counter() - started
    after = table_sizes()
    # The next day: a day of new rows, then the daily run.
    fill_next_day(END, year)
    with time_machine.travel(END + dt.timedelta(days=1), tick=True):
        started = time.perf_counter()
        daily = housekeeping_run()
        daily_seconds = time.perf_counter() - started
    return {
        "written": written,
        "fill seconds": round(filled, 1),
        "before": before,
        "after": after,
        "deleted or erased": backlog,
        "backlog seconds": round(backlog_seconds, 2),
        "next day": table_sizes(),
        "next day deleted or erased": daily,
        "daily seconds": round(daily_seconds, 2),
    }


def fill_next_day(end: dt.datetime, year) -> None:
    """The day after ``end``: the last day of the year shifted a day on."""
    from articles.models import Article
    from bench.year import fill_year

    fill_year(end + dt.timedelta(days=1), year, article=Article.objects.get(), since=end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "housekeeping.json")
    parser.add_argument(
        "--beat-minutes",
        type=int,
        default=1,
        help="minutes between beats (default 1, as deployed; 60 for a quick look)",
    )
    add_postgres_option(parser)
    args = parser.parse_args()
    results = in_own_database(
        args.postgres,
        "rls-housekeeping-bench-",
        lambda workdir, database_url: measure(
            workdir, database_url, beat_minutes=args.beat_minutes
        ),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{results['database']}: a year written in {results['fill seconds']} s")
    print(f"{'rows':<32}{'a year':>12}{'after':>10}{'next day':>10}")
    for kind, count in results["before"].items():
        print(
            f"{kind:<32}{count:>12,}{results['after'][kind]:>10,}{results['next day'][kind]:>10,}"
        )
    print(f"\nthe year's backlog: {results['backlog seconds']} s")
    print(f"the next day's run: {results['daily seconds']} s")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
