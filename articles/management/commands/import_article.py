from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from articles.article_file import ArticleFileError, parse_article_file
from articles.services import PublishRefused, article_import


def import_article_file(path: Path, *, publish: bool) -> str:
    """Parse and import ``path``; returns a one-line summary or raises CommandError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read the file: {exc}") from None
    try:
        data = parse_article_file(text, path.parent)
        article, created = article_import(data=data, publish=publish)
    except ArticleFileError as exc:
        raise CommandError(f"{path}:{exc.line}: {exc.message}") from None
    except PublishRefused as exc:
        raise CommandError(f"{path}: not published, nothing changed: {exc}") from None
    parts = ", ".join(
        ngettext(singular, plural, count) % {"count": count}
        for singular, plural, count in (
            ("%(count)d section", "%(count)d sections", len(data.sections)),
            ("%(count)d image", "%(count)d images", len(data.images)),
            ("%(count)d reference", "%(count)d references", len(data.references)),
        )
    )
    state = article.status
    if article.has_unpublished_changes:
        state = "published, with unpublished changes"
    return f"{'Created' if created else 'Updated'} {article.slug!r} ({state}): {parts}."


class Command(BaseCommand):
    help = (
        "Import an article from a Markdown file (format: docs/article-format.md). "
        "Importing a slug that exists updates that article. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the article's Markdown file")
        parser.add_argument(
            "--publish",
            action="store_true",
            help=(
                "publish the article (without it, the article is saved as a draft; a "
                "published article's draft, readers keep its published version)"
            ),
        )

    def handle(self, *args, file: Path, publish: bool, **options) -> None:
        self.stdout.write(import_article_file(file, publish=publish))
