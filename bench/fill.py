"""Fill a throw-away database for the benchmark, and count each endpoint's queries.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python bench/fill.py --articles N --comments M --out F

The demo article, then ``N`` generated articles with 12 sections, 2 images
and 15 references each (rows written in bulk, the search index beside them),
``M`` comments (1,000 approved ones on the demo article, the rest spread, a
fifth of them pending), and one article holding a word no other has. Writes
to ``--out`` (JSON) the addresses to measure and the queries each costs,
served from the cache (warm) and from the stored documents (cold).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RARE_WORD = "xerophthalmia"
SECTIONS, IMAGES, REFERENCES = 12, 2, 15
CHUNK = 2000  # articles written per transaction

PARAGRAPH = (
    "Restless legs syndrome is a disorder of the nervous system that causes an urge to "
    "move the legs. Iron deficiency, kidney disease and pregnancy are among the causes "
    "studied; dopamine pathways in the brain play a part. Symptoms worsen in the evening "
    "and at night, and sleep suffers."
)


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def fill(articles: int, comments: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.live import live_snapshot
    from articles.management.commands.load_demo import DEMO_SLUG
    from articles.markdown import render_markdown
    from articles.models import Article
    from articles.search import search_write
    from comments.models import Comment

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    demo = Article.objects.get(slug=DEMO_SLUG)
    image = demo.images.first()

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")  # a throw-away database
    now = timezone.now()
    body_html = render_markdown(PARAGRAPH)
    rare_at = articles // 2
    when = connection.ops.adapt_datetimefield_value
    headings = "\n".join(f"Part {p}" for p in range(SECTIONS))
    # Rows written with plain SQL: model objects would make 100,000 articles
    # (2.9 million rows) take minutes instead of seconds.
    for start in range(0, articles, CHUNK):
        numbers = range(start, min(start + CHUNK, articles))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM articles_article")
            (last,) = cursor.fetchone()
            cursor.executemany(
                "INSERT INTO articles_article (title, slug, byline, intro, intro_html, status,"
                " published_at, announced_published_at, comments_enabled, created_at,"
                " updated_at, version, reviewer_name, reviewer_credentials, byline_kind,"
                " byline_url, byline_credentials, changed_at, has_unpublished_changes)"
                " VALUES (%s, %s, '', %s, %s, 'published', %s, %s, %s, %s, %s, 1, '', '',"
                " 'organization', '', '', %s, %s)",
                [
                    # Older the higher n: the last one is the oldest in the archive.
                    (f"Generated article {n}", f"generated-{n}", PARAGRAPH, body_html,
                     when(published := now - dt.timedelta(days=1, minutes=n)), when(published),
                     True, when(now), when(now), when(now), False)
                    for n in numbers
                ],
            )  # fmt: skip
            cursor.execute("SELECT id FROM articles_article WHERE id > %s ORDER BY id", [last])
            ids = [row[0] for row in cursor.fetchall()]
            cursor.executemany(
                "INSERT INTO articles_section (article_id, position, heading, level, anchor,"
                " body, body_html) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (pk, p, f"Part {p}", 2 if p % 3 == 0 else 3, f"part-{p}",
                     PARAGRAPH + (f" {RARE_WORD}." if n == rare_at and p == 5 else ""),
                     body_html)
                    for n, pk in zip(numbers, ids, strict=True)
                    for p in range(SECTIONS)
                ],
            )  # fmt: skip
            cursor.execute(
                "SELECT article_id, id FROM articles_section"
                " WHERE article_id >= %s AND position IN (2, 7) ORDER BY id",
                [ids[0]],
            )
            cursor.executemany(
                "INSERT INTO articles_image (article_id, position, file, width, height,"
                " alt_text, caption, credit, after_section_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, '', %s)",
                [
                    (pk, position, image.file.name, image.width, image.height,
                     "Nerve cells passing a signal.", "How nerves pass signals.", section)
                    for position, (pk, section) in enumerate(cursor.fetchall())
                ],
            )  # fmt: skip
            cursor.executemany(
                "INSERT INTO articles_reference (article_id, position, authors, title, source,"
                " year, doi, url, citation) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (pk, p, "Silber MH, et al", f"A study of restless legs {p}",
                     "Mayo Clinic Proceedings", 2021, "10.1016/j.mayocp.2020.12.026",
                     "https://example.org/study",
                     f"Silber MH, et al. A study of restless legs {p}. 2021.")
                    for pk in ids
                    for p in range(REFERENCES)
                ],
            )  # fmt: skip
            search_write(
                article_ids=[],
                rows=[
                    (pk, f"Generated article {n}", PARAGRAPH, headings,
                     "\n".join([PARAGRAPH] * SECTIONS) + (f" {RARE_WORD}." if n == rare_at else ""))
                    for n, pk in zip(numbers, ids, strict=True)
                ],
            )  # fmt: skip
            # Their live versions, taken by the code that publishes: what the
            # API serves is built from these.
            for batch in range(0, len(ids), 500):
                live_snapshot(article_ids=ids[batch : batch + 500])

    approved_on_demo = min(1000, comments)
    article_ids = list(Article.objects.values_list("pk", flat=True)[:1000])
    with transaction.atomic():
        Comment.objects.bulk_create(
            Comment(
                article_id=demo.pk if n < approved_on_demo else article_ids[n % len(article_ids)],
                name=f"Reader {n}",
                email=f"reader{n}@example.org",
                body=f"Comment number {n}. Thank you for the article.",
                body_html=f"<p>Comment number {n}. Thank you for the article.</p>",
                status=(
                    Comment.Status.PENDING
                    if n >= approved_on_demo and n % 5 == 0
                    else Comment.Status.APPROVED
                ),
                submitted_at=now - dt.timedelta(seconds=comments - n),
                ip_address=f"192.0.2.{n % 250 + 1}",
            )
            for n in range(comments)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    oldest = Article.objects.order_by("published_at").first()
    # A cursor 90% deep, as the API writes them: the position of the last item before.
    ordered = Article.objects.public().order_by("-published_at", "-id")
    total = ordered.count()
    deep = ordered.values_list("published_at", flat=True)[max(0, int(total * 0.9) - 1)]
    cursor = base64.b64encode(urlencode({"p": deep.isoformat()}).encode()).decode()
    return {
        "articles": total,
        "paths": {
            "detail": f"/api/v1/articles/{oldest.slug}/",
            "list": "/api/v1/articles/",
            "deep": "/api/v1/articles/?" + urlencode({"cursor": cursor}),
            "search": f"/api/v1/articles/?search={RARE_WORD}",
            "comments": f"/api/v1/articles/{DEMO_SLUG}/comments/",
            "post": f"/api/v1/articles/{DEMO_SLUG}/comments/",
            # The reader's pages, rendered on the server from the same documents.
            "page": f"/articles/{DEMO_SLUG}/",
            "page_list": "/",
        },
    }


def count_queries(paths: dict[str, str]) -> dict[str, dict[str, int]]:
    """Queries per request: served from the cache (warm), from stored documents (cold)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for name, path in paths.items():
        if name == "post":
            continue
        assert client.get(path).status_code == 200, path
        with CaptureQueriesContext(connection) as warm:
            client.get(path)
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            client.get(path)
        counts[name] = {"warm": len(warm), "cold": len(cold)}
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    result = fill(args.articles, args.comments)
    result["queries"] = count_queries(result["paths"])
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
