from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from articles.management.commands.import_article import import_article_file
from articles.models import Article

DEMO_ARTICLE = (
    Path(__file__).resolve().parents[2] / "demo" / "what-causes-restless-legs-syndrome.md"
)
DEMO_SLUG = "what-causes-restless-legs-syndrome"


class Command(BaseCommand):
    help = "Import and publish the demo article. Safe to run again: it updates in place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="leave the demo article as it is when it exists (keeps edits made in the admin)",
        )

    def handle(self, *args, keep_existing: bool, **options) -> None:
        if keep_existing and Article.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write(f"The demo article {DEMO_SLUG!r} exists; kept as it is.")
            return
        self.stdout.write(import_article_file(DEMO_ARTICLE, publish=True))
