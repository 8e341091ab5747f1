"""The comment form (input), the public comment, and the moderators' view.

Email, IP address and user agent appear only in the input serializer and in
``ModerationCommentSerializer``; nothing public ever reads them.
"""

from __future__ import annotations

import re

from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.api.base import (
    URI_REFERENCE,
    IsoDateTimeField,
    KnownFieldsMixin,
    ReadModelSerializer,
    public_url,
)
from comments.conf import comment_settings
from comments.models import Comment, CommentReport, normalize_email, shown_q
from comments.moderation import Submission, comments_close_at, comments_open
from comments.services import STATUS_OF_ACTION

EMAIL_HELP = _("Your email address will not be published.")


# C0 and C1 control characters: no reader types them. Tab, line feed and
# carriage return are text in a comment's body, never in a name.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
BODY_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Direction overrides, embeddings and isolates: in a name they make it show
# as another ("Ana\u202enimda" reads "Anaadmin").
DIRECTION_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def refuse(pattern: re.Pattern, message: str, code: str):
    def validator(value: str) -> None:
        if pattern.search(value):
            raise serializers.ValidationError(message, code=code)

    return validator


no_control_characters = refuse(
    CONTROL_CHARACTERS, _("Remove the control characters."), "control_characters"
)
no_body_control_characters = refuse(
    BODY_CONTROL_CHARACTERS, _("Remove the control characters."), "control_characters"
)
no_direction_controls = refuse(
    DIRECTION_CONTROLS,
    _("Remove the text direction control characters."),
    "direction_controls",
)


class HoneypotField(serializers.CharField):
    """Takes any value: an error here would show a bot which field is the trap."""

    def to_internal_value(self, data) -> str:
        return str(data)[:200]


class CommentFormSerializer(KnownFieldsMixin, serializers.Serializer):
    """What a reader sends. Every field is trimmed; white space alone counts as missing."""

    name = serializers.CharField(
        label=_("Name"),
        max_length=100,
        validators=[no_control_characters, no_direction_controls],
    )
    email = serializers.EmailField(label=_("Email"), max_length=254, help_text=EMAIL_HELP)
    website = serializers.URLField(
        label=_("Website"),
        max_length=200,
        required=False,
        allow_blank=True,
        validators=[
            URLValidator(schemes=["http", "https"]),
            no_control_characters,
            no_direction_controls,
        ],
    )
    body = serializers.CharField(
        label=_("Comment"), max_length=5000, validators=[no_body_control_characters]
    )
    parent = serializers.IntegerField(
        label=_("In reply to"),
        required=False,
        allow_null=True,
        help_text=_("The id of an approved comment of the same article."),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # The honeypot: frontends render it hidden from people and assistive
        # technology; bots fill it in, and their comment goes to spam.
        fields[comment_settings.HONEYPOT_FIELD] = HoneypotField(
            # A plain label: a bot reading this description should see an
            # ordinary field. OPTIONS marks it with "honeypot": true instead.
            label=_("Homepage"),
            required=False,
            allow_blank=True,
            allow_null=True,
            trim_whitespace=False,
        )
        return fields

    def submission(self, *, ip_address: str | None, user_agent: str) -> Submission:
        """The validated form, with where it came from, for the moderation rules."""
        data = self.validated_data
        return Submission(
            article=self.context["article"],
            name=data["name"],
            email=data["email"],
            website=data.get("website", ""),
            body=data["body"],
            parent=data.get("parent"),
            ip_address=ip_address,
            user_agent=user_agent,
            honeypot=data.get(comment_settings.HONEYPOT_FIELD) or "",
        )

    def validate_email(self, value: str) -> str:
        return normalize_email(value)

    def validate_parent(self, value: int | None) -> Comment | None:
        if value is None:
            return None
        article = self.context["article"]
        # Shown comments only: not one hidden by reports (HIDE_REPORTED).
        parent = Comment.objects.filter(shown_q(), pk=value, article=article).first()
        if parent is None:
            raise serializers.ValidationError(
                _("Reply to an approved comment of this article."), code="invalid_parent"
            )
        if parent.depth >= comment_settings.MAX_DEPTH:
            raise serializers.ValidationError(
                _("Replies cannot nest deeper than %(depth)d levels.")
                % {"depth": comment_settings.MAX_DEPTH},
                code="too_deep",
            )
        return parent


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]}
)
class WebsiteField(serializers.URLField):
    """A commenter's website as shown: an address, or empty."""


class CommentSubmittedSerializer(serializers.Serializer):
    """The answer to a comment sent: show ``message``. A pending comment appears in the list
    once a moderator approves it; the email address is never sent back."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "approved"])
    message = serializers.CharField()
    support = serializers.CharField(
        required=False,
        help_text=_(
            "Present when the comment speaks of self-harm or suicide, in this answer and in "
            "any error answer to it: where to find help (RLS_COMMENTS['SUPPORT_MESSAGE']). "
            "Show it at once, above everything else."
        ),
    )


class CommentSerializer(ReadModelSerializer):
    """A comment as anyone may see it."""

    website = WebsiteField(read_only=True)
    staff = serializers.BooleanField(
        source="staff_reply",
        read_only=True,
        help_text=_("Written by the site's staff (a moderator's reply)."),
    )

    class Meta:
        model = Comment
        fields = ["id", "parent", "depth", "name", "website", "body_html", "submitted_at", "staff"]


class ReportFormSerializer(KnownFieldsMixin, serializers.Serializer):
    """What a reader sends to report a comment."""

    reason = serializers.ChoiceField(label=_("Reason"), choices=CommentReport.Reason.choices)
    note = serializers.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        validators=[no_body_control_characters],
        help_text=_("Anything the moderators should know (optional)."),
    )


class ReportReceivedSerializer(serializers.Serializer):
    """The answer to a report: show ``message``."""

    status = serializers.ChoiceField(choices=["received"])
    message = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    """One moderation rule's vote on a comment, and why."""

    rule = serializers.CharField(help_text=_('The rule that voted; "default" when none did.'))
    verdict = serializers.ChoiceField(choices=["approve", "hold", "spam"])
    detail = serializers.CharField()
    spans = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        required=False,
        help_text=_("Where in the body the rule saw it: [start, end) character offsets."),
    )


class ReportNoteSerializer(serializers.Serializer):
    """One reader's report: its reason, note and time (never who sent it)."""

    reason = serializers.ChoiceField(choices=CommentReport.Reason.choices)
    note = serializers.CharField()
    created_at = IsoDateTimeField()


class ReportsSerializer(serializers.Serializer):
    """The open reports of a comment: how many, by reason, and their notes."""

    count = serializers.IntegerField(help_text=_("Open (not dismissed) reports."))
    reasons = serializers.DictField(child=serializers.IntegerField())
    notes = ReportNoteSerializer(many=True)


class AuthorHistorySerializer(serializers.Serializer):
    """How many comments from the same email address are in each status."""

    approved = serializers.IntegerField()
    pending = serializers.IntegerField()
    spam = serializers.IntegerField()
    removed = serializers.IntegerField()


NO_REPORTS = {"count": 0, "reasons": {}, "notes": []}
NO_HISTORY = dict.fromkeys(Comment.Status.values, 0)


class ModerationCommentSerializer(ReadModelSerializer):
    """A comment as moderators see it, private fields included."""

    # ``reports`` and ``author_history`` come from the view's context
    # (comment_open_reports, comment_author_history: a query each per page).

    article = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    moderated_by = serializers.StringRelatedField(allow_null=True)
    website = WebsiteField(read_only=True)
    staff = serializers.BooleanField(source="staff_reply", read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)
    reports = serializers.SerializerMethodField()
    author_history = serializers.SerializerMethodField(
        help_text=_("How many comments with this email are in each status.")
    )

    @extend_schema_field(ReportsSerializer)
    def get_reports(self, comment) -> dict:
        reports = self.context.get("reports", {}).get(comment.pk, NO_REPORTS)
        return ReportsSerializer(reports).data

    @extend_schema_field(AuthorHistorySerializer)
    def get_author_history(self, comment) -> dict:
        return self.context.get("author_history", {}).get(comment.email, NO_HISTORY)

    class Meta:
        model = Comment
        fields = [
            "id",
            "article",
            "parent",
            "name",
            "email",
            "website",
            "body",
            "body_html",
            "status",
            "priority",
            "submitted_at",
            "ip_address",
            "user_agent",
            "moderation_reason",
            "reasons",
            "reports",
            "author_history",
            "staff",
            "moderated_by",
            "moderated_at",
        ]
        read_only_fields = fields


class CommentFormSchema(OpenApiSerializerExtension):
    """The form in the OpenAPI document without its honeypot.

    A form generator or a browser's autofill would fill a documented field,
    and the comment would go to spam. OPTIONS still names it, marked.
    """

    target_class = "comments.api.serializers.CommentFormSerializer"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        honeypot = comment_settings.HONEYPOT_FIELD
        schema["properties"].pop(honeypot, None)
        if honeypot in schema.get("required", []):
            schema["required"].remove(honeypot)
        return schema


class BulkModeratedSerializer(serializers.Serializer):
    """The answer to a bulk decision: how many comments changed."""

    updated = serializers.IntegerField(help_text=_("Comments whose status changed."))
    action = serializers.ChoiceField(choices=list(STATUS_OF_ACTION))


class BulkModerationSerializer(KnownFieldsMixin, serializers.Serializer):
    """One decision for many comments: every id must exist, or nothing changes."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=500,
    )
    action = serializers.ChoiceField(choices=list(STATUS_OF_ACTION))


class ArticleCommentsSerializer(serializers.Serializer):
    """The ``comments`` object of an article: how many, whether open and until when, where."""

    count = serializers.IntegerField(source="comment_count")
    open = serializers.SerializerMethodField()
    closes_at = serializers.SerializerMethodField(
        help_text=_("When comments close by age; null: they do not close by age.")
    )
    url = serializers.SerializerMethodField()

    def get_open(self, article) -> bool:
        # Stored documents stay true: the comments extension makes the
        # article's document expire at ``closes_at``.
        return comments_open(article)

    @extend_schema_field(IsoDateTimeField(allow_null=True))
    def get_closes_at(self, article) -> str | None:
        closes_at = comments_close_at(article) if article.comments_enabled else None
        return IsoDateTimeField().to_representation(closes_at) if closes_at else None

    @extend_schema_field(URI_REFERENCE)
    def get_url(self, article) -> str:
        return public_url(reverse("comments-api:article-comments", kwargs={"slug": article.slug}))
