"""Medical review: a clinician's sign-off of the exact text that goes live, and the schedule.

A reviewer is a user with the ``articles.sign_off_article`` permission and a
``Reviewer`` profile (the name and credentials readers see). A sign-off is
of an article's working text as it stands: it records who, their
credentials then, when, the draft's newest revision, a note and a digest of
the text (``content_digest``). It writes the article's review fields
(reviewer, credentials, date), which go live with the content: the API, the
reader page's review line and JSON-LD ``reviewedBy`` show them.

With ``RLS_ARTICLES["REQUIRE_SIGNOFF"]`` on, text goes live only under a
standing sign-off of that very text (``signoff_refusal``, asked by every
publishing service). Any change to the text since voids the sign-off, and
so does a restore. Nobody signs off text they changed themselves (their
``DraftEdit`` rows since it was last live) unless
``RLS_ARTICLES["SIGNOFF_OWN_CHANGES"]`` allows it.

The next review is the last review's date plus the review interval (the
article's own, or ``REVIEW_INTERVAL_MONTHS``), kept in
``Article.next_review_on`` so that lists can order and filter by it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable

import reversion
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.conf import article_settings
from articles.live import live_content, live_differs
from articles.models import (
    Article,
    DraftEdit,
    Image,
    LiveArticle,
    Reviewer,
    ReviewReminderRun,
    ScheduledChanges,
    SignOff,
    SnapshotEncoder,
    add_months,
)
from articles.revisions import newest_revision, revision_record
from articles.selectors import (
    article_whole_queryset,
    articles_by_review,
    staff_with_permission,
)
from articles.signals import minute_passed
from articles.urls_public import site_url

logger = logging.getLogger(__name__)

SIGN_OFF_PERMISSION = "articles.sign_off_article"
# "Due" on the admin's filter, the staff API and the weekly reminders: within this many days.
DUE_WITHIN_DAYS = 30
# What a sign-off writes, and what the HTML renders from the Markdown: never
# part of the signed text's digest.
REVIEW_FIELDS = ("last_reviewed_on", "reviewer_name", "reviewer_credentials")
DERIVED_FIELDS = frozenset({"intro_html", "body_html", "citation", "article", "width", "height"})

# Why a sign-off is refused (tests assert the codes).
NOT_A_REVIEWER = "not_a_reviewer"
NO_PROFILE = "no_reviewer_profile"
OWN_CHANGES = "own_changes"
TEXT_MOVED = "text_changed"


class SignOffRefused(Exception):
    """The user cannot sign this text off; the message says why, ``code`` names it."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def content_digest(article: Article) -> str:
    """A digest of what ``article`` (read with ``article_whole_queryset``) says: its text,
    parts and their order, never the review fields, tags, row ids or rendered HTML."""
    content = live_content(article)
    fields = {
        k: v for k, v in content["article"].items() if k not in {*REVIEW_FIELDS, *DERIVED_FIELDS}
    }
    place = {row["pk"]: n for n, row in enumerate(content["sections"])}

    def parts(name: str) -> list[dict]:
        rows = []
        for row in content[name]:
            part = {k: v for k, v in row["fields"].items() if k not in DERIVED_FIELDS}
            if "after_section" in part:  # by place: ids change on a re-import
                part["after_section"] = place.get(part["after_section"])
            if "file" in part:  # by its bytes: a re-import stores the same picture anew
                part["file"] = _file_digest(part["file"])
            part.pop("position", None)  # the order of the list says it
            rows.append(part)
        return rows

    # Tags are the site's filing, renamed and deleted site-wide: not the signed text.
    text = {
        "article": fields,
        "sections": parts("sections"),
        "images": parts("images"),
        "references": parts("references"),
    }
    encoded = json.dumps(text, cls=SnapshotEncoder, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


def _file_digest(name: str) -> str:
    """The SHA-256 of a stored image's bytes; its name if it is gone."""
    storage = Image._meta.get_field("file").storage
    try:
        with storage.open(name, "rb") as stored:
            return hashlib.file_digest(stored, "sha256").hexdigest()
    except OSError:
        return name


def _digests(article_ids: Iterable[int]) -> dict[int, str]:
    articles = article_whole_queryset().filter(pk__in=set(article_ids))
    return {article.pk: content_digest(article) for article in articles}


def text_digest(*, article_id: int) -> str:
    """``content_digest`` of the article as it stands in the database."""
    return _digests([article_id]).get(article_id, "")


def signoff_standing(*, article_id: int) -> SignOff | None:
    """The sign-off of the article's text as it stands now, if there is one."""
    latest = (
        SignOff.objects.filter(article_id=article_id, voided_at__isnull=True)
        .order_by("-signed_at", "-pk")
        .first()
    )
    if latest is None or latest.content_digest != _digests([article_id]).get(article_id):
        return None
    return latest


def signoff_refusal(*, article_ids: Iterable[int]) -> str | None:
    """Why these articles' text may not go live for want of a sign-off; None: it may."""
    if not article_settings.REQUIRE_SIGNOFF:
        return None
    ids = set(article_ids)
    digests = _digests(ids)
    standing: dict[int, SignOff] = {}
    for sign_off in SignOff.objects.filter(article_id__in=ids, voided_at__isnull=True).order_by(
        "signed_at", "pk"
    ):
        standing[sign_off.article_id] = sign_off  # the newest wins
    for article in Article.objects.filter(pk__in=ids).order_by("pk"):
        sign_off = standing.get(article.pk)
        if sign_off is None:
            return _(
                "“%(title)s” has no medical sign-off: a reviewer must sign off its text first."
            ) % {"title": article.title}
        if sign_off.content_digest != digests.get(article.pk):
            return _(
                "the text of “%(title)s” changed after %(reviewer)s signed it off: "
                "it needs a new sign-off."
            ) % {"title": article.title, "reviewer": sign_off.reviewer_name}
    return None


def signoffs_void(*, article_id: int, reason: str) -> int:
    """Void every standing sign-off of the article, whatever text it was of (a restore).
    ``text_moved`` voids only those of another text. Returns how many."""
    standing = SignOff.objects.filter(article_id=article_id, voided_at__isnull=True)
    return standing.update(voided_at=timezone.now(), voided_reason=reason[:200])


def text_moved(*, article_id: int, reason: str) -> None:
    """The article's text may have changed: void its sign-offs of another text, and drop a
    scheduled publication of another text. Costs a digest only when there is either."""
    standing = SignOff.objects.filter(article_id=article_id, voided_at__isnull=True)
    scheduled = ScheduledChanges.objects.filter(article_id=article_id)
    if not (standing.exists() or scheduled.exists()):
        return
    digest = _digests([article_id]).get(article_id, "")
    standing.exclude(content_digest=digest).update(
        voided_at=timezone.now(), voided_reason=reason[:200]
    )
    scheduled.exclude(content_digest=digest).delete()


def draft_edit_record(*, article_id: int, user) -> None:
    """``user`` changed the article's text: they may not sign that text off."""
    if user is not None and user.pk is not None:
        DraftEdit.objects.get_or_create(article_id=article_id, user=user)


def draft_edits_clear(*, article_ids: Iterable[int]) -> None:
    """The text went live or was discarded: a new draft starts with no authors."""
    DraftEdit.objects.filter(article_id__in=set(article_ids)).delete()


def next_review(last: dt.date | None, interval_months: int | None) -> dt.date | None:
    """When an article last reviewed on ``last`` is due again."""
    if last is None:
        return None
    return add_months(last, interval_months or article_settings.REVIEW_INTERVAL_MONTHS)


def next_review_update(*, article_ids: Iterable[int] | None = None) -> int:
    """Keep ``Article.next_review_on`` in step with the review date and interval, for
    these articles. None: every one, as ``update_index`` and the weekly reminders do,
    since a change of ``REVIEW_INTERVAL_MONTHS`` moves every article without its own.
    Returns how many moved."""
    rows = (
        Article.objects.all()
        if article_ids is None
        else Article.objects.filter(pk__in=set(article_ids))
    )
    # What readers see dates the review: the live version's, the draft's only
    # for an article never live (a sign-off of a draft counts once published).
    live = LiveArticle.objects.filter(pk=OuterRef("pk"))
    rows = rows.annotate(
        live_last=Subquery(
            live.annotate(last=KT("content__article__last_reviewed_on")).values("last")[:1]
        ),
        is_live=Exists(live),
    )
    moved = []
    for pk, working, live, is_live, interval, stored in rows.values_list(
        "pk", "last_reviewed_on", "live_last", "is_live", "review_interval_months", "next_review_on"
    ).iterator(chunk_size=2000):
        # JSON null reads back as "null" from some backends.
        last = (
            (dt.date.fromisoformat(live) if live not in {None, "null"} else None)
            if is_live
            else working
        )
        if (due := next_review(last, interval)) != stored:
            moved.append(Article(pk=pk, next_review_on=due))
    Article.objects.bulk_update(moved, ["next_review_on"], batch_size=1000)
    return len(moved)


def article_sign_off(*, article_id: int, user, note: str = "", seen: str | None = None) -> SignOff:
    """Sign off the article's text as it stands, as ``user``; ``SignOffRefused`` says why not.

    ``seen``: the digest of the text the reviewer read; another text is refused.

    A revision of its own. Nothing public moves: the review fields it writes
    go live with the text, when it is published.
    """
    if not user.has_perm(SIGN_OFF_PERMISSION):
        raise SignOffRefused(_("Only a medical reviewer can sign off an article."), NOT_A_REVIEWER)
    reviewer = Reviewer.objects.filter(user=user).exclude(display_name="").first()
    if reviewer is None:
        raise SignOffRefused(
            _("Give your name and credentials as readers will see them (Reviewers) first."),
            NO_PROFILE,
        )
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(_("Signed off by %(reviewer)s") % {"reviewer": reviewer.display_name})
        Article.objects.select_for_update().filter(pk=article_id).first()
        article = article_whole_queryset().get(pk=article_id)
        own = DraftEdit.objects.filter(article=article, user=user).exists()
        if own and not article_settings.SIGNOFF_OWN_CHANGES:
            raise SignOffRefused(
                _("You changed this text yourself: another reviewer must sign it off."),
                OWN_CHANGES,
            )
        digest = content_digest(article)
        if seen is not None and seen != digest:
            raise SignOffRefused(
                _("The text changed while you read it: read it again before signing it off."),
                TEXT_MOVED,
            )
        sign_off = SignOff.objects.create(
            article=article,
            reviewer=user,
            reviewer_name=reviewer.display_name,
            reviewer_credentials=reviewer.credentials,
            note=note,
            revision=newest_revision(article.pk),
            content_digest=digest,
        )
        article.reviewer_name = reviewer.display_name
        article.reviewer_credentials = reviewer.credentials
        article.last_reviewed_on = timezone.localdate(sign_off.signed_at)
        article.save(update_fields=list(REVIEW_FIELDS))
        next_review_update(article_ids=[article.pk])
        differs = live_differs(article.pk)
        Article.objects.filter(pk=article.pk).update(has_unpublished_changes=differs)
        revision_record(article_ids=[article.pk], comment="")
    return sign_off


# The weekly reminders: from Monday 08:00, local time, once per ISO week.
REMINDER_WEEKDAY, REMINDER_HOUR = 0, 8


def review_reminders_send(*, today: dt.date | None = None) -> int:
    """Email each reviewer the published articles due within ``DUE_WITHIN_DAYS`` that they
    signed off last; those nobody signed off (or whose reviewer is gone) go to every
    reviewer. Returns how many mails were sent."""
    next_review_update()  # the site's interval may have changed
    today = today or timezone.localdate()
    until = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    due = list(
        articles_by_review(review="due", until=until, today=today)
        .filter(status=Article.Status.PUBLISHED)
        .order_by(F("next_review_on").asc(nulls_first=True), "pk")
    )
    last_reviewer: dict[int, int | None] = {}
    for article_id, reviewer_id in (
        SignOff.objects.filter(article__in=due)
        .order_by("article_id", "-signed_at", "-pk")
        .values_list("article_id", "reviewer_id")
    ):
        last_reviewer.setdefault(article_id, reviewer_id)
    reviewers = {user.pk: user for user in staff_with_permission("articles", "sign_off_article")}
    lists: dict[int, list[Article]] = {pk: [] for pk in reviewers}
    for article in due:
        own = last_reviewer.get(article.pk)
        for pk in [own] if own in reviewers else reviewers:
            lists[pk].append(article)
    sent = 0
    for pk, articles in lists.items():
        if not articles:
            continue
        lines = [
            _("%(title)s: %(when)s\n  %(url)s")
            % {
                "title": article.title,
                "when": _("due %(date)s") % {"date": article.next_review_on.isoformat()}
                if article.next_review_on
                else _("never reviewed"),
                "url": site_url(reverse("admin:articles_article_sign_off", args=(article.pk,))),
            }
            for article in articles
        ]
        subject = ngettext(
            "%(count)d article due for medical review",
            "%(count)d articles due for medical review",
            len(articles),
        ) % {"count": len(articles)}
        body = _("Due within %(days)d days, soonest first:") % {"days": DUE_WITHIN_DAYS}
        try:
            send_mail(subject, "\n\n".join([body, *lines]), None, [reviewers[pk].email])
        except Exception as error:  # the others still hear
            logger.warning("Review reminder to user %s not sent: %r", pk, error)
            continue
        sent += 1
    return sent


@receiver(minute_passed, dispatch_uid="articles.review.weekly_reminders")
def weekly_reminders_due(sender, **kwargs) -> None:
    """From Monday 08:00 on, the first beat of each ISO week enqueues its reminders, once."""
    from articles.tasks import enqueue_with_commit, review_reminders

    now = timezone.localtime()
    if now.weekday() == REMINDER_WEEKDAY and now.hour < REMINDER_HOUR:
        return
    year, week, _day = now.isocalendar()
    with transaction.atomic():
        _run, created = ReviewReminderRun.objects.get_or_create(week=f"{year}-W{week:02d}")
        if created:
            enqueue_with_commit(review_reminders)
