"""The article admin's publishing: a live article's draft, its changes page, publish and discard.

Saving a published article changes its draft only (``services.article_content_saved``):
readers keep its live version until an editor with the publish permission
publishes the changes from the changes page, which shows the draft against
the live version, or discards them. The change page says which state it shows.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from articles import review, scheduling, services
from articles.conf import article_settings
from articles.models import Article, ScheduledChanges
from articles.revisions import current_text, diff_table, live_text

PUBLISH_PERMISSION = "articles.publish_article"


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish the changes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("In the site's time zone."),
    )


class SignOffForm(forms.Form):
    # The digest of the text on the page (the page always sends it).
    seen = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you checked, for the record (optional)."),
    )


class ArticlePublishingMixin:
    """Publishing views and the save's outcome for ``ArticleAdmin``."""

    changes_template = "admin/articles/article/changes.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/changes/",
                view(self.changes_view),
                name="articles_article_changes",
            ),
            path(
                "<path:object_id>/changes/publish/",
                view(self.publish_changes_view),
                name="articles_article_publish_changes",
            ),
            path(
                "<path:object_id>/sign-off/",
                view(self.sign_off_view),
                name="articles_article_sign_off",
            ),
            path(
                "<path:object_id>/changes/schedule/",
                view(self.schedule_changes_view),
                name="articles_article_schedule_changes",
            ),
            path(
                "<path:object_id>/changes/discard/",
                view(self.discard_changes_view),
                name="articles_article_discard_changes",
            ),
            *super().get_urls(),
        ]

    def has_publish_permission(self, request: HttpRequest, article: Article | None = None) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request, obj):
            # An author writes; whether and when it is public is an editor's call.
            fields += ["status", "published_at"]
        if article_settings.REQUIRE_SIGNOFF:
            fields += list(review.REVIEW_FIELDS)  # a sign-off writes them
        return fields

    def save_model(self, request, obj: Article, form, change) -> None:
        form.was_live = change and services.live_state(obj.pk)
        super().save_model(request, obj, form, change)

    def article_saved(self, request, form, formsets) -> None:
        """Decide what the save makes public (after the inlines are saved)."""
        publication = set(services.PUBLICATION_FIELDS)
        request.article_saved = services.article_content_saved(
            article=form.instance,
            was_live=getattr(form, "was_live", False),
            publish=False,
            publication_changed=bool(set(form.changed_data) & publication),
            user=request.user,
            # A save that changes no text leaves its saver free to sign it off.
            text_changed=bool(set(form.changed_data) - publication)
            or any(formset.has_changed() for formset in formsets),
        )

    def response_add(self, request, obj, post_url_continue=None):
        self.message_saved(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self.message_saved(request)
        return super().response_change(request, obj)

    def message_saved(self, request) -> None:
        saved = getattr(request, "article_saved", None)
        if saved is None:
            return
        if saved.refused:
            self.message_user(
                request,
                _("Saved, but not published: %(reason)s") % {"reason": saved.refused},
                messages.ERROR,
            )
        if saved.has_unpublished_changes:
            self.message_user(
                request,
                _(
                    "Your changes are saved as a draft: readers still see the published "
                    "version until the changes are published."
                ),
                messages.WARNING,
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["publication_state"] = publication_state(obj)
            context["changes_url"] = reverse(
                f"{self.admin_site.name}:articles_article_changes", args=(obj.pk,)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @method_decorator(require_safe)
    def changes_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The draft of a live article against its live version, with publish and discard."""
        article = self.article_or_404(request, object_id, self.has_view_or_change_permission)
        live = live_text(article.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Unpublished changes to %s") % article,
            "opts": self.model._meta,
            "original": article,
            "is_live": live is not None,
            "has_changes": article.has_unpublished_changes,
            "can_publish": self.has_publish_permission(request, article),
            "can_discard": self.has_restore_permission(request, article),
            "standing": review.signoff_standing(article_id=article.pk),
            "require_signoff": article_settings.REQUIRE_SIGNOFF,
            "scheduled": ScheduledChanges.objects.filter(article=article)
            .select_related("scheduled_by")
            .first(),
            "schedule_form": ScheduleForm(),
            "diff_table": diff_table(
                live or [], current_text(article.pk), _("Published"), _("Draft")
            )
            if live is not None
            else "",
        }
        return TemplateResponse(request, self.changes_template, context)

    @method_decorator(require_POST)
    def publish_changes_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self.article_or_404(request, object_id, self.has_publish_permission)
        return self.changes_action(
            request,
            article,
            services.article_publish_changes,
            done=_("Published the changes: readers see them now."),
            refused=_("The changes were not published: %(reason)s"),
        )

    @method_decorator(require_POST)
    def discard_changes_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self.article_or_404(request, object_id, self.has_restore_permission)
        return self.changes_action(
            request,
            article,
            services.article_discard_changes,
            done=_("Discarded the changes: the draft is the published version again."),
            refused=_("The changes were not discarded: %(reason)s"),
        )

    @method_decorator(require_POST)
    def schedule_changes_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Schedule the changes for a time (or, with ``cancel``, no longer)."""
        article = self.article_or_404(request, object_id, self.has_publish_permission)
        if "cancel" in request.POST:
            if scheduling.article_unschedule_changes(article_id=article.pk, user=request.user):
                message = _("The changes are no longer scheduled.")
                self.log_change(request, article, message)
                self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(self.changes_url(article))
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("publish_at", []):
                self.message_user(request, error, messages.ERROR)
            return HttpResponseRedirect(self.changes_url(article))
        try:
            scheduled = scheduling.article_schedule_changes(
                article_id=article.pk, user=request.user, publish_at=form.cleaned_data["publish_at"]
            )
        except services.PublishRefused as error:
            message = _("The changes were not scheduled: %(reason)s") % {"reason": error}
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(self.changes_url(article))
        when = date_format(timezone.localtime(scheduled.publish_at), "DATETIME_FORMAT")
        message = _("The changes will be published at %(when)s.") % {"when": when}
        self.log_change(request, article, message)
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(article))

    def changes_action(
        self, request: HttpRequest, article: Article, service, *, done: str, refused: str
    ) -> HttpResponse:
        """Run a publishing service on the article's draft; back to the page that says how."""
        try:
            service(article_id=article.pk, user=request.user)
        except services.PublishRefused as error:
            self.message_user(request, refused % {"reason": error}, messages.ERROR)
            return HttpResponseRedirect(self.changes_url(article))
        self.log_change(request, article, done)
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self.change_url(article))

    @method_decorator(require_http_methods(["GET", "HEAD", "POST"]))
    def sign_off_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The text to sign off (against the live version, if any), its sign-offs, and the form."""
        article = self.article_or_404(request, object_id, self.has_view_or_change_permission)
        form = SignOffForm(request.POST or None)
        if request.method == "POST":
            if not request.user.has_perm(review.SIGN_OFF_PERMISSION):
                raise PermissionDenied
            if form.is_valid():
                try:
                    sign_off = review.article_sign_off(
                        article_id=article.pk,
                        user=request.user,
                        note=form.cleaned_data["note"],
                        seen=form.cleaned_data["seen"] or None,
                    )
                except review.SignOffRefused as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    message = _("Signed off by %(reviewer)s.") % {
                        "reviewer": sign_off.reviewer_name
                    }
                    self.log_change(request, article, message)
                    self.message_user(request, message, messages.SUCCESS)
                    return HttpResponseRedirect(self.change_url(article))
        live = live_text(article.pk)
        draft = current_text(article.pk)
        if request.method != "POST" or form.is_valid():
            # What the reviewer reads is what they sign: a save meanwhile is refused.
            form = SignOffForm(initial={"seen": review.text_digest(article_id=article.pk)})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Medical sign-off of %s") % article,
            "opts": self.model._meta,
            "original": article,
            "form": form,
            "can_sign_off": request.user.has_perm(review.SIGN_OFF_PERMISSION),
            "standing": review.signoff_standing(article_id=article.pk),
            "sign_offs": article.sign_offs.select_related("revision")[:20],
            "is_live": live is not None,
            "diff_table": diff_table(
                live if live is not None else [],
                draft,
                _("Published") if live is not None else "",
                _("Draft"),
            ),
        }
        return TemplateResponse(request, "admin/articles/article/sign_off.html", context)

    def change_url(self, article: Article) -> str:
        return reverse(f"{self.admin_site.name}:articles_article_change", args=(article.pk,))

    def changes_url(self, article: Article) -> str:
        return reverse(f"{self.admin_site.name}:articles_article_changes", args=(article.pk,))


def publication_state(article: Article) -> dict:
    """What the change page says of the article's state: a code and a sentence."""
    if article.status != Article.Status.PUBLISHED:
        return {"code": "draft", "text": _("Draft: not public. This page shows the draft.")}
    if not services.live_state(article.pk):
        return {"code": "draft", "text": _("Published, but not live yet.")}
    scheduled = not article.is_public
    if article.has_unpublished_changes:
        text = (
            _("Scheduled, with unpublished changes")
            if scheduled
            else _("Published, with unpublished changes")
        )
        planned = ScheduledChanges.objects.filter(article=article).first()
        if planned is not None:
            when = date_format(timezone.localtime(planned.publish_at), "DATETIME_FORMAT")
            text += " " + _("(to be published at %(when)s)") % {"when": when}
        return {
            "code": "changed",
            "text": text
            + ": "
            + _("readers see the published version; this page shows your draft."),
        }
    text = _("Scheduled") if scheduled else _("Published")
    return {"code": "live", "text": text + ": " + _("this page shows what readers see.")}
