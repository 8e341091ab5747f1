from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.housekeeping import BATCH_SIZE, failures, housekeeping_run


def batch_size(value: str) -> int:
    size = int(value)
    if size < 1:
        raise ValueError(value)
    return size


class Command(BaseCommand):
    help = (
        "Delete what is past its retention (task results, periodic runs, webhook deliveries, "
        "spam, ...) and erase commenters' addresses when due, in batches. The task worker's "
        "beat runs this once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )
        parser.add_argument(
            "--batch-size",
            type=batch_size,
            default=BATCH_SIZE,
            metavar="ROWS",
            help="Rows per transaction (default: %(default)s).",
        )

    def handle(self, *args, dry_run: bool, batch_size: int, **options) -> None:
        counts = housekeeping_run(dry_run=dry_run, batch_size=batch_size)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. Due now:")
        width = max((len(kind) for kind in counts), default=0)
        for kind, count in counts.items():
            shown = f"{count:>9,}" if isinstance(count, int) else count
            self.stdout.write(f"  {kind:<{width}}  {shown}")
        if failed := failures(counts):
            raise CommandError(f"Failed: {', '.join(failed)} (the others ran; see the log).")
