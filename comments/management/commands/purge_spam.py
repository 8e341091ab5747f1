from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

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
        comments = ngettext(
            "Deleted %(count)d spam comment", "Deleted %(count)d spam comments", count
        ) % {"count": count}
        age = ngettext("older than %(days)d day.", "older than %(days)d days.", days) % {
            "days": days
        }
        self.stdout.write(f"{comments} {age}")
