"""End-to-end tests: the reader page in Debian's Chromium, driven by Playwright.

The browser is never downloaded: Playwright launches /usr/lib/chromium/chromium
(``apt-get install -y chromium``). Without it the tests skip, saying so,
except in CI (``CI`` set), where a missing browser fails them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the tests' own ORM
# calls are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
DEMO_SLUG = "what-causes-restless-legs-syndrome"
IN_CI = bool(os.environ.get("CI"))


def chromium_path() -> str | None:
    return next((path for path in CHROMIUM_PATHS if Path(path).exists()), None)


def missing(what: str, install: str) -> None:
    message = f"{what} is not installed ({install}); the end-to-end tests need it."
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(items) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        missing("Chromium", "apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        # Chromium's own background traffic has nowhere to go on this network.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def axe_script() -> Path:
    if not AXE_SCRIPT.exists():
        missing("axe-core", "npm ci --prefix tests/e2e")
    return AXE_SCRIPT


@pytest.fixture
def serious_violations(axe_script):
    """``serious_violations(page)``: axe's serious and critical findings on the page, as it stands.

    ``(rule, help, [targets])`` each; a page with a Content-Security-Policy
    needs a context with ``bypass_csp`` for axe's script to run.
    """

    def check(page) -> list[tuple]:
        page.add_script_tag(path=str(axe_script))
        results = page.evaluate("async () => await axe.run()")
        return [
            (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
            for violation in results["violations"]
            if violation["impact"] in ("serious", "critical")
        ]

    return check


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the demo article loaded, as `make run` serves it."""
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return live_server.url


@pytest.fixture
def console_errors(page) -> list[str]:
    """Every console error and uncaught exception of the page, collected."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def api_requests(page) -> list[str]:
    """'METHOD URL' of every request the page makes to /api/."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(f"{r.method} {r.url}") if "/api/" in r.url else None)
    return seen
