"""Data migrations under test: one app wound back to a migration, then forward to the latest."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def app_back_at(app: str, migration: str):
    """Migrate ``app`` back to ``migration`` (every other app stays); the models as they were."""
    executor = MigrationExecutor(connection)
    before = [(app, migration)] + [
        node for node in executor.loader.graph.leaf_nodes() if node[0] != app
    ]
    executor.migrate(before)
    return executor.loader.project_state(before).apps


def forward_to_latest() -> None:
    """Apply every migration; the test's rows are flushed after (a transactional test)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def flush() -> None:
    call_command("flush", verbosity=0, interactive=False)
