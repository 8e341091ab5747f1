"""What a browser would post back from an admin form page, as the test client's data."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """Collects the successful controls of the admin's model form (``id="<model>_form"``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}
        self._in_form = self._done = False
        self._textarea: str | None = None
        self._select: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("id", "").endswith("_form") and not self._done:
            self._in_form = True
        if not self._in_form or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            elif kind not in {"file", "submit", "button", "image", "reset"}:
                self._add(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._add(self._textarea, "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            values = self.fields[self._textarea]
            values[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            if self._textarea:
                # The HTML parser keeps the newline that browsers drop after <textarea>.
                values = self.fields[self._textarea]
                values[-1] = values[-1].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_data(html: str, **changes) -> dict[str, str | list[str]]:
    """The admin page's form as a browser submits it, with ``changes`` applied."""
    parser = _FormFields()
    parser.feed(html)
    data: dict[str, str | list[str]] = {
        name: values[0] if len(values) == 1 else values
        for name, values in parser.fields.items()
        if "__prefix__" not in name  # the empty template rows of inlines
    }
    data.update(changes)
    data["_save"] = "Save"
    return data


def resubmit(client, url: str, **changes):
    """GET the admin form at ``url`` and POST it back with ``changes``, as an editor would."""
    return client.post(url, form_data(client.get(url).content.decode(), **changes))


def sparse_form_data(html: str, **changes) -> dict[str, str | list[str]]:
    """The admin page's form as articles' sparse_rows.js posts it: the saved inline
    rows that ``changes`` does not touch are left out and named in ``<prefix>-UNCHANGED``
    (with their positions, which ``changes`` may set)."""
    data = form_data(html, **changes)
    # The rows the server says differ from the database (a page sent back with errors).
    listed = re.search(
        r'<script id="article-changed-rows" type="application/json">(.*?)</script>', html
    )
    changed = set(json.loads(listed.group(1))) if listed else set()
    prefixes = [
        name.removesuffix("-INITIAL_FORMS") for name in data if name.endswith("-INITIAL_FORMS")
    ]
    for prefix in prefixes:
        unchanged = []
        for index in range(int(data[f"{prefix}-INITIAL_FORMS"])):
            row = f"{prefix}-{index}-"
            touched = {name for name in changes if name.startswith(row)} - {row + "position"}
            if touched or row.removesuffix("-") in changed or not data.get(row + "id"):
                continue
            unchanged.append([index, data[row + "id"], data.get(row + "position", "")])
            for name in [name for name in data if name.startswith(row)]:
                del data[name]
        data[f"{prefix}-UNCHANGED"] = json.dumps(unchanged)
    return data
