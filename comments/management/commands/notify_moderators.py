from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from comments.notifications import comments_notify_moderators


class Command(BaseCommand):
    help = (
        "Email the moderators about every pending comment they have not heard of yet "
        "(what the notify_moderators task does, run here and now)."
    )

    def handle(self, *args, **options) -> None:
        told = comments_notify_moderators()
        self.stdout.write(
            ngettext(
                "Moderators told of %(count)d pending comment.",
                "Moderators told of %(count)d pending comments.",
                told,
            )
            % {"count": told}
        )
