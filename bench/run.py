"""The read and write benchmark: gunicorn with production settings, driven by wrk.

    make bench                      # sizes 100, 10,000 and 100,000 articles
    .venv/bin/python bench/run.py --sizes 100,1000 --full 1000 --seconds 1

For each archive size: fill a throw-away SQLite database (bench/fill.py),
start gunicorn (2 sync workers, DEBUG off) on 127.0.0.1, twice: once as
deployed (the cache both workers share: DiskCache in a folder of the run's,
or Redis with REDIS_URL) and once with no cache at all, so that every
read comes from the documents stored in the database ("cold"). Then wrk
drives each endpoint and, in the same round, the trivial JSON view of
bench/urls.py: the ceiling. Each figure is the median of the rounds; the
ratio is to the ceiling measured beside it. Prints a table, writes
bench/results/latest.json and draws bench/results/latest.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable

# name: (label, which server, path key in fill.py's output). "cold" answers
# come from the server without a cache: from the documents stored in the
# database, through the indexes, every time.
READS = {
    "detail": ("detail, warm", "warm", "detail"),
    "list": ("list, first page", "warm", "list"),
    "deep": ("list, page 90% deep", "warm", "deep"),
    "search": ("search, rare word", "warm", "search"),
    "detail_cold": ("detail, cold (stored document)", "cold", "detail"),
    "list_cold": ("list, first page, cold", "cold", "list"),
    "deep_cold": ("list, page 90% deep, cold", "cold", "deep"),
    "search_cold": ("search, rare word, cold", "cold", "search"),
    "comments": ("comments, 1,000 approved", "warm", "comments"),
    "not_modified": ("detail, 304", "warm", "detail"),
    "page": ("reader page, article", "warm", "page"),
    "page_cold": ("reader page, article, cold", "cold", "page"),
    "page_list": ("reader page, list", "warm", "page_list"),
    "page_not_modified": ("reader page, 304", "warm", "page"),
}
PLOTTED = ["detail", "list", "deep", "search"]  # each warm and cold
FULL_ONLY = {"comments", "not_modified", "page_cold", "page_list", "page_not_modified"}
# Jobs that revalidate: they send the ETag of the path's first answer.
REVALIDATE = {"not_modified", "page_not_modified"}

POST_SCRIPT = """
local counter = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  run = args[1]
  created = 0
  failed = 0
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench client","email":"b%s-%d-%d@example.org","body":"Comment %d of %d in %s."}',
    run, id, counter, counter, id, run)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  if status == 201 then created = created + 1 else failed = failed + 1 end
end
function done(summary, latency, requests)
  local c, f = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    f = f + t:get("failed")
  end
  io.write(string.format("BENCH_POST created=%d failed=%d\\n", c, f))
end
"""


def ensure_wrk() -> str:
    """wrk, from Debian's package, installed when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or sys.exit("could not install wrk")


def server_env(workdir: Path, database: Path, cache: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "CACHE_DIR": str(workdir / "cache"),
        "SERVE_MEDIA": "false",
        "LOG_LEVEL": "WARNING",
        "BENCH_CACHE": cache,
        "PYTHONWARNINGS": "ignore",
    }


class Gunicorn:
    """One gunicorn: 2 sync workers, production settings, on a local port."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [
                PYTHON, "-m", "gunicorn", "rls_cms.wsgi:application",
                "--workers", "2", "--worker-class", "sync",
                "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
            ],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/bench/trivial/")
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str) -> urllib.request.addinfourl:
        with urllib.request.urlopen(self.url(path), timeout=30) as response:
            response.read()
            return response

    def status(self, path: str, headers: list[str]) -> int:
        """The status of a GET with these headers ("Name: value"), 304 included."""
        request = urllib.request.Request(
            self.url(path), headers=dict(h.split(": ", 1) for h in headers)
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as answer:
            return answer.code

    def peak_worker_rss_mb(self) -> float:
        """The largest peak resident size (VmHWM) among the workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        peaks = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return max(peaks)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(binary: str, url: str, seconds: int, *, script: Path | None = None, headers=()):
    """Run wrk (2 threads, 8 connections): requests per second, p50 and p99 in ms, output."""
    command = [binary, "-t2", "-c8", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        # A tag of this run for the script: its comments differ from every other run's.
        command += ["-s", str(script), url, "--", f"{time.time_ns():x}"]
    else:
        command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(p: int) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", output).groups()
        return float(value) * UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors and not script:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses")
    return rps, percentile(50), percentile(99), output


def measure(binary, ceiling_server, jobs: dict, args) -> dict:
    """Each job, round after round, beside the ceiling measured in the same round.

    ``jobs``: name -> (server, path, headers, script). Returns the medians
    over the rounds, by name, with each round's wrk output.
    """
    samples: dict[str, list[dict]] = {name: [] for name in jobs}
    for _ in range(args.rounds):
        ceiling, *_ = wrk(binary, ceiling_server.url("/bench/trivial/"), args.seconds)
        for name, (server, path, headers, script) in jobs.items():
            rps, p50, p99, output = wrk(
                binary, server.url(path), args.seconds, headers=headers, script=script
            )
            samples[name].append({"rps": rps, "p50_ms": p50, "p99_ms": p99,
                                  "ceiling_rps": ceiling, "ratio": rps / ceiling,
                                  "output": output})  # fmt: skip
    return {
        name: {
            key: statistics.median(r[key] for r in rounds)
            for key in ("rps", "p50_ms", "p99_ms", "ceiling_rps", "ratio")
        }
        | {"outputs": [r["output"] for r in rounds]}
        for name, rounds in samples.items()
    }


def bench_size(binary: str, articles: int, full: bool, args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"rls-bench-{articles}-"))
    database = workdir / "bench.sqlite3"
    filled = workdir / "filled.json"
    # The reader pages name their assets by the manifest's hashed names, as in production.
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT, env=server_env(workdir, database, "default"), check=True,
    )  # fmt: skip
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "-W", "ignore", "bench/fill.py", "--articles", str(articles),
         "--comments", str(args.comments), "--out", str(filled)],
        cwd=ROOT, env=server_env(workdir, database, "default"), check=True,
    )  # fmt: skip
    fill = json.loads(filled.read_text())
    print(f"  filled {fill['articles']} articles in {time.monotonic() - started:.0f} s")
    servers = {
        "warm": Gunicorn(server_env(workdir, database, "default"), args.port),
        "cold": Gunicorn(server_env(workdir, database, "dummy"), args.port + 1),
    }
    try:
        paths = fill["paths"]
        for server in servers.values():
            for path in paths.values():
                server.get(path)  # builds what a first read builds
        jobs = {}
        for name, (_label, which, key) in READS.items():
            if full or name not in FULL_ONLY:
                headers = []
                if name in REVALIDATE:
                    etag = servers[which].get(paths[key]).headers["ETag"]
                    headers = [f"If-None-Match: {etag}"]
                    # Measured only if it is what it claims: a 304.
                    assert servers[which].status(paths[key], headers) == 304, name
                jobs[name] = (servers[which], paths[key], headers, None)
        if full:
            script = workdir / "post.lua"
            script.write_text(POST_SCRIPT)
            jobs["post"] = (servers["warm"], paths["post"], [], script)
        results = measure(binary, servers["warm"], jobs, args)
        for name, result in results.items():
            if name in READS:
                label, _which, key = READS[name]
                result |= {"label": label, "queries": fill["queries"].get(key)}
                print(f"  {label:<32} {result['ratio']:.2f} of the ceiling")
        if full:
            post = results["post"]
            counts = [re.search(r"BENCH_POST created=(\d+) failed=(\d+)", o).groups()
                      for o in post["outputs"]]  # fmt: skip
            created = sum(int(c) for c, _ in counts)
            failed = sum(int(f) for _, f in counts)
            with sqlite3.connect(database) as db:
                (stored,) = db.execute(
                    "SELECT COUNT(*) FROM comments_comment WHERE name = 'Bench client'"
                ).fetchone()
            post |= {
                "label": "comment POST, 8 clients",
                "created": created,
                "errors": failed,
                "stored": stored,
            }
            print(f"  comment POST: {created} created, {failed} errors, {stored} stored")
            # Requests still in flight when wrk stops may be stored unanswered;
            # an answered 201 that is not stored would be a lost comment.
            if stored < created:
                raise RuntimeError(f"lost comments: {created} answered 201, {stored} stored")
        rss = max(server.peak_worker_rss_mb() for server in servers.values())
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for result in results.values():
        result.pop("outputs", None)
    return {"articles": fill["articles"], "endpoints": results, "peak_worker_rss_mb": rss}


def machine() -> dict:
    import django

    memory = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text()).group(1)
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "server": "gunicorn, 2 sync workers, DEBUG off, "
        + ("Redis cache" if os.environ.get("REDIS_URL") else "DiskCache (SQLite files)"),
        "load": "wrk, 2 threads, 8 connections, on the same machine",
    }


def table(results: dict) -> str:
    lines = [
        f"{'endpoint':<34}{'req/s':>8}{'ceiling':>9}{'ratio':>7}{'p50 ms':>8}"
        f"{'p99 ms':>8}{'queries':>9}"
    ]
    for result in results["endpoints"].values():
        queries = result.get("queries")
        q = f"{queries['warm']}/{queries['cold']}" if queries else "-"
        lines.append(
            f"{result['label']:<34}{result['rps']:>8.0f}{result['ceiling_rps']:>9.0f}"
            f"{result['ratio']:>7.2f}{result['p50_ms']:>8.2f}{result['p99_ms']:>8.2f}{q:>9}"
        )
    return "\n".join(lines)


def plot(sizes: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = sorted(sizes, key=int)
    figure, panels = plt.subplots(1, 2, figsize=(11, 4.2))
    for panel, suffix, title in (
        (panels[0], "", "served from the cache"),
        (panels[1], "_cold", "no cache: stored documents and indexes"),
    ):
        for name in PLOTTED:
            panel.plot(
                [int(c) for c in counts],
                [sizes[c]["endpoints"][name + suffix]["p50_ms"] for c in counts],
                marker="o",
                label=READS[name][0].removesuffix(", warm"),
            )
        panel.set_xscale("log")
        panel.set_ylim(bottom=0)
        panel.set_xlabel("articles in the archive")
        panel.set_ylabel("p50 latency, ms (wrk, 8 connections)")
        panel.set_title(title)
        panel.grid(True, alpha=0.3)
    panels[0].legend()
    figure.suptitle("rls_cms read API on gunicorn (2 workers): latency against archive size")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plot-only", action="store_true", help="draw the PNG again from --out's JSON"
    )
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--full", default="100000", help="sizes measured on every endpoint")
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    if args.plot_only:
        plot(json.loads(args.out.read_text())["sizes"], args.out.with_suffix(".png"))
        return
    binary = ensure_wrk()
    full = {int(n) for n in args.full.split(",")}
    sizes = {}
    for size in (int(n) for n in args.sizes.split(",")):
        print(f"{size} generated articles")
        sizes[str(size)] = bench_size(binary, size, size in full, args)
    results = {
        "machine": machine(),
        "settings": {"seconds": args.seconds, "rounds": args.rounds},
        "sizes": sizes,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    plot(sizes, args.out.with_suffix(".png"))
    for size, result in sizes.items():
        print(f"\n{size} generated articles; worker peak RSS {result['peak_worker_rss_mb']:.0f} MB")
        print(table(result))
    print(f"\nwrote {args.out} and {args.out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
