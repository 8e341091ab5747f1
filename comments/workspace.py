"""The moderators' workspace: tabs, their rows, and the decisions taken on them.

The admin's "Moderation queue" entry opens a page built for deciding, not
Django's generic change list (see ``comments.admin.ModerationQueueAdmin``).
This module holds what that page reads and does, apart from the admin's
plumbing:

- **Tabs** (``TABS``): Urgent, Pending, Reported, Approved, Spam, Removed,
  each a filter and an order that an index serves, so the first page costs
  the same with 100,000 comments waiting as with ten. Counts stop at
  ``COUNT_CAP`` ("1,000+"), as the admin's ``show_full_result_count = False``
  does: an exact count of a spam wave costs a scan of it.
- **Rows** (``rows``): a page of comments with what a moderator decides on:
  every reason as a chip, the personal data highlighted, the comment a reply
  answers, the author's history and the open reports. A query each, never one
  per row.
- **Decisions** (``decide``): approve, spam, remove, dismiss the reports,
  reply, through ``comments.services`` like every other writer. Each returns
  an Undo token, signed and short-lived, that puts the comment back as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from articles.urls_public import reader_path
from comments import services
from comments.conf import comment_settings
from comments.models import Comment, CommentReport
from comments.selectors import by_whole_address, comment_author_history, comment_open_reports

PAGE_SIZE = 25
COUNT_CAP = 1000
# An Undo token works this long; the page offers it for 10 seconds.
UNDO_MAX_AGE = 600
UNDO_SALT = "rls_cms.comments.workspace.undo"


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    # Field names as order_by takes them; the last is "id" or "-id", so rows never tie.
    ordering: tuple[str, ...]

    def filter(self) -> Q:
        pending = Q(status=Comment.Status.PENDING)
        reported = Q(
            status=Comment.Status.APPROVED,
            report_count__gte=comment_settings.REPORTS_TO_REVIEW,
        )
        return {
            "urgent": pending & Q(priority=Comment.Priority.URGENT),
            "pending": pending,
            "reported": reported,
            "approved": Q(status=Comment.Status.APPROVED),
            "spam": Q(status=Comment.Status.SPAM),
            "removed": Q(status=Comment.Status.REMOVED),
        }[self.key]


NEWEST_FIRST = ("-submitted_at", "-id")
TABS = [
    Tab("urgent", gettext_lazy("Urgent"), ("submitted_at", "id")),
    # The queue: oldest first, but crisis language before everything.
    Tab("pending", gettext_lazy("Pending"), ("-priority", "submitted_at", "id")),
    Tab("reported", gettext_lazy("Reported"), NEWEST_FIRST),
    Tab("approved", gettext_lazy("Approved"), NEWEST_FIRST),
    Tab("spam", gettext_lazy("Spam"), NEWEST_FIRST),
    Tab("removed", gettext_lazy("Removed"), NEWEST_FIRST),
]
TAB_OF = {tab.key: tab for tab in TABS}
DEFAULT_TAB = "pending"


def tab_counts() -> dict[str, int]:
    """Each tab's count, up to ``COUNT_CAP + 1`` (more shows as "1,000+")."""
    return {
        tab.key: Comment.objects.filter(tab.filter()).order_by()[: COUNT_CAP + 1].count()
        for tab in TABS
    }


def counts_answer() -> dict:
    """The tabs' counts as labels, and the summary: what the page's badges show."""
    counts = tab_counts()
    return {
        "counts": {key: count_label(n) for key, n in counts.items()},
        "summary": pending_summary(counts["pending"]),
    }


def count_label(count: int) -> str:
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def pending_summary(count: int) -> str:
    """ "1 pending comment", "25 pending comments", "1,000+ pending comments"."""
    return ngettext(
        "%(count)s pending comment", "%(count)s pending comments", min(count, COUNT_CAP + 1)
    ) % {"count": count_label(count)}


class BadCursor(ValueError):
    """A page address that is not one this page made."""


def tab_page(
    tab: Tab, *, after: str | None = None, search: str = "", article: int | None = None
) -> tuple[list[Comment], str | None]:
    """One page of ``tab``, from the cursor ``after``; and the next page's cursor.

    The cursor carries the last row's sort values (keyset paging): the next
    page starts there even when that comment has been decided or deleted
    meanwhile. ``search`` finds words in the name, email, text or IP address
    (a scan: for finding, not for working through the queue); ``article``,
    an id. Raises ``BadCursor`` for a cursor this page did not make.
    """
    queryset = (
        Comment.objects.filter(tab.filter())
        .select_related("article", "parent")
        # The reader's page is at the live version's address, not the draft's.
        .annotate(article_live_slug=F("article__live__slug"))
        .order_by(*tab.ordering)
    )
    if article is not None:
        # By the article's key: an id past any column's range matches nothing.
        queryset = queryset.filter(article__pk=article)
    for word in search.split():
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(body__icontains=word)
            | Q(ip_address__startswith=word)
            | by_whole_address(word)
        )
    if after is not None:
        queryset = queryset.filter(_after(tab.ordering, _cursor_values(tab, after)))
    comments = list(queryset[: PAGE_SIZE + 1])
    more = len(comments) > PAGE_SIZE
    comments = comments[:PAGE_SIZE]
    return comments, _cursor(tab, comments[-1]) if more else None


CURSOR_SALT = "rls_cms.comments.workspace.cursor"


def _fields(ordering: tuple[str, ...]) -> list[str]:
    return [name.lstrip("-") for name in ordering]


def _cursor(tab: Tab, last: Comment) -> str:
    values = [getattr(last, field) for field in _fields(tab.ordering)]
    plain = [value.isoformat() if isinstance(value, dt.datetime) else value for value in values]
    return signing.dumps([tab.key, *plain], salt=CURSOR_SALT, compress=True)


def _cursor_values(tab: Tab, cursor: str) -> dict:
    try:
        key, *values = signing.loads(cursor, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadCursor(cursor) from error
    fields = _fields(tab.ordering)
    if key != tab.key or len(values) != len(fields):
        raise BadCursor(cursor)
    found = dict(zip(fields, values, strict=True))
    if "submitted_at" in found:
        found["submitted_at"] = dt.datetime.fromisoformat(found["submitted_at"])
    return found


def _after(ordering: tuple[str, ...], last: dict) -> Q:
    """Rows after ``last`` in ``ordering``: (a > x) or (a = x and b > y) or ..."""
    condition = Q()
    equal = Q()
    for name in ordering:
        field = name.lstrip("-")
        lookup = "lt" if name.startswith("-") else "gt"
        condition |= equal & Q(**{f"{field}__{lookup}": last[field]})
        equal &= Q(**{field: last[field]})
    return condition


@dataclass
class Row:
    """A comment as the workspace shows it."""

    comment: Comment
    reasons: list[dict]
    body: SafeString
    history: dict[str, int]
    reports: dict | None
    reader_url: str


def rows(comments: list[Comment]) -> list[Row]:
    """The page's rows: two queries for every row's history and reports."""
    history = comment_author_history(emails=[c.email for c in comments])
    reports = comment_open_reports(comment_ids=[c.pk for c in comments])
    return [
        Row(
            comment=comment,
            reasons=reasons_of(comment),
            body=highlighted(comment),
            history=history.get(comment.email, dict.fromkeys(Comment.Status.values, 0)),
            reports=_named_reasons(reports.get(comment.pk)),
            reader_url=reader_url(comment),
        )
        for comment in comments
    ]


def reasons_of(comment: Comment) -> list[dict]:
    """The chips: every rule's vote, or for a comment stored without reasons, what is known."""
    if comment.staff_reply:
        return [{"rule": "staff", "verdict": "approve", "detail": _("a moderator's reply")}]
    if comment.reasons:
        return comment.reasons
    if comment.moderation_reason:
        return [{"rule": "", "verdict": "hold", "detail": comment.moderation_reason}]
    return []


def highlighted(comment: Comment) -> SafeString:
    """The comment's text, escaped, with what the rules saw marked (personal data, terms)."""
    spans = sorted(
        {tuple(span) for reason in reasons_of(comment) for span in reason.get("spans", [])}
    )
    text = comment.body
    pieces, position = [], 0
    for start, end in spans:
        if start < position or end > len(text):
            continue  # overlapping, or the text was edited since
        pieces.append(escape(text[position:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # each piece escaped above


def _named_reasons(reports: dict | None) -> dict | None:
    if not reports:
        return None
    labels = dict(CommentReport.Reason.choices)
    return {
        **reports,
        "reasons": [(labels.get(reason, reason), n) for reason, n in reports["reasons"].items()],
        "notes": [{**note, "label": labels.get(note["reason"])} for note in reports["notes"]],
    }


def reader_url(comment: Comment) -> str:
    """The comment on the reader's page (RLS_ARTICLES["READER_URL"]); "" without one
    (or while the article is not live)."""
    slug = getattr(comment, "article_live_slug", None)
    page = reader_path(slug) if slug else ""
    return f"{page}#_comment-{comment.pk}" if page else ""


# --- decisions


ACTIONS = {
    "approve": (services.STATUS_OF_ACTION["approve"], gettext_lazy("Approved")),
    "spam": (services.STATUS_OF_ACTION["spam"], gettext_lazy("Marked as spam")),
    "remove": (services.STATUS_OF_ACTION["remove"], gettext_lazy("Removed")),
}


class DecisionRefused(Exception):
    """A decision that cannot be taken; the message says why, for the moderator."""


def decide(*, comment: Comment, action: str, actor, body: str = "", token: str = "") -> dict:
    """Take ``action`` on ``comment``: a message and, except for an undo, an Undo token."""
    if action == "undo":
        return _undo(comment=comment, token=token, actor=actor)
    before = services.decision_state(comment)
    who = comment.name
    if action in ACTIONS:
        status, done = ACTIONS[action]
        services.comments_moderate(
            queryset=Comment.objects.filter(pk=comment.pk), status=status, actor=actor
        )
        message = _("%(done)s the comment by %(name)s.") % {"done": done, "name": who}
    elif action == "dismiss":
        if not before["reports"]:
            raise DecisionRefused(_("This comment has no open reports."))
        services.comment_reports_dismiss(comment=comment, actor=actor)
        message = _("Dismissed the reports of the comment by %(name)s.") % {"name": who}
    elif action == "reply":
        try:
            reply = services.comment_reply(parent=comment, body=body, author=actor)
        except services.CommentNotAllowed as refused:
            raise DecisionRefused(str(refused)) from refused
        message = _("Replied to %(name)s; the reply is published.") % {"name": who}
        before["reply"] = reply.pk
    else:
        raise DecisionRefused(_("Unknown action %(action)r.") % {"action": action})
    token = signing.dumps(
        {"comment": comment.pk, "before": before, "after": _moderation_of(comment.pk)},
        salt=UNDO_SALT,
    )
    return {"message": message, "undo": token}


def _moderation_of(pk: int) -> list:
    """Who decided what and when, as an Undo compares it: [status, moderator id, time]."""
    status, by, at = Comment.objects.values_list("status", "moderated_by", "moderated_at").get(
        pk=pk
    )
    return [status, by, at.isoformat() if at else None]


def _undo(*, comment: Comment, token: str, actor) -> dict:
    try:
        data = signing.loads(token, salt=UNDO_SALT, max_age=UNDO_MAX_AGE)
    except signing.SignatureExpired as expired:
        raise DecisionRefused(_("Too late to undo: decide again instead.")) from expired
    except signing.BadSignature as bad:
        raise DecisionRefused(_("This undo link is not valid.")) from bad
    if data.get("comment") != comment.pk:
        raise DecisionRefused(_("This undo link belongs to another comment."))
    before = data["before"]
    reply = before.get("reply")
    if _moderation_of(comment.pk) != data["after"] or (
        reply and not Comment.objects.filter(pk=reply).exists()
    ):
        # Undone already, or decided again since (by anyone): an Undo now
        # would overwrite that later decision.
        raise DecisionRefused(
            _("Not undone: the comment was changed since (it is now “%(status)s”).")
            % {"status": comment.get_status_display()}
        )
    if reply:
        services.comments_delete(queryset=Comment.objects.filter(pk=reply, staff_reply=True))
    services.comment_decision_undo(comment_id=comment.pk, before=before, actor=actor)
    return {"message": _("Undone: the comment by %(name)s is back.") % {"name": comment.name}}


def bulk_moderate(*, queryset: QuerySet[Comment], action: str, actor) -> str:
    """Take ``action`` (approve, spam, remove) on every selected comment; the message."""
    status, _done = ACTIONS[action]
    count = services.comments_moderate(queryset=queryset, status=status, actor=actor)
    return BULK_DONE[action](count) % {"count": count}


BULK_DONE = {
    "approve": lambda n: ngettext("Approved %(count)d comment.", "Approved %(count)d comments.", n),
    "spam": lambda n: ngettext(
        "Marked %(count)d comment as spam.", "Marked %(count)d comments as spam.", n
    ),
    "remove": lambda n: ngettext("Removed %(count)d comment.", "Removed %(count)d comments.", n),
}
