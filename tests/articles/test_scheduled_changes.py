"""A live article's changes published at a time: scheduling counts as publishing, and only
the text that was scheduled goes out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from reversion.models import Version

from articles import review, scheduling
from articles.models import Reviewer, ScheduledChanges, WebhookDelivery
from articles.signals import minute_passed
from tests.admin_forms import resubmit
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(settings):
    settings.RLS_ARTICLES = {"WEBHOOKS": [{"url": "http://127.0.0.1:9/hook", "secret": "s"}]}
    return ArticleFactory(title="Iron and sleep", slug="iron", intro="Iron.")


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def schedule_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/changes/schedule/"


def local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def title(client) -> str:
    return client.get("/api/v1/articles/iron/").json()["title"]


def test_scheduled_changes_go_live_at_their_time_and_not_before(client, editor, live):
    resubmit(editor, change_url(live), title="Iron, sleep and legs")
    at = timezone.now() + dt.timedelta(hours=2)
    response = editor.post(schedule_url(live), {"publish_at": local(at)}, follow=True)
    assert "The changes will be published at" in response.content.decode()
    assert "(to be published at" in editor.get(change_url(live)).content.decode()
    WebhookDelivery.objects.all().delete()

    # Readers read at the times the beats run (a clock going back would meet
    # cache entries it let expire).
    with time_machine.travel(at - dt.timedelta(minutes=5)):
        minute_passed.send(sender=None)
        assert title(client) == "Iron and sleep"

    with time_machine.travel(at + dt.timedelta(minutes=1)):
        minute_passed.send(sender=None)
        assert title(client) == "Iron, sleep and legs"
    assert not ScheduledChanges.objects.exists()
    assert [d.event for d in WebhookDelivery.objects.all()] == ["updated"]
    newest = Version.objects.get_for_object(live).select_related("revision__user").first()
    assert newest.revision.get_comment() == "Published changes"
    assert newest.revision.user.username == "editor"


def test_a_change_after_scheduling_drops_the_schedule(client, editor, live):
    resubmit(editor, change_url(live), title="Scheduled title")
    at = timezone.now() + dt.timedelta(hours=2)
    editor.post(schedule_url(live), {"publish_at": local(at)})
    assert ScheduledChanges.objects.exists()

    resubmit(editor, change_url(live), title="An unseen title")

    assert not ScheduledChanges.objects.exists()
    with time_machine.travel(at + dt.timedelta(minutes=1)):
        minute_passed.send(sender=None)
        assert title(client) == "Iron and sleep"


def test_saving_the_same_text_again_keeps_the_schedule(editor, live):
    resubmit(editor, change_url(live), title="Scheduled title")
    editor.post(schedule_url(live), {"publish_at": local(timezone.now() + dt.timedelta(hours=1))})
    resubmit(editor, change_url(live))
    assert ScheduledChanges.objects.exists()


def test_a_time_in_the_past_or_no_changes_is_refused(editor, live):
    response = editor.post(
        schedule_url(live),
        {"publish_at": local(timezone.now() + dt.timedelta(hours=1))},
        follow=True,
    )
    assert "has no unpublished changes" in response.content.decode()
    resubmit(editor, change_url(live), title="New")
    response = editor.post(
        schedule_url(live),
        {"publish_at": local(timezone.now() - dt.timedelta(hours=1))},
        follow=True,
    )
    assert "choose a time in the future" in response.content.decode()
    response = editor.post(schedule_url(live), {"publish_at": "soon"}, follow=True)
    assert "Enter a valid date/time." in response.content.decode()
    assert not ScheduledChanges.objects.exists()


def test_a_schedule_can_be_cancelled(client, editor, live):
    resubmit(editor, change_url(live), title="New")
    at = timezone.now() + dt.timedelta(hours=1)
    editor.post(schedule_url(live), {"publish_at": local(at)})
    response = editor.post(schedule_url(live), {"cancel": "1"}, follow=True)
    assert "no longer scheduled" in response.content.decode()
    with time_machine.travel(at + dt.timedelta(minutes=1)):
        minute_passed.send(sender=None)
        assert title(client) == "Iron and sleep"


def test_scheduling_unsigned_text_is_refused_when_a_sign_off_is_required(
    settings, editor, live, django_user_model
):
    settings.RLS_ARTICLES = {"REQUIRE_SIGNOFF": True}
    resubmit(editor, change_url(live), title="New")
    at = timezone.now() + dt.timedelta(hours=1)
    response = editor.post(schedule_url(live), {"publish_at": local(at)}, follow=True)
    assert "has no medical sign-off" in response.content.decode()

    reviewer = django_user_model.objects.create_superuser("drlee", password="pw")
    Reviewer.objects.create(user=reviewer, display_name="Dr Ann Lee")
    review.article_sign_off(article_id=live.pk, user=reviewer)
    editor.post(schedule_url(live), {"publish_at": local(at)})
    assert ScheduledChanges.objects.get().scheduled_by.username == "editor"


def test_a_schedule_whose_sign_off_was_voided_since_is_dropped(settings, live, django_user_model):
    """The text cannot change under a schedule (that drops it), but a restore voids every
    sign-off: the time comes, the publication is refused, and the schedule goes."""
    settings.RLS_ARTICLES = {"REQUIRE_SIGNOFF": True}
    reviewer = django_user_model.objects.create_superuser("drlee", password="pw")
    Reviewer.objects.create(user=reviewer, display_name="Dr Ann Lee")
    type(live).objects.filter(pk=live.pk).update(title="New")
    from articles.services import article_content_saved

    article_content_saved(
        article=type(live).objects.get(pk=live.pk),
        was_live=True,
        publish=False,
        publication_changed=False,
        text_changed=False,
    )
    review.article_sign_off(article_id=live.pk, user=reviewer)
    at = timezone.now() + dt.timedelta(hours=1)
    scheduling.article_schedule_changes(article_id=live.pk, user=reviewer, publish_at=at)
    review.signoffs_void(article_id=live.pk, reason="test")

    with time_machine.travel(at + dt.timedelta(minutes=1)):
        assert scheduling.scheduled_changes_publish(article_id=live.pk) is False
    assert not ScheduledChanges.objects.exists()


def test_only_who_may_publish_may_schedule(client, django_user_model, live):
    from django.contrib.auth.models import Permission

    author = django_user_model.objects.create_user("author", password="pw", is_staff=True)
    author.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles").exclude(
            codename__in=["publish_article", "sign_off_article"]
        )
    )
    client.force_login(author)
    at = timezone.now() + dt.timedelta(hours=1)
    assert client.post(schedule_url(live), {"publish_at": local(at)}).status_code == 403
    assert client.get(schedule_url(live)).status_code == 405
