"""Public comment endpoints and the staff moderation API: thin views over services."""

from __future__ import annotations

import ipaddress
import math
import time

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, parsers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.metadata import SimpleMetadata
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from articles import documents
from articles.api.auth import ExpiringTokenAuthentication
from articles.api.base import (
    SLUG_PARAMETER,
    AppDefaultsMixin,
    CheckedCursorPagination,
    JSONParser,
    KnownQueryParamsMixin,
    ServedBytesMixin,
)
from articles.documents import Listing
from articles.models import Article
from comments import moderation, services
from comments.api.schema import (
    COMMENT_FORM_COMPONENTS,
    COMMENT_FORM_OPTIONS,
    COMMENT_ID_PARAMETER,
)
from comments.api.serializers import (
    BulkModeratedSerializer,
    BulkModerationSerializer,
    CommentFormSerializer,
    CommentSerializer,
    CommentSubmittedSerializer,
    HoneypotField,
    ModerationCommentSerializer,
    ReportFormSerializer,
    ReportReceivedSerializer,
)
from comments.conf import comment_settings
from comments.models import Comment, client_key
from comments.selectors import (
    comment_author_history,
    comment_list_public,
    comment_list_scope,
    comment_open_reports,
    comment_queue,
)

MESSAGES = {
    Comment.Status.APPROVED: "Your comment has been published.",
    Comment.Status.PENDING: "Your comment is awaiting moderation.",
}


def client_ip(request: Request) -> str | None:
    """The client's address, for the flood rule and the throttle.

    X-Forwarded-For counts only as far as RLS_COMMENTS["NUM_PROXIES"] trusts
    it (default 0: not at all), so nobody dodges the flood rule with a header.
    With N proxies in front, the client is the N-th address from the right.
    """
    peer = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    proxies = comment_settings.NUM_PROXIES
    candidate = peer
    if proxies and forwarded:
        addresses = forwarded.split(",")
        candidate = addresses[-min(proxies, len(addresses))]
    for address in (candidate, peer):
        try:
            return str(ipaddress.ip_address((address or "").strip()))
        except ValueError:
            continue  # junk in a forwarded header: fall back to the peer's address
    return None


class CommentPostThrottle(SimpleRateThrottle):
    """Comment posts per client address, at RLS_COMMENTS["THROTTLE_RATE"] (None: no limit)."""

    scope = "comments"
    rate_setting = "THROTTLE_RATE"

    def get_rate(self) -> str | None:
        # Read per request, not at import, so a changed setting applies.
        return getattr(comment_settings, self.rate_setting)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def rate_limit_headers(self) -> dict[str, str]:
        """The client's standing after this request (IETF draft RateLimit headers).

        Empty when no limit is set or the throttle has not run.
        """
        history = getattr(self, "history", None)
        if self.rate is None or history is None:
            return {}
        remaining = max(0, self.num_requests - len(history))
        # The window frees a request when the oldest one in it leaves.
        reset = self.duration - (self.now - history[-1]) if history else 0
        return {
            "RateLimit-Limit": str(self.num_requests),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(max(0, math.ceil(reset))),
        }


class RateLimitHeadersMixin:
    """Every answer to a throttled request says where the client stands (RateLimit-*)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for throttle in getattr(self, "_checked_throttles", ()):
            for name, value in throttle.rate_limit_headers().items():
                response[name] = value
        return response

    def check_throttles(self, request) -> None:
        # DRF's check, keeping the throttles so that the answer can report
        # what they counted.
        self._checked_throttles = self.get_throttles()
        waits = [
            throttle.wait()
            for throttle in self._checked_throttles
            if not throttle.allow_request(request, self)
        ]
        if waits:
            self.throttled(request, max((w for w in waits if w is not None), default=None))


class OldestFirstPagination(CheckedCursorPagination):
    ordering = ("submitted_at", "id")

    def get_page_size(self, request) -> int:
        # Read at request time, so RLS_COMMENTS overrides apply.
        self.page_size = comment_settings.PAGE_SIZE
        self.max_page_size = comment_settings.MAX_PAGE_SIZE
        return super().get_page_size(request)

    def schema_max_page_size(self) -> int:
        return comment_settings.MAX_PAGE_SIZE


class CommentFormMetadata(SimpleMetadata):
    """DRF's OPTIONS description, marking the honeypot so frontends can hide it, and
    saying how deep replies may nest, so they offer no Reply where one would be refused."""

    def determine_metadata(self, request, view) -> dict:
        metadata = super().determine_metadata(request, view)
        metadata["description"] = FORM_DESCRIPTION
        return metadata

    def get_field_info(self, field) -> dict:
        info = super().get_field_info(field)
        if isinstance(field, HoneypotField):
            info["honeypot"] = True
        if field.field_name == "parent":
            info["max_depth"] = comment_settings.MAX_DEPTH
        return info


FORM_DESCRIPTION = (
    "The comment form: render a field per entry of actions.POST, with its label, help text "
    "and limits. Hide the field marked honeypot from people and from assistive technology "
    "(a comment with it filled in is treated as spam); offer no Reply under a comment whose "
    "depth has reached the parent field's max_depth."
)


@extend_schema_view(
    get=extend_schema(
        tags=["comments"],
        operation_id="article_comments_list",
        summary="List an article's comments",
        description=(
            "The approved comments of a published article, oldest first: replies carry their "
            "`parent`'s id and a `depth`. 404 for an unknown, draft or scheduled article. "
            "Revalidate with If-None-Match (304)."
        ),
        parameters=[SLUG_PARAMETER],
    ),
    post=extend_schema(
        tags=["comments"],
        operation_id="article_comment_create",
        summary="Send a comment",
        description=(
            "Name, email and comment are required; the email is never shown or sent back. "
            "The comment is published at once (`approved`) or waits for a moderator "
            "(`pending`). 403 when comments are closed; 409 for the same comment twice; 429 "
            "when this client sends too fast (Retry-After). When the comment speaks of "
            "self-harm or suicide, every answer carries `support`: show it first."
        ),
        parameters=[SLUG_PARAMETER],
        request=CommentFormSerializer,
        responses={201: CommentSubmittedSerializer},
    ),
)
class ArticleCommentsView(
    RateLimitHeadersMixin,
    AppDefaultsMixin,
    ServedBytesMixin,
    KnownQueryParamsMixin,
    generics.ListCreateAPIView,
):
    """Approved comments of a public article (GET), and the comment form (POST).

    Pages are kept as built bytes (``ServedBytesMixin``) until a change to the
    article or its comments goes through ``articles.services``.
    """

    known_query_params = frozenset({"cursor", "page_size"})
    # Comments are anonymous (``AppDefaultsMixin``): no session, hence no CSRF
    # failure for a reader who happens to be logged in to the admin.
    metadata_class = CommentFormMetadata
    pagination_class = OldestFirstPagination

    @cached_property
    def article(self) -> Article:
        return get_object_or_404(Article.objects.public(), live__slug=self.kwargs["slug"])

    def served(self, request, *, slug: str):
        # None (not kept, or the article not public yet): DRF's path builds
        # the page, or answers 404.
        listing = Listing(comment_list_scope(slug))
        return listing.cached_page(request.META.get("QUERY_STRING", ""), time.time())

    def list(self, request, *args, **kwargs):
        # The article is read first, its comments after the generation.
        article = self.article
        listing = Listing(comment_list_scope(self.kwargs["slug"]))
        # Every change to its comments marks the article changed: changed_at dates them.
        public_from = article.published_at.timestamp()
        state = listing.generation(
            time.time(),
            lambda: (public_from, None, max(public_from, article.changed_at.timestamp())),
        )
        page = self.paginate_queryset(self.get_queryset())
        results = documents.render_json(self.get_serializer(page, many=True).data)
        served = listing.keep(
            state, request.META.get("QUERY_STRING", ""), self.paginator.page_bytes(results)
        )
        return self.served_or_data(request, served)

    def get_throttles(self):
        # Reading is free; only posting is throttled (a second line behind the flood rule).
        return [CommentPostThrottle()] if self.request.method == "POST" else []

    def finalize_response(self, request, response, *args, **kwargs):
        # A reader whose comment speaks of crisis is shown support in every
        # answer, a refusal (400, 403, 409, 429) as much as a 201.
        if request.method == "POST" and isinstance(response.data, dict):
            body = _posted_body(request)
            if body and moderation.speaks_of_crisis(body):
                response.data["support"] = comment_settings.SUPPORT_MESSAGE
        return super().finalize_response(request, response, *args, **kwargs)

    def get_serializer_class(self):
        return CommentFormSerializer if self.request.method == "POST" else CommentSerializer

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if self.request.method == "POST":
            context["article"] = self.article
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no article
            return Comment.objects.none()
        return comment_list_public(article=self.article)

    @classmethod
    def options_operation(cls) -> tuple[dict, dict]:
        """The OPTIONS operation of the OpenAPI document: the form's description."""
        return COMMENT_FORM_OPTIONS, COMMENT_FORM_COMPONENTS

    def post(self, request: Request, *args, **kwargs) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        submission = form.submission(
            ip_address=client_ip(request), user_agent=request.headers.get("user-agent", "")[:500]
        )
        try:
            comment = services.comment_submit(submission=submission)
        except services.CommentRejected as rejected:
            vote = rejected.vote
            headers = {"Retry-After": str(vote.retry_after)} if vote.retry_after else {}
            return Response(
                {"detail": vote.reason, "code": vote.code},
                status=vote.status_code,
                headers=headers,
            )
        # Spam is answered exactly like a held comment: a bot learns nothing.
        approved = comment.status == Comment.Status.APPROVED
        shown = Comment.Status.APPROVED if approved else Comment.Status.PENDING
        body = {"id": comment.pk, "status": shown.value, "message": MESSAGES[shown]}
        return Response(body, status=status.HTTP_201_CREATED)


def _posted_body(request: Request) -> str:
    try:
        body = request.data.get("body") if hasattr(request.data, "get") else None
    except Exception:  # a body DRF could not parse: its 400 says so
        return ""
    return body if isinstance(body, str) else ""


class ReportThrottle(CommentPostThrottle):
    """Reports per client address, at RLS_COMMENTS["REPORT_THROTTLE_RATE"]."""

    scope = "comment_reports"
    rate_setting = "REPORT_THROTTLE_RATE"


class CommentReportView(
    RateLimitHeadersMixin, AppDefaultsMixin, KnownQueryParamsMixin, generics.GenericAPIView
):
    """Report a published comment to the moderators: once per client and comment."""

    serializer_class = ReportFormSerializer
    throttle_classes = [ReportThrottle]

    @extend_schema(
        tags=["comments"],
        operation_id="comment_report_create",
        summary="Report a comment",
        responses={201: ReportReceivedSerializer},
        parameters=[COMMENT_ID_PARAMETER],
        description=(
            "Report a published comment to the moderators. One report per client (its "
            "address) and comment: a second answers 409 with code `already_reported`. When "
            "enough different clients report a comment (RLS_COMMENTS['REPORTS_TO_REVIEW']), "
            "moderators see it in their Reported tab."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        comment = get_object_or_404(Comment.objects.public(), pk=pk)
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.comment_report(
                comment=comment,
                reason=form.validated_data["reason"],
                note=form.validated_data["note"],
                client=client_key(client_ip(request)),
            )
        except services.AlreadyReported:
            return Response(
                {
                    "detail": _("You have reported this comment already."),
                    "code": "already_reported",
                },
                status=status.HTTP_409_CONFLICT,
            )
        body = {"status": "received", "message": _("Thank you. A moderator will review it.")}
        return Response(body, status=status.HTTP_201_CREATED)


class CanModerate(BasePermission):
    message = "Moderating comments needs staff status and the moderate_comment permission."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_staff and user.has_perm("comments.moderate_comment"))


class ModerationMixin(AppDefaultsMixin):
    # Token first: an anonymous call then gets 401 with WWW-Authenticate.
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, CanModerate]


def moderation_context(comments) -> dict:
    """The reports and author histories of a page of comments, for the moderation serializer."""
    comments = list(comments)
    return {
        "reports": comment_open_reports(comment_ids=[c.pk for c in comments]),
        "author_history": comment_author_history(emails=[c.email for c in comments]),
    }


def _choice(params, name: str, choices: list[str], default: str | None) -> str | None:
    value = params.get(name, default)
    if value is not None and value not in choices:
        raise ValidationError({name: [_("Choose one of: %s.") % ", ".join(choices)]})
    return value


@extend_schema_view(
    get=extend_schema(
        tags=["moderation"],
        operation_id="moderation_comments_list",
        summary="List comments to moderate",
        description=(
            "The moderation queue (pending comments) or any status, oldest first, with the "
            "private fields moderators need: email, IP address, user agent, every rule's vote, "
            "reports and the email's history. Ask `priority=urgent` first: comments that speak "
            "of self-harm or suicide must not wait behind the rest."
        ),
        parameters=[
            OpenApiParameter(
                "status",
                enum=Comment.Status.values,
                description=(
                    "Which comments; default pending (the queue), or approved when "
                    "`reported` is given."
                ),
            ),
            OpenApiParameter(
                "priority",
                enum=Comment.Priority.values,
                description="Only urgent (crisis language) or only normal comments.",
            ),
            OpenApiParameter(
                "reported",
                bool,
                description=(
                    "true: only comments whose open reports reach REPORTS_TO_REVIEW "
                    "(the Reported tab); false: only those below it."
                ),
            ),
        ],
    )
)
class ModerationCommentList(ModerationMixin, KnownQueryParamsMixin, generics.ListAPIView):
    """The moderation queue (or any status), oldest first, with private fields."""

    known_query_params = frozenset({"cursor", "page_size", "status", "priority", "reported"})
    serializer_class = ModerationCommentSerializer
    pagination_class = OldestFirstPagination

    def get_queryset(self):
        params = self.request.query_params
        reported = _choice(params, "reported", ["true", "false"], None)
        # Only published comments are reported: that is where ?reported looks.
        default = Comment.Status.PENDING if reported is None else Comment.Status.APPROVED
        return comment_queue(
            status=_choice(params, "status", Comment.Status.values, default),
            priority=_choice(params, "priority", Comment.Priority.values, None),
            reported=None if reported is None else reported == "true",
        )

    def get_serializer(self, *args, **kwargs):
        if args:  # a page to show: its reports and histories, a query each
            kwargs["context"] = {**self.get_serializer_context(), **moderation_context(args[0])}
        return super().get_serializer(*args, **kwargs)


class ModerationActionSchema(AutoSchema):
    """Each action its own operation id: ``moderation_comment_approve`` and so on."""

    def get_operation_id(self) -> str:
        return f"moderation_comment_{self.view.action}"

    def get_summary(self) -> str:
        return ACTION_SUMMARIES[self.view.action]

    def get_description(self) -> str:
        return (
            "Decide one comment; the answer is the comment as moderators see it. The same "
            "decision as the admin's, through the same rules (reports dismissed on approval)."
        )


ACTION_SUMMARIES = {
    "approve": "Approve a comment",
    "spam": "Mark a comment as spam",
    "remove": "Remove a comment",
}


class ModerationAction(ModerationMixin, KnownQueryParamsMixin, APIView):
    """Approve, mark as spam or remove one comment."""

    # No body is needed; an empty form (a browser's button, a test client's
    # POST) is no body either. Any other kind of body is refused (415).
    parser_classes = [JSONParser, parsers.FormParser, parsers.MultiPartParser]

    action: str = ""

    schema = ModerationActionSchema()

    @extend_schema(
        tags=["moderation"],
        request=None,
        responses={200: ModerationCommentSerializer},
        parameters=[COMMENT_ID_PARAMETER],
    )
    def post(self, request: Request, pk: int) -> Response:
        # The body is read (and refused: 415, 400) before anything changes.
        if request.data:
            raise ValidationError(
                {"non_field_errors": [_("This action takes no body.")]}, code="unexpected_body"
            )
        comment = get_object_or_404(Comment, pk=pk)
        services.comments_moderate(
            queryset=Comment.objects.filter(pk=comment.pk),
            status=services.STATUS_OF_ACTION[self.action],
            actor=request.user,
        )
        comment.refresh_from_db()
        context = moderation_context([comment])
        return Response(ModerationCommentSerializer(comment, context=context).data)


class ModerationBulk(ModerationMixin, KnownQueryParamsMixin, APIView):
    """Apply one action to many comments: ``{"ids": [...], "action": "approve"}``."""

    @extend_schema(
        tags=["moderation"],
        operation_id="moderation_comments_bulk",
        summary="Moderate many comments",
        description="One action for up to 500 comments; an unknown id refuses the whole "
        "request (400) and changes nothing.",
        request=BulkModerationSerializer,
        responses={200: BulkModeratedSerializer},
    )
    def post(self, request: Request) -> Response:
        form = BulkModerationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ids = set(form.validated_data["ids"])
        found = set(Comment.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing := sorted(ids - found):
            raise ValidationError({"ids": [_("No comment with id %s.") % n for n in missing]})
        updated = services.comments_moderate(
            queryset=Comment.objects.filter(pk__in=ids),
            status=services.STATUS_OF_ACTION[form.validated_data["action"]],
            actor=request.user,
        )
        return Response({"updated": updated, "action": form.validated_data["action"]})
