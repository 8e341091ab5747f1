"""Moderation rules: each a small function that votes; the strictest vote wins.

A rule takes a ``Submission`` and returns a ``Vote`` or ``None`` (no opinion).
The rules asked are ``RLS_COMMENTS["RULES"]``; add your own by dotted path.
Verdicts, from strictest: reject (nothing stored, a 4xx answer) > spam >
hold (pending) > approve. When no rule votes, the comment is held.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.utils import timezone
from django.utils.module_loading import import_string

from articles.models import Article
from comments.conf import comment_settings
from comments.models import Comment, DisallowedTerm


class Verdict(enum.IntEnum):
    APPROVE = 0
    HOLD = 1
    SPAM = 2
    REJECT = 3


@dataclass(frozen=True)
class Vote:
    verdict: Verdict
    reason: str
    # For rejections: the HTTP status, a stable error code and, for 429, seconds to wait.
    status_code: int | None = None
    code: str = ""
    retry_after: int | None = None


@dataclass(frozen=True)
class Submission:
    """What a reader sent, cleaned, with where it came from."""

    article: Article
    name: str
    email: str
    website: str
    body: str
    parent: Comment | None
    ip_address: str | None
    user_agent: str
    honeypot: str = ""


HOLD_BY_DEFAULT = Vote(Verdict.HOLD, "")

# A link is a URL with a scheme or a bare www. address, as urlize sees them;
# one match per link ("https://www.x.org" is one).
LINK_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def comments_close_at(article: Article) -> dt.datetime | None:
    """When ``article``'s comments close by age (CLOSE_AFTER_DAYS); None: not by age."""
    days = comment_settings.CLOSE_AFTER_DAYS
    if days and article.published_at:
        return article.published_at + dt.timedelta(days=days)
    return None


def comments_open(article: Article, *, now: dt.datetime | None = None) -> bool:
    """Whether ``article`` takes new comments now."""
    if not article.comments_enabled:
        return False
    closes_at = comments_close_at(article)
    return closes_at is None or (now or timezone.now()) < closes_at


def comments_closed(submission: Submission) -> Vote | None:
    """Reject when the article's comments are disabled or closed by age."""
    if comments_open(submission.article):
        return None
    return Vote(Verdict.REJECT, "Comments are closed.", status_code=403, code="comments_closed")


def same_text(text: str) -> str:
    """Text as compared for duplicates: case, width forms and white space ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def duplicate(submission: Submission) -> Vote | None:
    """Reject the same comment (give or take case and spacing) from the same email."""
    earlier = Comment.objects.filter(
        article=submission.article, email=submission.email
    ).values_list("body", flat=True)
    text = same_text(submission.body)
    if not any(same_text(body) == text for body in earlier.iterator()):
        return None
    return Vote(
        Verdict.REJECT,
        "Duplicate comment detected; it looks as though you've already said that!",
        status_code=409,
        code="duplicate_comment",
    )


def flood(submission: Submission) -> Vote | None:
    """Reject a second comment from one IP address within FLOOD_SECONDS."""
    seconds = comment_settings.FLOOD_SECONDS
    if not seconds or not submission.ip_address:
        return None
    now = timezone.now()
    last = (
        Comment.objects.filter(
            ip_address=submission.ip_address, submitted_at__gt=now - dt.timedelta(seconds=seconds)
        )
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    if last is None:
        return None
    wait = max(1, math.ceil(seconds - (now - last).total_seconds()))
    return Vote(
        Verdict.REJECT,
        "You are posting comments too quickly. Slow down.",
        status_code=429,
        code="flood",
        retry_after=wait,
    )


def honeypot(submission: Submission) -> Vote | None:
    """Mark as spam when the field hidden from people was filled in."""
    if submission.honeypot:
        return Vote(Verdict.SPAM, "The hidden honeypot field was filled in.")
    return None


def disallowed_terms(submission: Submission) -> Vote | None:
    """Spam or hold when a disallowed term appears where it applies."""
    values = {
        DisallowedTerm.Field.NAME: submission.name,
        DisallowedTerm.Field.EMAIL: submission.email,
        DisallowedTerm.Field.WEBSITE: submission.website,
        DisallowedTerm.Field.BODY: submission.body,
        DisallowedTerm.Field.IP_ADDRESS: submission.ip_address or "",
    }
    strictest: Vote | None = None
    for term in DisallowedTerm.objects.all():
        if term.applies_to == DisallowedTerm.Field.ANYWHERE:
            haystacks = values.values()
        else:
            haystacks = [values[term.applies_to]]
        needle = term.term.casefold()
        if not any(needle in text.casefold() for text in haystacks):
            continue
        verdict = Verdict.SPAM if term.action == DisallowedTerm.Action.SPAM else Verdict.HOLD
        where = term.get_applies_to_display().lower()
        vote = Vote(verdict, f"Contains the disallowed term {term.term!r} ({where}).")
        if strictest is None or vote.verdict > strictest.verdict:
            strictest = vote
    return strictest


def too_many_links(submission: Submission) -> Vote | None:
    """Hold a comment with more than MAX_LINKS links."""
    count = len(LINK_RE.findall(submission.body))
    limit = comment_settings.MAX_LINKS
    if count > limit:
        return Vote(Verdict.HOLD, f"Contains {count} links; more than {limit} are held.")
    return None


def known_author(submission: Submission) -> Vote | None:
    """Approve an author whose name and email have an approved comment already."""
    # Name and email, as WordPress does: an email alone, guessed, would
    # publish anything under any name.
    approved_before = Comment.objects.filter(
        email=submission.email, name__iexact=submission.name, status=Comment.Status.APPROVED
    ).exists()
    if approved_before:
        return Vote(Verdict.APPROVE, "The author has an approved comment.")
    return None


@cache
def _import_rules(paths: tuple[str, ...]) -> tuple[Callable[[Submission], Vote | None], ...]:
    return tuple(import_string(path) for path in paths)


def rules() -> tuple[Callable[[Submission], Vote | None], ...]:
    """The configured rules, imported once per configuration."""
    return _import_rules(tuple(comment_settings.RULES))


def moderate(submission: Submission) -> Vote:
    """Ask every rule; the strictest vote wins (the first of equals). No votes: hold."""
    decision: Vote | None = None
    for rule in rules():
        vote = rule(submission)
        if vote is not None and (decision is None or vote.verdict > decision.verdict):
            decision = vote
        if decision is not None and decision.verdict is Verdict.REJECT:
            break  # nothing is stricter; spare the remaining queries
    return decision or HOLD_BY_DEFAULT
