"""``manage.py staff_token USERNAME [--rotate | --revoke]``: a staff user's API token.

The staff APIs (the review schedule, comment moderation) take
``Authorization: Token <key>``. The key alone goes to stdout, so that a
script can read it: ``TOKEN=$(manage.py staff_token alice)``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from articles.api.auth import token_expired

NO_SUCH_USER = "There is no user {username!r}."
NOT_ACTIVE_STAFF = (
    "{username!r} is not an active staff user: the staff APIs would refuse the token."
)


class Command(BaseCommand):
    help = (
        "Print a staff user's API token, making one if they have none (or theirs has "
        "expired). --rotate replaces it (the old key stops working at once); --revoke "
        "deletes it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--rotate", action="store_true", help="replace the key with a new one and print it"
        )
        action.add_argument(
            "--revoke",
            action="store_true",
            help="delete the token (for any user, staff or not: a former colleague's too)",
        )

    def handle(self, *args, username: str, rotate: bool, revoke: bool, **options) -> None:
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(NO_SUCH_USER.format(username=username)) from None
        if revoke:
            deleted, _ = Token.objects.filter(user=user).delete()
            self.stdout.write(
                f"Revoked {username}'s API token." if deleted else f"{username} had no API token."
            )
            return
        if not (user.is_active and user.is_staff):
            raise CommandError(NOT_ACTIVE_STAFF.format(username=username))
        with transaction.atomic():
            token = Token.objects.select_for_update().filter(user=user).first()
            # An expired key works nowhere: replacing it loses nothing.
            if token is not None and (rotate or token_expired(token)):
                token.delete()
                token = None
            if token is None:
                token = Token.objects.create(user=user)
        self.stdout.write(token.key)
