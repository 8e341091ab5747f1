from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from comments.services import commenter_data_export


class Command(BaseCommand):
    help = "Print, as JSON, every comment stored under an email address (a data access request)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        data = commenter_data_export(email=email)
        self.stdout.write(json.dumps({"email": email, "comments": data}, indent=2))
