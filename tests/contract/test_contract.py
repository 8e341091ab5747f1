"""The API contract as frontend authors meet it, checked with their own tools.

Spectral (spectral:oas and the OWASP API Security ruleset, tests/contract/spectral.mjs)
lints /api/schema/; a TypeScript program (client.ts) typed by openapi-typescript and
openapi-fetch from the live server's document is compiled with tsc --strict and run
against that server. The tools come from tests/contract's npm lock file
(``npm ci --prefix tests/contract``; ``make test`` runs it). Without them the tests
skip, saying so, except in CI, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles.preview import preview_token
from articles.services import article_mark_changed
from tests.factories import ArticleFactory

HERE = Path(__file__).parent
BIN = HERE / "node_modules" / ".bin"
IN_CI = bool(os.environ.get("CI"))

pytestmark = pytest.mark.contract


@pytest.fixture
def tools() -> Path:
    if not (BIN / "spectral").exists() or not (BIN / "tsc").exists():
        message = "The contract tools are not installed (npm ci --prefix tests/contract)."
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return BIN


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    except subprocess.TimeoutExpired as expired:
        printed = f"{expired.stdout}\n{expired.stderr}"
        pytest.fail(f"{command[0]} took over 2 minutes; it printed:\n{printed}")


@pytest.mark.django_db
def test_spectral_finds_no_error_in_the_document(tools, tmp_path):
    # As production serves it: over HTTPS, so the servers entry is an https one.
    answer = Client().get("/api/schema/", secure=True)
    assert answer.status_code == 200
    document = tmp_path / "schema.yaml"
    document.write_bytes(answer.content)
    result = run(
        [str(tools / "spectral"), "lint", str(document), "--ruleset", str(HERE / "spectral.mjs")]
        + ["--format", "json", "--quiet", "--fail-severity", "error"],
        cwd=HERE,
    )
    findings = json.loads(result.stdout or "[]")
    errors = [
        f"{'.'.join(map(str, f['path']))}: {f['code']}: {f['message']}"
        for f in findings
        if f["severity"] == 0
    ]
    counts = Counter(f["code"] for f in findings)
    print("Spectral:", dict(sorted(counts.items())))  # the warnings, for the record
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def served(live_server, transactional_db) -> dict[str, str]:
    """The demo article, an older article (so that the list has a next page) and a draft."""
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    older = ArticleFactory(published_at=timezone.now() - timezone.timedelta(days=30))
    article_mark_changed(article=older, reason="saved")
    draft = ArticleFactory(draft=True)
    return {"API_URL": live_server.url, "PREVIEW_TOKEN": preview_token(draft)}


def test_the_typescript_client_compiles_strictly_and_agrees_with_the_live_api(
    tools, served, tmp_path
):
    for name in ("client.ts", "tsconfig.json", "package.json"):
        shutil.copy(HERE / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(HERE / "node_modules")
    generated = run(
        [
            str(tools / "openapi-typescript"),
            f"{served['API_URL']}/api/schema/",
            "-o",
            "schema.d.ts",
        ],
        cwd=tmp_path,
    )
    assert generated.returncode == 0, generated.stderr
    compiled = run([str(tools / "tsc"), "-p", "."], cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    ran = run(["node", "build/client.js"], cwd=tmp_path, env={**os.environ, **served})
    print(ran.stdout)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "The client and the API agree." in ran.stdout
