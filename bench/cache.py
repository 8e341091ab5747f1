"""The cache as it fills: the cost of a set and a get at 1,000 to 100,000 entries.

    make bench                        # runs this after moderation.py
    .venv/bin/python bench/cache.py --sizes 1000,100000 --file-sizes 1000,10000

The deployed default without Redis (DiskCache, with the demo host's own
settings) and, for comparison, what it replaced: Django's FileBasedCache with
MAX_ENTRIES 100,000, filled to ``--file-sizes`` only (its every set lists the
whole folder, so filling it grows with the square of its size). Each cache
lives in a temporary folder and is filled with what the apps keep per
article: the detail (a 30 kB document), the reader page (25 kB), and four
small entries (the generations of the article's reader page and comments,
a floor, a comments page). At each size, ``--samples`` sets of a detail
(an article changed: its document is built again) and as many gets of one,
on articles drawn at random; median and p95 in ms. Prints a table and
writes bench/results/cache.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.admin_pages import RESULTS, setup_django  # noqa: E402
from bench.run import ROOT, machine  # noqa: E402

DEMO_TEXT = ROOT / "articles" / "demo" / "what-causes-restless-legs-syndrome.md"
DETAIL_BYTES = 30_000
PAGE_BYTES = 25_000
PER_ARTICLE = 6  # entries the apps keep for each article read, as below


def served(body: bytes) -> tuple:
    """What ``articles.documents.Served`` pickles to: body, ETag, three times."""
    now = time.time()
    return (body, '"' + uuid.uuid4().hex + '"', now, now - 86400, float("inf"))


def generation() -> tuple:
    """What ``articles.documents.ListState`` pickles to: a token and four times."""
    now = time.time()
    return (uuid.uuid4().hex, now, -float("inf"), float("inf"), now)


class Entries:
    """The apps' keys and values, article by article, with bodies that all differ.

    Bodies are the demo article's words in random order: text that compresses
    as an article does (FileBasedCache compresses what it stores).
    """

    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)
        words = DEMO_TEXT.read_bytes().split()
        text = b" ".join(self.random.choice(words) for _ in range(DETAIL_BYTES))
        self.noise = text[: DETAIL_BYTES + 4096]

    def body(self, size: int) -> bytes:
        start = self.random.randrange(4096)
        return self.noise[start : start + size]

    def detail(self, n: int) -> tuple[str, tuple]:
        return f"rls_articles:5e9ba28c:detail:article-{n}", served(self.body(DETAIL_BYTES))

    def stream(self):
        """Every article's entries, one after the other, without end."""
        for n in itertools.count():
            yield from self.article(n)

    def article(self, n: int) -> list[tuple[str, object]]:
        prefix = f"rls_articles:5e9ba28c:listing:{{}}:article-{n}"
        reader, comments = prefix.format("reader:article"), prefix.format("comments")
        return [
            self.detail(n),
            (f"{reader}:page:", (uuid.uuid4().hex, served(self.body(PAGE_BYTES)))),
            (reader, generation()),
            (f"{reader}:floor", time.time()),
            (comments, generation()),
            (f"{comments}:page:", (uuid.uuid4().hex, served(b'{"results":[]}'))),
        ]


def timings(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered) * 1000, 3),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
    }


def folder_mb(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)


def measure(cache, entries: Entries, articles: int, samples: int) -> dict:
    """Sets and gets of details of articles drawn at random, timed one by one."""
    picks = [entries.random.randrange(articles) for _ in range(samples)]
    sets, gets = [], []
    for n in picks:
        key, value = entries.detail(n)
        started = time.perf_counter()
        cache.set(key, value, 300)
        sets.append(time.perf_counter() - started)
    for n in picks:
        key = entries.detail(n)[0]
        started = time.perf_counter()
        found = cache.get(key)
        gets.append(time.perf_counter() - started)
        assert found is not None, key
    return {"set_ms": timings(sets), "get_ms": timings(gets)}


def run(name: str, cache, folder: Path, sizes: list[int], samples: int, fill=None) -> list[dict]:
    """Fill ``cache`` to each size in turn (``fill``: how, if not by its own set) and measure."""
    entries = Entries()
    stream = entries.stream()
    fill = fill or cache.set
    results, stored, filling = [], 0, 0.0
    for size in sorted(sizes):
        started = time.perf_counter()
        for key, value in itertools.islice(stream, size - stored):
            fill(key, value, 300)
        stored = size
        filling += time.perf_counter() - started
        result = measure(cache, entries, stored // PER_ARTICLE, samples)
        results.append(
            {"cache": name, "entries": stored, **result, "fill_s": round(filling, 1)}
            | {"on_disk_mb": folder_mb(folder)}
        )
        print(f"  {name}: {stored:,} entries measured", flush=True)
    return results


def diskcache_results(workdir: Path, sizes: list[int], samples: int) -> list[dict]:
    """The deployed default, built from the demo host's settings."""
    from diskcache import DjangoCache
    from django.conf import settings
    from django.utils.module_loading import import_string

    params = dict(settings.CACHES["default"])
    backend = import_string(params.pop("BACKEND"))
    assert issubclass(backend, DjangoCache), backend
    folder = workdir / "diskcache"
    params.pop("LOCATION")
    cache = backend(str(folder), params)
    try:
        return run("DiskCache", cache, folder, sizes, samples)
    finally:
        cache._cache.close()


def file_based_results(workdir: Path, sizes: list[int], samples: int) -> list[dict]:
    """The previous default with DEBUG off. Filled without its per-set listing
    (the files are the same), measured as Django runs it."""
    from django.core.cache.backends.filebased import FileBasedCache

    folder = workdir / "files"
    cache = FileBasedCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": 100_000}})
    filler = FileBasedCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": 100_000}})
    filler._cull = lambda: None
    return run("FileBasedCache", cache, folder, sizes, samples, fill=filler.set)


def table(results: list[dict]) -> str:
    lines = [
        f"{'cache':<16}{'entries':>9}{'set p50':>9}{'set p95':>9}{'get p50':>9}"
        f"{'get p95':>9}{'fill s':>8}{'MB':>8}"
    ]
    for r in results:
        lines.append(
            f"{r['cache']:<16}{r['entries']:>9,}{r['set_ms']['p50']:>9.3f}"
            f"{r['set_ms']['p95']:>9.3f}{r['get_ms']['p50']:>9.3f}{r['get_ms']['p95']:>9.3f}"
            f"{r['fill_s']:>8.1f}{r['on_disk_mb']:>8.0f}"
        )
    return "\n".join(lines) + "\n(ms per call; a 30 kB detail set or got)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="DiskCache's entries")
    parser.add_argument("--file-sizes", default="1000,10000", help="FileBasedCache's entries")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--out", type=Path, default=RESULTS / "cache.json")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    file_sizes = [int(n) for n in args.file_sizes.split(",") if n]
    # The default without Redis, whatever this shell says.
    os.environ.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory(prefix="rls-cache-bench-") as workdir:
        setup_django(Path(workdir))
        results = diskcache_results(Path(workdir), sizes, args.samples)
        results += file_based_results(Path(workdir), file_sizes, args.samples)
    output = {
        "machine": machine()
        | {"server": "none: the cache's own calls, in one process", "load": "one call at a time"},
        "settings": {"samples": args.samples, "value": "a 30 kB article detail"},
        "mix": f"per article: a {DETAIL_BYTES // 1000} kB detail, a {PAGE_BYTES // 1000} kB "
        "reader page, two generations, a floor, a comments page",
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(output, indent=2) + "\n")
    print(table(results))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
