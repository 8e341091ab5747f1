"""The moderators' side under load: comment POSTs against long term lists, and a spam wave.

    make bench                                  # runs this after admin_pages.py
    .venv/bin/python bench/moderation.py --pending 100000 --terms 40000

In a throw-away SQLite database with production settings (DEBUG off), through
Django's test client (the server's own time, no network):

1. **Terms.** Comment POSTs with no disallowed terms and with ``--terms``
   of them, in turns (four times each, so that the machine's drift hits both
   alike). The matcher is built once, on the first POST after the list
   changes; that POST is reported apart. Target: at most 1.2 times the cost
   with none.
2. **A spam wave.** ``--pending`` pending comments (1 in 50 urgent) and as
   many again approved, spam and removed. The workspace's first page of each
   tab, and decisions (approve, spam, remove, each with its Undo) as the
   page's script posts them. Target: under 150 ms each, at a fixed number of
   queries.

Each time is the median of the rounds. Prints tables and writes
bench/results/moderation.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.admin_pages import RESULTS, setup_django  # noqa: E402

WORKSPACE = "/admin/comments/pendingcomment/"


def post_times(client, url: str, count: int, counter) -> list[float]:
    """ms of ``count`` comment POSTs; every body different, so no rule refuses one."""
    times = []
    for _ in range(count):
        body = {
            "name": "Ada Reader",
            "email": f"ada{next(counter)}@example.org",
            "body": f"Magnesium helped me sleep, night {next(counter)}. " * 8,
        }
        started = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.content
    return times


def terms(count: int, rounds: int) -> dict:
    """POSTs with no terms and with ``count``, taken in turns, so that drift hits both alike."""
    import itertools
    import random

    from django.test import Client

    from comments.matching import terms_changed
    from comments.models import DisallowedTerm
    from comments.moderation import TERMS

    url = "/api/v1/articles/what-causes-restless-legs-syndrome/comments/"
    client = Client()
    counter = itertools.count()
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = sorted({"".join(rng.choices(letters, k=rng.randint(6, 14))) for _ in range(count)})
    samples: dict[str, list[float]] = {"none": [], "many": []}
    builds = []
    post_times(client, url, 5, counter)  # warm
    for _ in range(4):
        for state in ("none", "many"):
            # Bulk writes send no signals: say the list changed, as the admin's saves do.
            if state == "many":
                DisallowedTerm.objects.bulk_create(DisallowedTerm(term=word) for word in words)
            else:
                DisallowedTerm.objects.all()._raw_delete(DisallowedTerm.objects.db)
            terms_changed(TERMS)
            builds.append(post_times(client, url, 1, counter)[0])  # builds the matcher
            samples[state] += post_times(client, url, 5 * rounds, counter)
    none, many = (statistics.median(samples[state]) for state in ("none", "many"))
    return {
        "terms": len(words),
        "posts timed": len(samples["none"]) + len(samples["many"]),
        "post ms, no terms": round(none, 2),
        f"post ms, {len(words):,} terms": round(many, 2),
        "ratio": round(many / none, 2),
        "first post after a change (builds the matcher) ms": round(max(builds), 1),
    }


def fill_wave(pending: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from articles.models import Article
    from comments.models import Comment

    article = Article.objects.get()
    now = timezone.now()
    hold = [
        {"rule": "default", "verdict": "hold", "detail": "no rule approved it: held by default"}
    ]
    links = [{"rule": "too_many_links", "verdict": "hold", "detail": "5 links, limit 2"}]
    crisis = [{"rule": "crisis_language", "verdict": "hold", "detail": "crisis language"}]
    statuses = [Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.REMOVED]

    def comment(n: int, status: str) -> Comment:
        urgent = status == Comment.Status.PENDING and n % 50 == 0
        # Half the wave from one address: its history is 100,000 comments long.
        sender = 0 if n % 2 == 0 else n % 997
        return Comment(
            article=article,
            name=f"Spammer {sender}",
            email=f"s{sender}@example.org",
            body=f"Buy now https://spam.example/{n} https://x.example/{n} and more, number {n}.",
            body_html=f"<p>Buy now, number {n}.</p>",
            status=status,
            priority=Comment.Priority.URGENT if urgent else Comment.Priority.NORMAL,
            reasons=crisis if urgent else (links if n % 2 else hold),
            submitted_at=now - dt.timedelta(seconds=n),
            ip_address=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        )

    batch = []
    for n in range(pending):
        batch.append(comment(n, Comment.Status.PENDING))
        batch.append(comment(pending + n, statuses[n % 3]))
        if len(batch) >= 5000:
            Comment.objects.bulk_create(batch)
            batch = []
    Comment.objects.bulk_create(batch)


def measure(client, method: str, url: str, rounds: int, data_of=None, headers=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def prepared():
        """The request to time, made ready first (a POST's target is taken outside the clock)."""
        if method == "POST":
            target, data = url(), data_of()
            return lambda: client.post(target, data, headers=headers or {})
        return lambda: client.get(url)

    prepared()()
    times = []
    for _ in range(rounds):
        request = prepared()
        started = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
    request = prepared()
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code in (200, 302), response.status_code
    return {
        "status": response.status_code,
        "ms": round(statistics.median(times), 1),
        "queries": len(queries),
    }


def wave(pending: int, rounds: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from comments.models import Comment

    fill_wave(pending)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does soon after a wave: statistics, and the
        # visibility map that lets an index alone answer a count.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE comments_comment")
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "-")
    client = Client()
    client.force_login(user)
    results = {}
    for tab in ("pending", "urgent", "spam", "approved"):
        results[f"{tab} tab, first page"] = measure(client, "GET", f"{WORKSPACE}?tab={tab}", rounds)
    results["pending tab, search"] = measure(
        client, "GET", f"{WORKSPACE}?tab=pending&q=number+4242", rounds
    )
    queue = iter(
        Comment.objects.filter(status=Comment.Status.PENDING)
        .order_by("submitted_at")
        .values_list("pk", flat=True)[: 4 * (rounds + 2)]
    )
    json_headers = {"Accept": "application/json"}
    undo = {}
    for action in ("approve", "spam", "remove"):

        def url():
            undo["pk"] = next(queue)
            return f"{WORKSPACE}{undo['pk']}/decide/"

        def data(action=action):
            return {"action": action, "tab": "pending"}

        results[f"decide: {action}"] = measure(
            client, "POST", url, rounds, data_of=data, headers=json_headers
        )
    decided = []

    def undo_url():
        pk = next(queue)
        answer = client.post(
            f"{WORKSPACE}{pk}/decide/", {"action": "approve"}, headers=json_headers
        ).json()
        decided.append(answer["undo"])
        return f"{WORKSPACE}{pk}/decide/"

    results["decide: undo"] = measure(
        client,
        "POST",
        undo_url,
        rounds,
        data_of=lambda: {"action": "undo", "token": decided[-1]},
        headers=json_headers,
    )
    results["comments in all"] = Comment.objects.count()
    return results


def table(results: dict) -> str:
    lines = ["| what | status | server time | queries |", "|---|---|---|---|"]
    for name, r in results.items():
        if isinstance(r, dict):
            lines.append(f"| {name} | {r['status']} | {r['ms']:.0f} ms | {r['queries']} |")
    return "\n".join(lines)


BENCH_DATABASE = "rls_moderation_bench"


def _server(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def own_database(server_url: str) -> str:
    """A fresh database for the bench on the PostgreSQL server at ``server_url``; its URL."""
    from urllib.parse import urlsplit, urlunsplit

    with _server(server_url) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{BENCH_DATABASE}"))


def drop_database(server_url: str) -> None:
    from django.db import connections

    connections.close_all()
    with _server(server_url) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")


def add_postgres_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on PostgreSQL: a server's URL; a database of the bench's own is "
        "made there and dropped after (e.g. postgres://postgres@127.0.0.1:5432/postgres)",
    )


def in_own_database(postgres: str | None, prefix: str, measure) -> dict:
    """``measure(workdir, database_url)`` in a throw-away folder and database; its results.

    SQLite in the folder, or a database of the bench's own on the PostgreSQL
    server at ``postgres``, dropped after.
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
        database_url = own_database(postgres) if postgres else None
        try:
            results = measure(Path(workdir), database_url)
        finally:
            if postgres:
                drop_database(postgres)
    results["database"] = "postgresql" if postgres else "sqlite"
    return results


def measure_all(workdir: Path, database_url: str | None, args) -> dict:
    setup_django(workdir, database_url)
    from django.core.management import call_command
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Every POST is counted, none refused: no flood rule or throttle.
    with override_settings(RLS_COMMENTS={"FLOOD_SECONDS": 0, "THROTTLE_RATE": None}):
        results = {"terms": terms(args.terms, args.rounds)}
    results["wave"] = wave(args.pending, args.rounds)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--terms", type=int, default=40_000)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=RESULTS / "moderation.json")
    add_postgres_option(parser)
    args = parser.parse_args()
    results = in_own_database(
        args.postgres,
        "rls-moderation-bench-",
        lambda workdir, database_url: measure_all(workdir, database_url, args),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    for name, value in results["terms"].items():
        print(f"{name}: {value}")
    print()
    print(
        f"{results['database']}: {results['wave']['comments in all']:,} comments, "
        f"{args.pending:,} pending"
    )
    print(table(results["wave"]))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
