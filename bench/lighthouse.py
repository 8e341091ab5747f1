"""Lighthouse on the reader pages: the demo served as in production, audited in Chromium.

    make lighthouse                                   # 2 pages x 2 presets x 3 runs
    .venv/bin/python bench/lighthouse.py --runs 1 --no-check

Starts the demo on its own: a throw-away SQLite database, static files, cache
and media in a temporary folder, DEBUG off, a random SECRET_KEY; migrate,
collectstatic and load_demo, then gunicorn (rls_cms/gunicorn.conf.py) on a
free port of 127.0.0.1, ready when /healthz answers. Then Lighthouse (the npm
package pinned in tests/e2e/package-lock.json) audits the article list and
the demo article in Debian's Chromium, with the mobile (default) and desktop
presets, --runs times each; each figure is the median of the runs.

Prints a table, and for each score that misses its target the audits that
fail in that category, so that a developer knows what to fix. Writes the
medians, every run's values and the machine to --out. Exit status: 0 when
every target is met (or --no-check), 1 when one is missed, 2 when the pages
could not be measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PYTHON, RESULTS, ROOT, machine  # noqa: E402

PAGES = {
    "list": "/",
    "article": "/articles/what-causes-restless-legs-syndrome/",
}
# The demo article's API document: its images are checked before any audit.
ARTICLE_API = "/api/v1/articles/what-causes-restless-legs-syndrome/"
PRESETS = ("mobile", "desktop")
CATEGORIES = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best practices",
    "seo": "SEO",
}
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
CLS_TARGET = 0.05
# Beside the scores, in --out: the metrics behind the performance score.
METRICS = {
    "cls": "cumulative-layout-shift",
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "si_ms": "speed-index",
}

E2E = ROOT / "tests" / "e2e"
LIGHTHOUSE = E2E / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


class Failed(Exception):
    """The pages could not be measured (exit status 2)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Demo:
    """The demo host as in production, alone in a temporary folder, behind gunicorn."""

    def __init__(self, workers: int) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="rls-lighthouse-"))
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "WEBHOOK_URL"}},
            "DJANGO_SETTINGS_MODULE": "rls_cms.settings",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'db.sqlite3'}",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(self.workdir / "static"),
            "CACHE_DIR": str(self.workdir / "cache"),
            "MEDIA_ROOT": str(self.workdir / "media"),
            # Django serves the demo's images itself: no proxy in front here.
            "SERVE_MEDIA": "true",
            # Plain HTTP on the loopback (no TLS proxy); Lighthouse counts
            # 127.0.0.1 as a secure origin, as browsers do.
            "SECURE_SSL_REDIRECT": "false",
            "SITE_URL": self.base,
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "LOG_LEVEL": "WARNING",
            "GUNICORN_LOG_LEVEL": "warning",
            "PYTHONWARNINGS": "ignore",
        }
        self.process: subprocess.Popen | None = None
        self.log = self.workdir / "gunicorn.log"

    def manage(self, *command: str) -> None:
        done = subprocess.run(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise Failed(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")

    def start(self, timeout: float = 60) -> None:
        self.manage("migrate", "--no-input")
        self.manage("collectstatic", "--no-input")
        self.manage("load_demo")
        gunicorn = Path(PYTHON).parent / "gunicorn"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(gunicorn), "-c", "rls_cms/gunicorn.conf.py", "rls_cms.wsgi"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, body, _ = self.get("/healthz", timeout=5)
                if status == 200 and json.loads(body)["status"] == "ok":
                    return
            except (OSError, ValueError):
                pass
            if self.process.poll() is not None:
                raise Failed(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise Failed(f"/healthz did not answer within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes, str]:
        """Status, body and content type; an error status is returned, not raised."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                return response.status, response.read(), response.headers["Content-Type"]
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers["Content-Type"]

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Demo:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def media_paths(text: str) -> set[str]:
    """Every /media/ address in a document (JSON, HTML; srcset too), as a path on the server."""
    return set(re.findall(r"/media/[^\s\"'<>,()\\]+", text))


def check_demo(demo: Demo) -> int:
    """Each page answers 200 (building what a first read builds), and the images are served."""
    for path in PAGES.values():
        status, _, _ = demo.get(path)
        if status != 200:
            raise Failed(f"{path} answered {status}")
    status, body, _ = demo.get(ARTICLE_API)
    if status != 200:
        raise Failed(f"{ARTICLE_API} answered {status}")
    images = sorted(media_paths(body.decode()))
    if not images:
        raise Failed(f"{ARTICLE_API} names no /media/ image: the demo article has images")
    for path in images:
        status, _, content_type = demo.get(path)
        if status != 200 or not (content_type or "").startswith("image/"):
            raise Failed(f"{path} answered {status} {content_type}: media are not served")
    return len(images)


def find_chrome() -> str:
    for candidate in (os.environ.get("CHROME_PATH"), *CHROMES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise Failed("Chromium not found (apt-get install -y chromium, or set CHROME_PATH)")


def lighthouse(node: str, chrome: str, url: str, preset: str, report: Path) -> dict:
    """One Lighthouse run in a new Chromium: the report (LHR) as a dict."""
    command = [
        node, str(LIGHTHOUSE), url,
        "--output=json", f"--output-path={report}", "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--no-enable-error-reporting",
    ]  # fmt: skip
    if preset == "desktop":
        command.append("--preset=desktop")
    report.unlink(missing_ok=True)
    try:
        done = subprocess.run(
            command,
            env={**os.environ, "CHROME_PATH": chrome},
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        raise Failed(f"Lighthouse on {url} ({preset}) took over 5 minutes") from None
    if done.returncode or not report.exists():
        raise Failed(f"Lighthouse on {url} ({preset}) failed:\n{done.stdout}{done.stderr}")
    lhr = json.loads(report.read_text())
    if lhr.get("runtimeError"):
        error = lhr["runtimeError"]
        raise Failed(f"Lighthouse on {url} ({preset}): {error['code']}: {error['message']}")
    return lhr


# A run Lighthouse itself could not record (its trace lost: NO_NAVSTART, seen
# in CI) is tried again; a score is never retried, whatever it is.
ATTEMPTS = 3


def lighthouse_run(node: str, chrome: str, url: str, preset: str, report: Path) -> dict:
    """``lighthouse``, again after a failure of Lighthouse's own, up to ATTEMPTS times."""
    for _ in range(ATTEMPTS - 1):
        try:
            return lighthouse(node, chrome, url, preset, report)
        except Failed as failure:
            print(f"  (Lighthouse failed, trying again: {str(failure).splitlines()[-1]})")
    return lighthouse(node, chrome, url, preset, report)


def run_values(lhr: dict) -> dict:
    """One run's scores (0-100) and metrics."""
    values = {
        category: round((lhr["categories"][category]["score"] or 0) * 100)
        for category in CATEGORIES
    }
    for key, audit in METRICS.items():
        values[key] = lhr["audits"][audit].get("numericValue")
    values["benchmark_index"] = lhr.get("environment", {}).get("benchmarkIndex")
    return values


def median(values: list) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def misses(medians: dict) -> list[str]:
    """The keys (categories, "cls") whose median misses its target."""
    missed = [c for c, target in TARGETS.items() if medians[c] < target]
    if medians["cls"] is None or medians["cls"] > CLS_TARGET:
        missed.append("cls")
    return missed


def items(details: dict | None, limit: int = 3) -> list[str]:
    """A few of an audit's items: the elements (selectors) or the resources (URLs)."""
    found = []
    for item in (details or {}).get("items", []):
        if not isinstance(item, dict):
            continue
        node = item.get("node") or {}
        label = node.get("selector") or node.get("snippet") or item.get("url")
        if not label and isinstance(item.get("source"), dict):
            label = item["source"].get("url")
        if label and label not in found:
            found.append(str(label))
        if len(found) == limit:
            break
    return found


def audit_entry(lhr: dict, audit_id: str) -> dict:
    audit = lhr["audits"][audit_id]
    return {
        "id": audit_id,
        "title": audit["title"],
        "score": audit["score"],
        "display_value": audit.get("displayValue", ""),
        "items": items(audit.get("details")),
    }


def failing_audits(lhrs: list[dict], key: str, medians: dict) -> list[dict]:
    """The audits behind a missed target, from the run nearest the median.

    For a category: its audits that score below 1, heaviest first. For CLS:
    the CLS audit and the layout shifts, with the elements that moved.
    """
    if key == "cls":
        target = medians["cls"] or 0
        lhr = min(lhrs, key=lambda r: abs((run_values(r)["cls"] or 0) - target))
        ids = [a for a in ("cumulative-layout-shift", "layout-shifts") if a in lhr["audits"]]
        return [audit_entry(lhr, a) for a in ids]
    lhr = min(lhrs, key=lambda r: abs(run_values(r)[key] - medians[key]))
    refs = sorted(lhr["categories"][key]["auditRefs"], key=lambda ref: -ref.get("weight", 0))
    return [
        audit_entry(lhr, ref["id"])
        for ref in refs
        if lhr["audits"][ref["id"]]["score"] is not None and lhr["audits"][ref["id"]]["score"] < 1
    ]


def table(pages: dict) -> str:
    header = ["page", "preset", *CATEGORIES.values(), "CLS"]
    widths = [9, 8, 13, 15, 16, 6, 8]
    lines = ["".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in
                     enumerate(zip(header, widths, strict=True)))]  # fmt: skip
    for page, presets in pages.items():
        for preset, result in presets.items():
            medians, missed = result["median"], result["missed"]
            cells = [page.ljust(widths[0]), preset.ljust(widths[1])]
            for category, width in zip(CATEGORIES, widths[2:6], strict=True):
                mark = "*" if category in missed else " "
                cells.append(f"{medians[category]:g}{mark}".rjust(width))
            cls = "-" if medians["cls"] is None else f"{medians['cls']:.3f}"
            cells.append((cls + ("*" if "cls" in missed else " ")).rjust(widths[6]))
            lines.append("".join(cells))
    targets = ", ".join(f"{CATEGORIES[c]} >= {t}" for c, t in TARGETS.items())
    lines.append(f"(median of the runs; * misses its target: {targets}, CLS <= {CLS_TARGET})")
    return "\n".join(lines)


def report_failures(pages: dict) -> str:
    lines = []
    for page, presets in pages.items():
        for preset, result in presets.items():
            for key, audits in result["failing"].items():
                name = "CLS" if key == "cls" else CATEGORIES[key]
                value = result["median"][key]
                target = f"<= {CLS_TARGET}" if key == "cls" else f">= {TARGETS[key]}"
                shown = f"{value:.3f}" if key == "cls" else f"{value:g}"
                lines.append(f"\n{page} ({PAGES[page]}), {preset}: {name} {shown}, target {target}")
                for audit in audits:
                    shown = f" ({audit['display_value']})" if audit["display_value"] else ""
                    score = "-" if audit["score"] is None else f"{audit['score']:.2f}"
                    lines.append(f"  {audit['id']} [{score}]: {audit['title']}{shown}")
                    for item in audit["items"]:
                        lines.append(f"      {item[:110]}")
                if not audits:
                    lines.append("  (no audit below 1 in this run)")
    return "\n".join(lines)


def versions(node: str, chrome: str) -> dict:
    def output(*command: str) -> str:
        return subprocess.run(command, capture_output=True, text=True).stdout.strip()

    package = json.loads((LIGHTHOUSE.parent.parent / "package.json").read_text())
    return {
        "chromium": output(chrome, "--version"),
        "lighthouse": package["version"],
        "node": output(node, "--version"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page and preset")
    parser.add_argument("--no-check", action="store_true", help="report only: exit 0 on a miss")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--out", type=Path, default=RESULTS / "lighthouse.json")
    parser.add_argument(
        "--reports", type=Path, help="a folder to keep every run's full Lighthouse JSON in"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    node = shutil.which("node")
    if not node:
        raise Failed("node not found (apt-get install -y nodejs npm)")
    if not LIGHTHOUSE.exists():
        raise Failed(f"{LIGHTHOUSE.relative_to(ROOT)} is missing: npm ci --prefix tests/e2e")
    chrome = find_chrome()
    started = time.monotonic()
    lhrs: dict[tuple[str, str], list[dict]] = {(p, s): [] for p in PAGES for s in PRESETS}
    with Demo(args.workers) as demo:
        demo.start()
        images = check_demo(demo)
        print(f"demo at {demo.base}: {len(PAGES)} pages, {images} images served")
        # Run after run, every page and preset in turn: drift falls on all alike.
        for run in range(1, args.runs + 1):
            for (page, preset), runs in lhrs.items():
                began = time.monotonic()
                report = demo.workdir / f"{page}-{preset}-{run}.json"
                lhr = lighthouse_run(node, chrome, demo.base + PAGES[page], preset, report)
                runs.append(lhr)
                if args.reports:
                    args.reports.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(report, args.reports / report.name)
                scores = " ".join(f"{v:g}" for k, v in run_values(lhr).items() if k in CATEGORIES)
                print(f"  run {run}/{args.runs} {page:<8} {preset:<8} {scores}"
                      f"  ({time.monotonic() - began:.0f} s)", flush=True)  # fmt: skip

    pages: dict[str, dict] = {page: {} for page in PAGES}
    for (page, preset), runs in lhrs.items():
        values = [run_values(lhr) for lhr in runs]
        medians = {key: median([v[key] for v in values]) for key in values[0]}
        missed = misses(medians)
        pages[page][preset] = {
            "path": PAGES[page],
            "median": medians,
            "runs": values,
            "missed": missed,
            "failing": {key: failing_audits(runs, key, medians) for key in missed},
        }
    passed = not any(result["missed"] for presets in pages.values() for result in presets.values())
    elapsed = time.monotonic() - started
    results = {
        "machine": machine()
        | versions(node, chrome)
        | {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "server": f"gunicorn, {args.workers} sync workers, DEBUG off, file cache",
            "load": "Lighthouse, one run at a time, on the same machine",
        },
        "settings": {
            "runs": args.runs,
            "presets": list(PRESETS),
            "categories": list(CATEGORIES),
            "chrome_flags": CHROME_FLAGS,
            "targets": TARGETS | {"cls": CLS_TARGET},
            "seconds": round(elapsed),
        },
        "passed": passed,
        "pages": pages,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")

    print()
    print(table(pages))
    print(report_failures(pages))
    print(f"\n{results['machine']['chromium']}, Lighthouse {results['machine']['lighthouse']}; "
          f"{elapsed:.0f} s; wrote {args.out}")  # fmt: skip
    if passed:
        print("Every target met.")
        return 0
    print("Targets missed" + (" (--no-check: reported only)." if args.no_check else "."))
    return 0 if args.no_check else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failed as error:
        print(f"lighthouse: {error}", file=sys.stderr)
        sys.exit(2)
