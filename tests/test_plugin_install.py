"""The apps install into a new Django project exactly as the README says.

A wheel built from this checkout goes into a fresh virtualenv; a project made
by ``django-admin startproject`` gets the README's two snippets and nothing
else; then migrate, check, load the demo article, serve it, read it through
the API, post a comment and find it in the admin's moderation queue. Nothing
of this repository is on that project's path: only the installed wheel.

Slow (a virtualenv and pip, about a minute), so marked ``plugin``; CI runs it
once, on SQLite.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from tests.processes import Client, clean_environment, free_port

ROOT = Path(__file__).resolve().parent.parent
DEMO_SLUG = "what-causes-restless-legs-syndrome"
PASSWORD = "host-admin-password-9"

pytestmark = pytest.mark.plugin


def readme_snippet(name: str) -> str:
    """The fenced Python block under the README's ``<!-- name: ... -->`` marker."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {name}:[^>]*-->\s*```python\n(.*?)```", readme, re.DOTALL)
    assert match, f"README.md has no {name} snippet"
    return match.group(1)


def run(*command, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """A wheel of this checkout, installed in a new virtualenv beside a new project."""
    work = tmp_path_factory.mktemp("plugin-host")
    # Nothing of this checkout's environment: its settings, path and database.
    env = clean_environment(PIP_DISABLE_PIP_VERSION_CHECK="1")

    run(
        sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", ROOT, cwd=work, env=env
    )
    [wheel] = (work / "dist").glob("*.whl")
    run(sys.executable, "-m", "venv", work / "venv", cwd=work, env=env)
    python = work / "venv" / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheel, cwd=work, env=env)

    project = work / "project"
    project.mkdir()
    run(work / "venv" / "bin" / "django-admin", "startproject", "host", project, cwd=work, env=env)
    with (project / "host" / "settings.py").open("a") as settings:
        settings.write("\n" + readme_snippet("host-settings"))
    with (project / "host" / "urls.py").open("a") as urls:
        urls.write("\n" + readme_snippet("host-urls"))
    yield python, project, env, wheel
    shutil.rmtree(work, ignore_errors=True)


def test_the_wheel_holds_what_the_apps_need_beside_their_code(host):
    *_, wheel = host
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "articles/migrations/0001_initial.py",
        "comments/migrations/0001_initial.py",
        "articles/management/commands/load_demo.py",
        "articles/management/commands/tasks_worker.py",
        "articles/templates/admin/articles/index.html",
        "articles/static/articles/admin/after_section.js",
        "articles/static/articles/admin/markdown_rows.js",
        "articles/static/articles/admin/history.css",
        "articles/static/articles/admin/sparse_rows.js",
        "articles/static/articles/admin/closed_rows.js",
        "articles/templates/admin/articles/article/edit_inline/rows.html",
        "articles/admin/history.py",
        "articles/templates/admin/articles/article/restore.html",
        "articles/templatetags/articles_admin.py",
        "comments/templates/comments/new_comment_email.txt",
        "articles/demo/what-causes-restless-legs-syndrome.md",
        "articles/demo/images/nerve-signals.png",
        "articles/demo/images/peripheral-neuropathy.png",
    } <= names
    assert not {name for name in names if name.startswith(("rls_cms/", "tests/", "bench/"))}


def test_the_project_imports_the_apps_from_the_wheel_only(host):
    python, project, env, _ = host
    found = run(
        python,
        "-c",
        "import articles, comments, importlib.util as u; "
        "print(articles.__file__); print(comments.__file__); "
        "print(u.find_spec('rls_cms'), u.find_spec('tests'))",
        cwd=project,
        env=env,
    ).split()
    assert all("/site-packages/" in path for path in found[:2])
    assert found[2:] == ["None", "None"]


def test_the_readme_s_snippets_give_a_working_project(host):
    python, project, env, _ = host
    manage = [python, "manage.py"]

    run(*manage, "migrate", "--no-input", cwd=project, env=env)
    assert "no issues" in run(*manage, "check", cwd=project, env=env)
    run(*manage, "load_demo", cwd=project, env=env)
    # The apps' housekeeping works without the demo host's sweeps.
    done = run(*manage, "housekeeping", cwd=project, env=env)
    assert "spam comments" in done and "periodic runs" in done
    run(
        *manage, "createsuperuser", "--no-input", "--username", "admin",
        "--email", "admin@example.org",
        cwd=project, env=env | {"DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    )  # fmt: skip

    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = Client(f"http://127.0.0.1:{port}")
        client.wait_until_up(server, "/admin/login/")

        status, body = client.request(f"/api/v1/articles/{DEMO_SLUG}/")
        assert status == 200
        article = json.loads(body)
        assert (len(article["sections"]), len(article["images"]), len(article["references"])) == (
            11,
            2,
            15,
        )

        comment = {"name": "Host reader", "email": "reader@example.org", "body": "Hosted at last."}
        status, body = client.request(
            f"/api/v1/articles/{DEMO_SLUG}/comments/",
            data=json.dumps(comment).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert (status, json.loads(body)["status"]) == (201, "pending")

        # markdownx's own endpoints are not there; ours refuse the anonymous.
        preview = urllib.parse.urlencode({"content": "*hi*"}).encode()
        assert client.request("/markdownx/markdownify/", data=preview)[0] == 404
        assert client.request("/api/v1/editor/markdownify/", data=preview)[0] == 403

        client.log_in("admin", PASSWORD)
        status, queue = client.request("/admin/comments/pendingcomment/")
        assert status == 200
        assert b"Hosted at last." in queue

        # The admin's editor previews for staff.
        csrf = next(c.value for c in client.cookies if c.name == "csrftoken")
        status, html = client.request(
            "/api/v1/editor/markdownify/",
            data=preview,
            headers={"X-CSRFToken": csrf, "Referer": client.base + "/admin/"},
        )
        assert (status, html) == (200, b"<p><em>hi</em></p>")
    finally:
        server.terminate()
        server.wait(timeout=30)
