"""The editor's admin pages: server time, size and queries of the article's pages.

    make bench                                 # runs this after run.py
    .venv/bin/python bench/admin_pages.py --rounds 3

In a throw-away SQLite database with production settings (DEBUG off): the
demo article with 50 revisions, and a long article (a systematic review: 200
sections, 300 references). For each, the change, add and history pages are
fetched through Django's test client (no network: the server's own time),
and the change page is saved back unchanged as the browser posts it (only
changed rows: admin.sparse). Each time is the median of the rounds. Prints a
table and writes bench/results/admin.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django(workdir: Path, database_url: str | None = None) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'admin.sqlite3'}",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-secret-key",
            "ALLOWED_HOSTS": "testserver",
            "MEDIA_ROOT": str(workdir / "media"),
            "CACHE_DIR": str(workdir / "cache"),
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
            "BENCH_PLAIN_STATIC": "1",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill() -> dict[str, int]:
    """The demo article with 50 revisions, and the long article; returns their ids."""
    from django.core.management import call_command

    from articles import services
    from articles.models import Article
    from articles.signals import Reason
    from tests.articles.test_long_articles import long_article

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    demo = Article.objects.get()
    for _ in range(49):  # the import is the first
        services.article_mark_changed(article=demo, reason=Reason.SAVED)
    review = long_article(slug="systematic-review")
    services.article_mark_changed(article=review, reason=Reason.SAVED)
    return {"demo": demo.pk, "long": review.pk}


def measure(client, method: str, url: str, rounds: int, data=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def once():
        return client.post(url, data) if method == "POST" else client.get(url)

    once()  # warm: templates compiled, caches filled
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = once()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = once()
    return {
        "status": response.status_code,
        "ms": round(statistics.median(times), 1),
        "bytes": len(response.content),
        "queries": len(queries),
    }


def run(rounds: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.admin_forms import sparse_form_data

    ids = fill()
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "-")
    client = Client()
    client.force_login(user)
    results = {"add page": measure(client, "GET", "/admin/articles/article/add/", rounds)}
    for name, pk in ids.items():
        change = f"/admin/articles/article/{pk}/change/"
        results[f"{name}: change page"] = measure(client, "GET", change, rounds)
        results[f"{name}: history page"] = measure(
            client, "GET", f"/admin/articles/article/{pk}/history/", rounds
        )
        # Each save is a revision: post a page freshly opened, every round.
        times, last = [], None
        for _ in range(rounds):
            data = sparse_form_data(client.get(change).content.decode())
            started = time.perf_counter()
            last = client.post(change, data)
            times.append((time.perf_counter() - started) * 1000)
        results[f"{name}: save unchanged"] = {
            "status": last.status_code,
            "ms": round(statistics.median(times), 1),
            "fields": sum(len(v) if isinstance(v, list) else 1 for v in data.values()),
        }
    return results


def table(results: dict) -> str:
    lines = ["| page | status | server time | size | queries |", "|---|---|---|---|---|"]
    for name, r in results.items():
        size = f"{r['bytes'] / 1024:.0f} kB" if "bytes" in r else f"{r['fields']} fields posted"
        lines.append(
            f"| {name} | {r['status']} | {r['ms']:.0f} ms | {size} | {r.get('queries', '')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS / "admin.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rls-admin-bench-") as workdir:
        setup_django(Path(workdir))
        results = run(args.rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
