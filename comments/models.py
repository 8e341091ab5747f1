"""Reader comments and the terms that moderate them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from articles.models import Article, with_derived_fields
from comments.conf import comment_settings
from comments.rendering import render_comment


def normalize_email(email: str) -> str:
    """Emails are stored and compared in lower case, without surrounding space."""
    return email.strip().lower()


def client_key(address: str | None) -> str:
    """A client's address as kept for longer than the address: a keyed hash, never the address.

    HMAC-SHA256 under a key derived from SECRET_KEY: the same address gives the
    same key (the flood rule, one report per client, the workspace's search by
    address), and no key gives the address back without the secret.
    """
    return salted_hmac("rls_cms.comments.client", address or "", algorithm="sha256").hexdigest()


def shown_q() -> Q:
    """The comments anyone may read, by their own fields: approved, and not hidden by reports."""
    shown = Q(status=Comment.Status.APPROVED)
    if comment_settings.HIDE_REPORTED:
        shown &= Q(report_count__lt=comment_settings.REPORTS_TO_REVIEW)
    return shown


class CommentQuerySet(models.QuerySet):
    def public(self) -> CommentQuerySet:
        """Approved comments of public articles: what anyone may read."""
        return self.filter(shown_q(), article__in=Article.objects.public())

    def pending(self) -> CommentQuerySet:
        """The moderation queue, oldest first."""
        return self.filter(status=Comment.Status.PENDING).order_by("submitted_at", "id")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        REMOVED = "removed", _("Removed")

    class Priority(models.TextChoices):
        # Sorted by value, descending: "urgent" > "normal".
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("article")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    depth = models.PositiveSmallIntegerField(
        _("depth"), default=1, editable=False, help_text=_("1 for a comment, 2 for a reply, ...")
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(
        _("email"), max_length=254, help_text=_("Never shown publicly. Stored in lower case.")
    )
    website = models.URLField(_("website"), max_length=200, blank=True)
    body = models.TextField(_("comment"), max_length=5000)
    body_html = models.TextField(_("comment (HTML)"), editable=False, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # Erased after RLS_COMMENTS["PERSONAL_DATA_DAYS"] by the housekeeping;
    # client_key (comments.models.client_key) stays for the rules.
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    client_key = models.CharField(
        _("client key"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A keyed hash of the IP address, kept after the address is erased."),
    )
    moderation_reason = models.CharField(
        _("moderation reason"),
        max_length=200,
        blank=True,
        help_text=_("Why the rules held the comment or marked it as spam."),
    )
    reasons = models.JSONField(
        _("reasons"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Every rule that voted: [{rule, verdict, detail, spans?}]."),
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=Priority.choices,
        default=Priority.NORMAL,
        help_text=_("Urgent: crisis language. Held and shown to moderators first."),
    )
    staff_reply = models.BooleanField(
        _("staff reply"),
        default=False,
        editable=False,
        help_text=_("Written by a moderator in the moderation queue, and shown as staff."),
    )
    # Distinct clients whose reports are not dismissed yet: the Reported tab
    # filters on it, which a count of report rows could not do fast.
    report_count = models.PositiveIntegerField(_("open reports"), default=0, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    # Set once the moderators have been told of this pending comment; the
    # notification task sends for every pending comment where it is empty.
    moderators_notified_at = models.DateTimeField(
        _("moderators notified at"), null=True, blank=True, editable=False
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can moderate comments"))]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="comment_queue_idx"),
            models.Index(
                fields=["status", "-priority", "submitted_at", "id"], name="comment_triage_idx"
            ),
            models.Index(fields=["status", "report_count"], name="comment_reported_idx"),
            models.Index(
                fields=["article", "status", "submitted_at"], name="comment_article_public_idx"
            ),
            # The author's history counts by status: the index alone answers it.
            models.Index(fields=["email", "status"], name="comment_author_idx"),
            models.Index(fields=["client_key", "submitted_at"], name="comment_client_idx"),
            # The comments whose address the housekeeping has still to erase:
            # the daily run reads these, not every comment ever stored.
            models.Index(
                fields=["submitted_at"],
                condition=Q(ip_address__isnull=False) | ~Q(user_agent=""),
                name="comment_personal_data_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(depth__gte=1), name="comment_depth_positive"),
        ]

    def __str__(self) -> str:
        # Kept in the admin's log too: erasing a commenter's personal data
        # rewrites those entries (services.commenter_data_erase).
        return _("Comment by %(name)s on “%(article)s”") % {
            "name": self.name,
            "article": self.article.title,
        }

    def save(self, *args, **kwargs) -> None:
        self.email = normalize_email(self.email)
        self.body_html = render_comment(self.body)
        self.depth = self.parent.depth + 1 if self.parent_id else 1
        if self.ip_address and not self.client_key:
            self.client_key = client_key(self.ip_address)
        super().save(
            *args, **with_derived_fields(kwargs, "email", "body_html", "depth", "client_key")
        )


class DisallowedTerm(models.Model):
    """A word, phrase, address or IP that sends a comment to spam or to the queue."""

    class Field(models.TextChoices):
        ANYWHERE = "anywhere", _("Anywhere")
        NAME = "name", _("Name")
        EMAIL = "email", _("Email")
        WEBSITE = "website", _("Website")
        BODY = "body", _("Comment")
        IP_ADDRESS = "ip_address", _("IP address")

    class Action(models.TextChoices):
        SPAM = "spam", _("Mark as spam")
        HOLD = "hold", _("Hold for moderation")
        CRISIS = "crisis", _("Crisis language: hold as urgent and show support")

    term = models.CharField(
        _("term"),
        max_length=200,
        help_text=_("Matched case-insensitively as part of the text, like WordPress."),
    )
    applies_to = models.CharField(
        _("applies to"), max_length=12, choices=Field.choices, default=Field.ANYWHERE
    )
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, default=Action.SPAM
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("disallowed term")
        verbose_name_plural = _("disallowed terms")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "applies_to"],
                name="disallowed_term_unique",
                violation_error_code="duplicate_term",
                violation_error_message=_("This term is already listed for this field."),
            ),
            models.CheckConstraint(condition=~Q(term=""), name="disallowed_term_not_empty"),
        ]

    def __str__(self) -> str:
        return self.term


class TermListVersion(models.Model):
    """The version of a term list, bumped in the transaction that changes the list.

    Each process keeps its term matcher (``comments.matching``) until this
    changes; reading it is one row by its key per comment.
    """

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    # Random, not counted: a rolled-back change (or a restored backup) must
    # never bring back a version some process has built from other terms.
    version = models.CharField(_("version"), max_length=32, default="")

    class Meta:
        verbose_name = _("term list version")
        verbose_name_plural = _("term list versions")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class CommentReport(models.Model):
    """A reader's report of a published comment: one per client and comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abuse or harassment")
        MISINFORMATION = "misinformation", _("Health misinformation")
        PERSONAL_DATA = "personal_data", _("Personal data")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("note"), max_length=500, blank=True)
    # A keyed hash of the client's address (comments.models.client_key): one
    # report per client without keeping the address.
    client_key = models.CharField(_("client key"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "client_key"],
                name="comment_report_once_per_client",
                violation_error_code="already_reported",
                violation_error_message=_("You have reported this comment already."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(reason)s report") % {"reason": self.get_reason_display()}


class PendingComment(Comment):
    """The moderation queue, as its own entry in the admin: the moderation workspace."""

    class Meta:
        proxy = True
        verbose_name = _("pending comment")
        verbose_name_plural = _("moderation queue")
