"""An article's history in the admin: compare two revisions, restore one, recover a deleted one.

django-reversion's views are kept at their addresses, but every restore,
whichever page it starts from, is ``services.article_restore``: it takes only
a version of this article, touches only this article's rows, records a
revision and goes through the change funnel. A restore keeps the article's
status, publication time and comments setting (what is live stays live); the
revision's are restored too only when the editor asks for it on the
confirmation page, which shows the changes first.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from reversion.models import Version

from articles import services
from articles.models import Article
from articles.revisions import current_text, diff_table, revision_date, revision_text

PUBLICATION_ONLY = "publication"  # the confirmation page's button for a restore with status


def as_stored(value):
    """``value`` as a revision stores it: a time to the millisecond."""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


class ArticleHistoryMixin:
    """The history, compare, restore and recover views of ``ArticleAdmin``."""

    object_history_template = "admin/articles/article/object_history.html"
    restore_template = "admin/articles/article/restore.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_chosen_view),
                name="articles_article_compare_chosen",
            ),
            path(
                "<path:object_id>/history/compare/<int:older>/<int:newer>/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            *super().get_urls(),
        ]

    def has_restore_permission(self, request: HttpRequest, article: Article | None) -> bool:
        # A restore adds, changes and deletes the article's parts as well; a
        # recovery adds the article itself.
        parts = [
            f"articles.{action}_{model}"
            for action in ("add", "change", "delete")
            for model in ("section", "image", "reference")
        ]
        allowed = (
            self.has_change_permission(request, article)
            if article is not None
            else self.has_add_permission(request)
        )
        return allowed and request.user.has_perms(parts)

    def article_version_or_404(self, article_id: str, version_id: int) -> Version:
        """A version of this article itself, never of one of its parts or another article."""
        versions = Version.objects.get_for_object_reference(Article, unquote(article_id))
        return get_object_or_404(versions.select_related("revision__user"), pk=version_id)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if not isinstance(response, TemplateResponse):
            return response  # no such article: the admin's redirect, with its message
        actions = sorted(response.context_data["action_list"], key=lambda a: a["revision"].pk)
        for older, newer in zip(actions, actions[1:], strict=False):
            newer["compare_url"] = reverse(
                "admin:articles_article_compare",
                args=(object_id, older["revision"].pk, newer["revision"].pk),
            )
        versions = dict(
            Version.objects.get_for_object_reference(Article, object_id).values_list(
                "revision_id", "pk"
            )
        )
        for action in actions[:-1]:  # the newest is the article as it is
            action["restore_url"] = reverse(
                "admin:articles_article_restore",
                args=(object_id, versions[action["revision"].pk]),
            )
        response.context_data["compare_chosen_url"] = reverse(
            "admin:articles_article_compare_chosen", args=(object_id,)
        )
        if actions:
            response.context_data["newest"] = actions[-1]["revision"].pk
            response.context_data["before_newest"] = actions[max(len(actions) - 2, 0)][
                "revision"
            ].pk
        return response

    @method_decorator(require_http_methods(["GET", "HEAD", "POST"]))
    def revision_view(self, request, object_id, version_id, extra_context=None):
        """The confirmation page of a restore: what it changes, status included.

        Takes the place of django-reversion's revision form, which reverts the
        whole revision outside the change funnel.
        """
        if request.method == "POST":
            return self.restore_view(request, object_id, int(version_id))
        article = self.article_or_404(request, object_id, self.has_restore_permission)
        version = self.article_version_or_404(object_id, int(version_id))
        return self.restore_confirmation(request, article, version)

    @method_decorator(require_http_methods(["GET", "HEAD", "POST"]))
    def recover_view(self, request, version_id, extra_context=None):
        """Bring back a deleted article from one of its revisions, after a confirmation."""
        if not self.has_restore_permission(request, None):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_for_model(Article).select_related("revision__user"),
            pk=version_id,
        )
        if Article.objects.filter(pk=version.object_id).exists():
            # Not deleted: its own history restores it.
            return HttpResponseRedirect(
                reverse("admin:articles_article_revision", args=(version.object_id, version.pk))
            )
        if request.method == "POST":
            return self.restore(request, version, publication=PUBLICATION_ONLY in request.POST)
        return self.restore_confirmation(request, None, version)

    def restore_confirmation(
        self, request: HttpRequest, article: Article | None, version: Version
    ) -> TemplateResponse:
        fields = version.field_dict
        # Revisions keep times to the millisecond (Django's JSON): compare so.
        now = {
            name: as_stored(getattr(article, name, None)) for name in services.PUBLICATION_FIELDS
        }
        then = {name: as_stored(fields.get(name)) for name in services.PUBLICATION_FIELDS}
        when = revision_date(version.revision)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Restore the revision of %(when)s?") % {"when": when},
            "opts": self.model._meta,
            "original": article,
            "version": version,
            "revision": version.revision,
            "publication_differs": now != then,
            "can_publish": self.has_publish_permission(request, article),
            # A live article's restore is its draft: readers keep the live version.
            "into_draft": article is not None and services.live_state(article.pk),
            "now_status": Article.Status(now["status"]).label if article else None,
            "then_status": Article.Status(then["status"]).label,
            "then_published_at": then["published_at"],
            "then_comments_enabled": then["comments_enabled"],
            "publication_button": PUBLICATION_ONLY,
            "diff_table": diff_table(
                current_text(int(version.object_id)),
                revision_text(version.revision, int(version.object_id)),
                _("Now"),
                _("Revision of %(when)s") % {"when": when},
            ),
        }
        return TemplateResponse(request, self.restore_template, context)

    @method_decorator(require_POST)
    def restore_view(self, request: HttpRequest, object_id: str, version_id: int) -> HttpResponse:
        """Restore a revision's content (a POST: the history's button or the confirmation page)."""
        self.article_or_404(request, object_id, self.has_restore_permission)
        version = self.article_version_or_404(object_id, version_id)
        return self.restore(request, version, publication=PUBLICATION_ONLY in request.POST)

    def restore(self, request: HttpRequest, version: Version, *, publication: bool) -> HttpResponse:
        if publication and not self.has_publish_permission(request, None):
            raise PermissionDenied  # the status is an editor's call, as in the form
        when = revision_date(version.revision)
        try:
            restored = services.article_restore(
                article_id=int(version.object_id),
                revision=version.revision,
                user=request.user,
                comment=_("Restored the revision of %(when)s") % {"when": when},
                publication=publication,
            )
        except services.RestoreFailed as error:
            message = _("The revision of %(when)s cannot be restored: %(error)s") % {
                "when": when,
                "error": error,
            }
            self.message_user(request, message, messages.ERROR)
            if Article.objects.filter(pk=version.object_id).exists():
                back = reverse("admin:articles_article_history", args=(version.object_id,))
            else:
                back = reverse("admin:articles_article_recoverlist")
            return HttpResponseRedirect(back)
        article = restored.article
        message = _("Restored the revision of %(when)s.") % {"when": when}
        if restored.status_before is None:
            self.log_addition(request, article, message)
        else:
            self.log_change(request, article, message)
        if restored.status_before != article.status:
            message += " " + _("The article is now “%(status)s”%(was)s.") % {
                "status": article.get_status_display(),
                "was": (
                    _(" (it was “%(status)s”)")
                    % {"status": Article.Status(restored.status_before).label}
                    if restored.status_before
                    else ""
                ),
            }
        self.message_user(request, message, messages.SUCCESS)
        for alt_text in restored.images_left_out:
            self.message_user(
                request,
                _("The image “%(image)s” was left out: its file is gone.") % {"image": alt_text},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=(article.pk,)))

    @method_decorator(require_safe)
    def compare_chosen_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The history page's choice of two revisions (a GET form), shown oldest first."""
        try:
            chosen = sorted({int(request.GET["older"]), int(request.GET["newer"])})
        except (KeyError, ValueError):
            return HttpResponseBadRequest(_("Choose two revisions to compare."))
        if len(chosen) != 2:
            self.message_user(request, _("Choose two different revisions."), messages.WARNING)
            return HttpResponseRedirect(
                reverse("admin:articles_article_history", args=(object_id,))
            )
        return self.compare_view(request, object_id, *chosen)

    @method_decorator(require_safe)
    def compare_view(self, request: HttpRequest, object_id: str, older: int, newer: int):
        """Two revisions of the article side by side, changed lines marked."""
        article = self.article_or_404(request, object_id, self.has_view_or_change_permission)
        # Two exact lookups, not __in: Django answers "none" for an id no
        # column can hold, where __in hands it to the database (a 500).
        revisions = {
            version.revision_id: version.revision
            for version in Version.objects.get_for_object(article)
            .filter(Q(revision__pk=older) | Q(revision__pk=newer))
            .select_related("revision", "revision__user")
        }
        if set(revisions) != {older, newer}:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "title": _("Changes to %s") % article,
            "opts": self.model._meta,
            "original": article,
            "older": revisions[older],
            "newer": revisions[newer],
            "diff_table": diff_table(
                revision_text(revisions[older], article.pk),
                revision_text(revisions[newer], article.pk),
                _("Revision of %s") % revision_date(revisions[older]),
                _("Revision of %s") % revision_date(revisions[newer]),
            ),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)
