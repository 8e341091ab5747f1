from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "admin"


class Command(BaseCommand):
    help = (
        "Development only: create the superuser admin/admin when no superuser exists, "
        "so a newcomer can log in to the admin after `make run`."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_admin refuses to run with DEBUG off.")
        users = get_user_model().objects
        if users.filter(is_superuser=True).exists():
            self.stdout.write("A superuser exists already; log in with it.")
            return
        users.create_superuser(USERNAME, email="", password=PASSWORD)
        self.stdout.write(f"Created the superuser {USERNAME!r} with password {PASSWORD!r}.")
