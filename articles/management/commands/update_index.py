"""``manage.py update_index``: the way back for rows written outside the change funnel.

A data migration, ``bulk_create``, a SQL load or ``loaddata`` writes rows
without ``articles_mark_changed``: the search index does not know them and
built documents (and the caches above them) keep what the articles said
before. This command marks every article, or those named, changed with the
reason ``reindex``: the funnel's receivers index them again and drop what
caches keep (documents, listings, reader pages), but make no revision and
announce nothing. It then builds the published articles' documents at once,
so the first readers do not pay for them.

Articles go in batches by primary key, so memory and the work of each batch
stay the same at 100,000 articles. Each batch is marked changed and indexed
in one short transaction, then its documents are built and stored: building
is most of the time, and no writer (on SQLite, any writer) waits for it. A
failure leaves the batches before it done. Run it again at will: it only
brings derived data up to date.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import ngettext

from articles.documents import documents_build
from articles.live import live_snapshot
from articles.models import Article
from articles.review import next_review_update
from articles.search import search_orphans_delete
from articles.services import articles_mark_changed, publish_refusal
from articles.signals import Reason

DEFAULT_BATCH_SIZE = 500

# Messages (tests assert them): an unknown slug stops the command before any work.
UNKNOWN_SLUG = (
    "No article has the slug %(slugs)s: nothing was indexed.",
    "No articles have the slugs %(slugs)s: nothing was indexed.",
)
FAILED = "The document of article %(slug)r (id %(pk)d) cannot be built: %(error)s"
NOT_LIVE = "Article %(slug)r is published but was never live, and stays off the site: %(reason)s"


def id_batches(queryset: QuerySet[Article], size: int) -> Iterator[list[int]]:
    """The ids of ``queryset`` in ascending batches of ``size``, read batch by batch.

    Keyset paging: each batch is one indexed query, however far along it is,
    and articles created meanwhile (with larger ids) are taken too.
    """
    rest = queryset
    while ids := list(rest.order_by("pk").values_list("pk", flat=True)[:size]):
        yield ids
        rest = queryset.filter(pk__gt=ids[-1])


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


class Command(BaseCommand):
    help = (
        "Bring the search index and the built documents up to date, for every article or "
        "those named, and drop what caches keep of them: after rows were written outside "
        "the change funnel (bulk_create, SQL, loaddata, a data migration). No revision is "
        "made and no webhook is sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "slugs", nargs="*", metavar="slug", help="only these articles (default: every one)"
        )
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=DEFAULT_BATCH_SIZE,
            help=f"articles per batch (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="no progress line on stderr (it is shown only on a terminal anyway)",
        )

    def handle(
        self, *args, slugs: list[str], batch_size: int, no_progress: bool, **options
    ) -> None:
        started = time.monotonic()
        selected = Article.objects.all()
        if slugs:
            found = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            unknown = [slug for slug in dict.fromkeys(slugs) if slug not in found]
            if unknown:
                message = ngettext(*UNKNOWN_SLUG, len(unknown))
                raise CommandError(message % {"slugs": ", ".join(map(repr, unknown))})
            selected = selected.filter(pk__in=found.values())
        total = selected.count()
        progress = not no_progress and self.stderr.isatty()
        done = 0
        try:
            for ids in id_batches(selected, batch_size):
                # Short: counted, indexed, caches dropped. Building the
                # documents, most of the time, holds no lock.
                with transaction.atomic():
                    # A published article never live (its rows written
                    # around the services) goes live as it stands, if it
                    # may be published; a live one keeps its live version:
                    # its draft stays a draft.
                    live_snapshot(article_ids=self._may_go_live(ids), only_missing=True)
                    articles_mark_changed(article_ids=ids, reason=Reason.REINDEX)
                self._build(ids)
                done += len(ids)
                if progress:
                    self._progress(done, max(total, done))
        finally:
            if progress and done:
                self.stderr.write("", style_func=str)  # end the progress line where it stands
        if not slugs:
            search_orphans_delete()
            # REVIEW_INTERVAL_MONTHS may have changed since they were worked out.
            next_review_update()
        seconds = time.monotonic() - started
        count = ngettext("%(count)s article", "%(count)s articles", done) % {"count": f"{done:,}"}
        self.stdout.write(f"Indexed {count} in {seconds:.1f} s.")

    def _may_go_live(self, ids: list[int]) -> list[int]:
        """Those of ``ids`` published without a live version that may be published."""
        never_live = Article.objects.filter(
            pk__in=ids, status=Article.Status.PUBLISHED, live__isnull=True
        ).values_list("pk", "slug")
        allowed = []
        for pk, slug in never_live:
            if refused := publish_refusal(article_ids=[pk]):
                self.stderr.write(NOT_LIVE % {"slug": slug, "reason": refused})
            else:
                allowed.append(pk)
        return allowed

    def _build(self, ids: list[int]) -> None:
        """Build the batch's documents; if that fails, one by one, to name the article."""
        try:
            documents_build(article_ids=ids)
        except Exception:
            for pk in ids:
                try:
                    documents_build(article_ids=[pk])
                except Exception as error:
                    slug = Article.objects.filter(pk=pk).values_list("slug", flat=True).first()
                    detail = f"{type(error).__name__}: {error}"
                    raise CommandError(
                        FAILED % {"slug": slug, "pk": pk, "error": detail}
                    ) from error
            # None failed alone (the fault passed): the batch is built.

    def _progress(self, done: int, total: int) -> None:
        # One line, written over: \r back to its start, the rest cleared.
        line = f"\rIndexed {done:,} of {total:,} articles\x1b[K"
        self.stderr.write(line, style_func=str, ending="")
        self.stderr.flush()
