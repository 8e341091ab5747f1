"""The reader page is a frontend: the server sends the template and nothing else."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/articles/what-causes-restless-legs-syndrome/"])
def test_reader_page_reads_nothing_from_the_database(client, django_assert_num_queries, path):
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 200
    assert b'type="module"' in response.content


def test_reader_page_loads_nothing_from_another_host(client):
    content = client.get("/").content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', content)
    assert addresses
    assert [a for a in addresses if a.startswith("//") or ":" in a.split("/")[0]] == []


def test_reader_page_forbids_scripts_from_anywhere_else(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "script-src" not in policy or "'unsafe-inline'" not in policy
