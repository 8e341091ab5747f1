"""Moderation rules: each a small function that votes; the strictest vote wins.

A rule takes a ``Submission`` and returns a ``Vote`` or ``None`` (no opinion).
The rules asked are ``RLS_COMMENTS["RULES"]``; add your own by dotted path.
Verdicts, from strictest: reject (nothing stored, a 4xx answer) > spam >
hold (pending) > approve. When no rule votes, the comment is held.

Every vote is kept (``Decision.votes``): moderators see each reason, not
only the one that decided. A vote may be ``urgent`` (crisis language): the
comment is then held and sorted first, and no other rule's vote sends it to
spam, since a reader in crisis must not wait behind spam.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.utils import timezone
from django.utils.module_loading import import_string

from articles.models import Article
from comments.conf import comment_settings
from comments.matching import Match, TermMatcher, matcher_for, normalise
from comments.models import Comment, DisallowedTerm, client_key
from comments.personal_data import find_personal_data

# The name of the term list the disallowed-terms and crisis rules share.
TERMS = "terms"


class Verdict(enum.IntEnum):
    APPROVE = 0
    HOLD = 1
    SPAM = 2
    REJECT = 3


@dataclass(frozen=True)
class Vote:
    verdict: Verdict
    # For moderators, short ("3 links, limit 2"); for a rejection, the reader's message.
    reason: str
    # For rejections: the HTTP status, a stable error code and, for 429, seconds to wait.
    status_code: int | None = None
    code: str = ""
    retry_after: int | None = None
    # Crisis language: hold first, whatever else voted (see the module's docstring).
    urgent: bool = False
    # Where in the comment's text the rule saw what it names, to highlight: (start, end).
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Decision:
    """What the rules decided, and every vote with the rule that cast it."""

    vote: Vote
    votes: tuple[tuple[str, Vote], ...]

    @property
    def verdict(self) -> Verdict:
        return self.vote.verdict

    @property
    def urgent(self) -> bool:
        return any(vote.urgent for _, vote in self.votes)

    def reasons(self) -> list[dict]:
        """The votes as stored and shown: ``[{rule, verdict, detail, spans?}]``."""
        reasons = []
        for rule, vote in self.votes:
            reason = {"rule": rule, "verdict": vote.verdict.name.lower(), "detail": vote.reason}
            if vote.spans:
                reason["spans"] = [list(span) for span in vote.spans]
            reasons.append(reason)
        return reasons


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
    # The listed terms found, once asked for: both term rules read them.
    found_terms: list | None = field(default=None, compare=False, repr=False)

    @property
    def client_key(self) -> str:
        """The keyed hash of the address that comments keep (``comments.models.client_key``)."""
        return client_key(self.ip_address) if self.ip_address else ""

    def fields(self) -> dict[str, str]:
        """The texts a disallowed term may apply to, by ``DisallowedTerm.Field``."""
        return {
            DisallowedTerm.Field.NAME: self.name,
            DisallowedTerm.Field.EMAIL: self.email,
            DisallowedTerm.Field.WEBSITE: self.website,
            DisallowedTerm.Field.BODY: self.body,
            DisallowedTerm.Field.IP_ADDRESS: self.ip_address or "",
        }


HOLD_BY_DEFAULT = Vote(Verdict.HOLD, "no rule approved it: held by default")
DEFAULT_RULE = "default"

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
    # By the address's keyed hash: the address itself may be erased already.
    last = (
        Comment.objects.filter(
            client_key=submission.client_key, submitted_at__gt=now - dt.timedelta(seconds=seconds)
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
        return Vote(Verdict.SPAM, "honeypot filled")
    return None


def _term_matcher() -> TermMatcher:
    """Every disallowed term and crisis phrase (the admin's and CRISIS_TERMS), in one automaton."""
    shipped = tuple(comment_settings.CRISIS_TERMS)

    def build() -> TermMatcher:
        listed = DisallowedTerm.objects.values_list("term", "applies_to", "action")
        crisis = [
            (term, (DisallowedTerm.Field.BODY, DisallowedTerm.Action.CRISIS, term))
            for term in shipped
        ]
        return TermMatcher(
            [*((term, (field, action, term)) for term, field, action in listed), *crisis]
        )

    return matcher_for(TERMS, shipped, build)


def listed_terms(submission: Submission) -> list[tuple[str, str, str, Match]]:
    """The listed terms in ``submission``: ``(field, action, term, match)``, in field order."""
    found = []
    matcher = _term_matcher()
    for name, text in submission.fields().items():
        for match in matcher.find(normalise(text)):
            applies_to, action, term = match.payload
            if applies_to in (DisallowedTerm.Field.ANYWHERE, name):
                found.append((name, action, term, match))
    return found


def _terms_of(submission: Submission, *actions: str) -> list[tuple[str, str, str, Match]]:
    # One pass over the submission serves both rules that ask.
    if submission.found_terms is None:
        object.__setattr__(submission, "found_terms", listed_terms(submission))
    return [found for found in submission.found_terms if found[1] in actions]


def _body_spans(found: list[tuple[str, str, str, Match]]) -> tuple[tuple[int, int], ...]:
    return tuple(
        (match.start, match.end) for name, _, _, match in found if name == DisallowedTerm.Field.BODY
    )


def disallowed_terms(submission: Submission) -> Vote | None:
    """Spam or hold when a disallowed term appears where it applies."""
    found = _terms_of(submission, DisallowedTerm.Action.SPAM, DisallowedTerm.Action.HOLD)
    if not found:
        return None
    strictest = max(found, key=lambda item: item[1] == DisallowedTerm.Action.SPAM)
    name, action, _, _ = strictest
    verdict = Verdict.SPAM if action == DisallowedTerm.Action.SPAM else Verdict.HOLD
    where = DisallowedTerm.Field(name).label.lower()
    terms = sorted({f"“{item[2]}”" for item in found if item[1] == action})
    return Vote(verdict, f"disallowed term {', '.join(terms)} in {where}", spans=_body_spans(found))


def crisis_language(submission: Submission) -> Vote | None:
    """Hold as urgent a comment that speaks of self-harm or suicide (see CRISIS_TERMS)."""
    # Whole words only: "want to die" is not in "want to diet".
    found = [f for f in _terms_of(submission, DisallowedTerm.Action.CRISIS) if f[3].whole_word]
    if not found:
        return None
    terms = ", ".join(sorted({f"“{item[2]}”" for item in found}))
    return Vote(Verdict.HOLD, f"crisis language: {terms}", urgent=True, spans=_body_spans(found))


def speaks_of_crisis(text: str) -> bool:
    """Whether ``text`` holds a crisis phrase: the reader is then shown SUPPORT_MESSAGE."""
    crisis = DisallowedTerm.Action.CRISIS
    return any(
        match.payload[1] == crisis and match.whole_word
        for match in _term_matcher().find(normalise(text))
    )


def personal_data(submission: Submission) -> Vote | None:
    """Hold a comment whose text gives a phone number, an email, a date of birth or an address."""
    found = find_personal_data(submission.body, region=comment_settings.PHONE_REGION)
    if not found:
        return None
    kinds = ", ".join(dict.fromkeys(kind for kind, _ in found))
    return Vote(Verdict.HOLD, f"personal data: {kinds}", spans=tuple(span for _, span in found))


def too_many_links(submission: Submission) -> Vote | None:
    """Hold a comment with more than MAX_LINKS links."""
    count = len(LINK_RE.findall(submission.body))
    limit = comment_settings.MAX_LINKS
    if count > limit:
        return Vote(Verdict.HOLD, f"{count} links, limit {limit}")
    return None


def known_author(submission: Submission) -> Vote | None:
    """Approve an author whose name and email have an approved comment already."""
    # Name and email, as WordPress does: an email alone, guessed, would
    # publish anything under any name.
    approved_before = Comment.objects.filter(
        email=submission.email,
        name__iexact=submission.name,
        status=Comment.Status.APPROVED,
        staff_reply=False,
    ).exists()
    if approved_before:
        return Vote(Verdict.APPROVE, "known author: approved before")
    return None


@cache
def _import_rules(paths: tuple[str, ...]) -> tuple[Callable[[Submission], Vote | None], ...]:
    return tuple(import_string(path) for path in paths)


def rules() -> tuple[Callable[[Submission], Vote | None], ...]:
    """The configured rules, imported once per configuration."""
    return _import_rules(tuple(comment_settings.RULES))


def moderate(submission: Submission) -> Decision:
    """Ask every rule; the strictest vote wins (the first of equals). No votes: hold.

    An urgent vote (crisis language) wins over spam. A rejection ends the
    round: nothing is stricter, and the remaining queries are spared.
    """
    votes: list[tuple[str, Vote]] = []
    decision: Vote | None = None
    for rule in rules():
        vote = rule(submission)
        if vote is None:
            continue
        votes.append((getattr(rule, "__name__", repr(rule)), vote))
        if decision is None or vote.verdict > decision.verdict:
            decision = vote
        if decision.verdict is Verdict.REJECT:
            return Decision(decision, tuple(votes))
    if decision is None:
        return Decision(HOLD_BY_DEFAULT, ((DEFAULT_RULE, HOLD_BY_DEFAULT),))
    urgent = next((vote for _, vote in votes if vote.urgent), None)
    if urgent is not None and decision.verdict > urgent.verdict:
        decision = urgent
    return Decision(decision, tuple(votes))
