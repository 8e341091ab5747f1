from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from comments.services import ERASED_NAME, commenter_data_erase


class Command(BaseCommand):
    help = (
        f"Erase a commenter's personal data: the name becomes {ERASED_NAME!r}; email, "
        "website, IP address, its keyed hash and user agent are cleared; the comments' text stays."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        count = commenter_data_erase(emails=[email])
        self.stdout.write(
            ngettext(
                "Erased the personal data of %(count)d comment.",
                "Erased the personal data of %(count)d comments.",
                count,
            )
            % {"count": count}
        )
