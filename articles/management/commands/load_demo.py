from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from articles.management.commands.import_article import import_article_file

DEMO_ARTICLE = (
    Path(__file__).resolve().parents[2] / "demo" / "what-causes-restless-legs-syndrome.md"
)


class Command(BaseCommand):
    help = "Import and publish the demo article. Safe to run again: it updates in place."

    def handle(self, *args, **options) -> None:
        self.stdout.write(import_article_file(DEMO_ARTICLE, publish=True))
