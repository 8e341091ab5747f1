from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from articles import review, services
from articles.article_file import parse_article_file
from articles.management.commands.import_article import import_article_file
from articles.models import Article, Reviewer

DEMO_ARTICLE = (
    Path(__file__).resolve().parents[2] / "demo" / "what-causes-restless-legs-syndrome.md"
)
DEMO_SLUG = "what-causes-restless-legs-syndrome"
# The demo's reviewer signs in nowhere: no usable password.
DEMO_REVIEWER = "demo-reviewer"


class Command(BaseCommand):
    help = (
        "Import the demo article, record its reviewer's sign-off and publish it. Safe to run "
        "again: it updates in place."
    )

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
        data = parse_article_file(DEMO_ARTICLE.read_text(encoding="utf-8"), DEMO_ARTICLE.parent)
        with transaction.atomic():
            self.stdout.write(import_article_file(DEMO_ARTICLE, publish=False))
            article = Article.objects.get(slug=DEMO_SLUG)
            reviewer = demo_reviewer(data.reviewer, data.reviewer_credentials)
            if review.signoff_standing(article_id=article.pk) is None:
                review.article_sign_off(
                    article_id=article.pk, user=reviewer, note="The demo file's reviewer."
                )
            try:
                services.articles_publish(queryset=Article.objects.filter(pk=article.pk))
            except services.PublishRefused as error:
                raise CommandError(f"The demo article was not published: {error}") from None
        self.stdout.write(f"Signed off by {data.reviewer!r} and published {DEMO_SLUG!r}.")


def demo_reviewer(name: str, credentials: str):
    """The demo file's reviewer: a user who may sign off, with no usable password."""
    user, created = get_user_model().objects.get_or_create(username=DEMO_REVIEWER)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="articles", codename="sign_off_article")
    )
    Reviewer.objects.update_or_create(
        user=user, defaults={"display_name": name, "credentials": credentials}
    )
    # Permissions are cached on the instance: read them afresh.
    return get_user_model().objects.get(pk=user.pk)
