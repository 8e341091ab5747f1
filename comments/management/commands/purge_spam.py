from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from comments.services import spam_purge


def whole_days(value: str) -> int:
    days = int(value)
    if days < 0:
        raise ValueError(value)
    return days


class Command(BaseCommand):
    help = "Delete comments marked as spam that were submitted more than DAYS days ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than", type=whole_days, required=True, metavar="DAYS", dest="days"
        )

    def handle(self, *args, days: int, **options) -> None:
        count = spam_purge(older_than_days=days)
        self.stdout.write(f"Deleted {count} spam comment(s) older than {days} day(s).")
