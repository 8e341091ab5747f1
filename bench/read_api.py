"""Benchmark the read API in-process, against a trivial Django JSON view.

    .venv/bin/python bench/read_api.py [--articles 1000] [--seconds 3]

Builds a throwaway SQLite database (or uses DATABASE_URL), fills it with the
demo article and ``--articles`` generated ones, then drives each endpoint with
Django's test client for ``--seconds`` and prints requests per second, the
ratio to the trivial view (DESIGN.md's targets: detail 0.7, list 0.5), queries
per request, and peak memory. In-process numbers leave out the HTTP server,
so they measure what rls_cms itself costs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_file: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rls_cms.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database_file}")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SERVE_MEDIA", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("MEDIA_ROOT", str(database_file.parent / "media"))
    import django

    django.setup()


def trivial_urlconf():
    """The project's URLs plus /bench/trivial/, the baseline."""
    from django.http import JsonResponse
    from django.urls import include, path

    def trivial(request):
        return JsonResponse({"ok": True})

    module = type(sys)("bench_urls")
    module.urlpatterns = [path("bench/trivial/", trivial), path("", include("rls_cms.urls"))]
    sys.modules["bench_urls"] = module
    return "bench_urls"


def fill(articles: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from articles.models import Article, Reference, Section

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--keep-existing", stdout=open(os.devnull, "w"))  # noqa: SIM115
    missing = articles - (Article.objects.count() - 1)
    if missing <= 0:
        return
    now = timezone.now()
    start = Article.objects.count()
    new = Article.objects.bulk_create(
        Article(
            title=f"Generated article {n}",
            slug=f"generated-{n}",
            intro="An intro.",
            intro_html="<p>An intro.</p>",
            status=Article.Status.PUBLISHED,
            published_at=now - timezone.timedelta(minutes=n),
        )
        for n in range(start, start + missing)
    )
    Section.objects.bulk_create(
        Section(article=a, position=p, heading=f"Part {p}", anchor=f"part-{p}", body="Text.")
        for a in new
        for p in range(5)
    )
    Reference.objects.bulk_create(
        Reference(article=a, position=p, title=f"Study {p}", source="Journal", year=2020)
        for a in new
        for p in range(5)
    )


def measure(client, url: str, seconds: float) -> tuple[float, int, float]:
    """Requests per second, queries per request, peak memory (MiB) of one request."""
    from django.db import connection

    assert client.get(url).status_code == 200, url
    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(url)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    count, deadline = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        client.get(url)
        count += 1
    return count / (time.perf_counter() - started), len(queries), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rls_cms-bench-"))
    setup_django(workdir / "bench.sqlite3")
    from django.conf import settings
    from django.test import Client

    settings.ROOT_URLCONF = trivial_urlconf()
    settings.ALLOWED_HOSTS = ["testserver"]
    fill(args.articles)

    client = Client()
    endpoints = [
        ("trivial JSON view", "/bench/trivial/"),
        ("article list", "/api/v1/articles/"),
        ("article detail (demo)", "/api/v1/articles/what-causes-restless-legs-syndrome/"),
        ("comment list (demo)", "/api/v1/articles/what-causes-restless-legs-syndrome/comments/"),
    ]
    results = [(name, *measure(client, url, args.seconds)) for name, url in endpoints]

    baseline = results[0][1]
    print(f"{args.articles} generated articles, {args.seconds:g} s per endpoint, in-process")
    print(f"{'endpoint':<26} {'req/s':>9} {'vs trivial':>11} {'queries':>8} {'peak MiB':>9}")
    for name, rps, queries, peak in results:
        print(f"{name:<26} {rps:>9.0f} {rps / baseline:>11.2f} {queries:>8} {peak:>9.2f}")


if __name__ == "__main__":
    main()
