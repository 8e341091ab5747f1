"""The review schedule: the next review follows each sign-off, staff list articles by it
(admin and API), and reviewers are reminded weekly of what falls due."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from articles import review, services
from articles.models import Article, Reviewer, ReviewReminderRun, add_months
from articles.signals import minute_passed
from tests.factories import ArticleFactory, TagFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
NOON = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


def make_reviewer(django_user_model, username: str, name: str, email: str = ""):
    user = django_user_model.objects.create_user(
        username, password="pw", is_staff=True, email=email or f"{username}@example.org"
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles", codename__in=["view_article", "sign_off_article"]
        )
    )
    Reviewer.objects.create(user=user, display_name=name, credentials="MD")
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def lee(django_user_model):
    return make_reviewer(django_user_model, "drlee", "Dr Ann Lee")


@pytest.fixture
def kim(django_user_model):
    return make_reviewer(django_user_model, "drkim", "Dr Bo Kim")


def review_of(client, slug: str) -> dict:
    return client.get(f"/api/v1/articles/{slug}/").json()["review"]


def test_the_next_review_moves_with_each_sign_off(client, lee):
    article = ArticleFactory(slug="iron", last_reviewed_on=None)
    assert review_of(client, "iron") == {"last": None, "next": None}

    with time_machine.travel(NOON):
        review.article_sign_off(article_id=article.pk, user=lee)
        services.article_publish_changes(article_id=article.pk, user=None)
    assert review_of(client, "iron") == {"last": "2026-06-15", "next": "2027-06-15"}

    with time_machine.travel(NOON + dt.timedelta(days=40)):
        services.article_content_saved(
            article=Article.objects.get(pk=article.pk),
            was_live=True,
            publish=False,
            publication_changed=False,
            text_changed=False,
        )
        review.article_sign_off(article_id=article.pk, user=lee)
        services.article_publish_changes(article_id=article.pk, user=None)
    assert review_of(client, "iron") == {"last": "2026-07-25", "next": "2027-07-25"}
    assert Article.objects.get(pk=article.pk).next_review_on == dt.date(2027, 7, 25)


def test_an_article_may_have_its_own_interval(client, editor):
    article = ArticleFactory(slug="iron", last_reviewed_on=TODAY)
    page = editor.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    from tests.admin_forms import form_data

    editor.post(
        f"/admin/articles/article/{article.pk}/change/",
        form_data(page, review_interval_months="6"),
    )
    # How often it is reviewed is not content: it reaches readers with the save.
    assert review_of(client, "iron") == {"last": "2026-06-15", "next": "2026-12-15"}
    assert Article.objects.get(pk=article.pk).next_review_on == dt.date(2026, 12, 15)


@pytest.fixture
def schedule():
    """Published articles at every place on the schedule, and a draft."""
    sleep = TagFactory(name="Sleep", slug="sleep")
    return {
        "never": ArticleFactory(slug="never", last_reviewed_on=None),
        "overdue": ArticleFactory(slug="overdue", last_reviewed_on=add_months(TODAY, -13)),
        "in-ten-days": ArticleFactory(
            slug="in-ten-days",
            last_reviewed_on=add_months(TODAY, -12) + dt.timedelta(days=10),
            tags=[sleep],
        ),
        "in-sixty-days": ArticleFactory(
            slug="in-sixty-days", last_reviewed_on=add_months(TODAY, -12) + dt.timedelta(days=60)
        ),
        "draft": ArticleFactory(slug="draft", draft=True, last_reviewed_on=None),
    }


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def staff_api(lee) -> Client:
    client = Client()
    client.force_login(lee)
    return client


@time_machine.travel(NOON)
def test_the_api_lists_articles_by_next_review_with_the_admins_filters(staff_api, schedule):
    url = "/api/v1/review/due/"
    assert slugs(staff_api.get(url)) == ["never", "overdue", "in-ten-days"]
    assert slugs(staff_api.get(url, {"review": "overdue"})) == ["never", "overdue"]
    assert slugs(staff_api.get(url, {"review": "current"})) == ["in-sixty-days"]
    assert slugs(staff_api.get(url, {"within": "90"})) == [
        "never",
        "overdue",
        "in-ten-days",
        "in-sixty-days",
    ]
    assert slugs(staff_api.get(url, {"tag": "sleep"})) == ["in-ten-days"]
    assert slugs(staff_api.get(url, {"status": "draft"})) == ["draft"]
    item = staff_api.get(url).json()["results"][2]
    assert item["next_review_on"] == (TODAY + dt.timedelta(days=10)).isoformat()
    assert item["admin_url"] == f"/admin/articles/article/{schedule['in-ten-days'].pk}/change/"


@time_machine.travel(NOON)
def test_the_admin_filters_and_orders_by_next_review(editor, schedule):
    page = editor.get("/admin/articles/article/?review=due").content.decode()
    titles = [schedule[s].title for s in ("never", "overdue", "in-ten-days")]
    assert all(title in page for title in titles)
    assert schedule["in-sixty-days"].title not in page
    assert "Due within 30 days" in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"review": "soon"}, "review"),
        ({"within": "-1"}, "within"),
        ({"within": "many"}, "within"),
        ({"status": "gone"}, "status"),
    ],
)
def test_bad_filters_are_refused_with_the_field_named(staff_api, params, field):
    response = staff_api.get("/api/v1/review/due/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_an_unknown_parameter_is_refused(staff_api):
    assert staff_api.get("/api/v1/review/due/", {"sort": "x"}).status_code == 400


def test_only_staff_who_may_view_articles_see_the_schedule(client, django_user_model, lee):
    assert client.get("/api/v1/review/due/").status_code == 401
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    assert client.get("/api/v1/review/due/").status_code == 403
    token = Token.objects.create(user=lee)
    anonymous = Client()
    response = anonymous.get("/api/v1/review/due/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_only_get_is_allowed(staff_api):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(staff_api, method)("/api/v1/review/due/").status_code == 405


def test_the_schedule_runs_fixed_queries_whatever_its_length(staff_api, lee):
    ArticleFactory(last_reviewed_on=None)
    one = count_queries(staff_api, "/api/v1/review/due/")
    for _ in range(6):
        article = ArticleFactory(last_reviewed_on=None)
        review.article_sign_off(article_id=article.pk, user=lee)
    Article.objects.update(next_review_on=None)
    assert count_queries(staff_api, "/api/v1/review/due/") == one


# The weekly reminders.


@time_machine.travel(NOON)
def test_each_reviewer_hears_of_what_they_signed_off_and_everyone_of_the_rest(lee, kim):
    mine = ArticleFactory(title="Iron and sleep", last_reviewed_on=None)
    review.article_sign_off(article_id=mine.pk, user=lee)
    # Signed off a year ago, less five days: due in five.
    Article.objects.filter(pk=mine.pk).update(
        last_reviewed_on=add_months(TODAY, -12) + dt.timedelta(days=5)
    )
    ArticleFactory(title="Nobody signed this", last_reviewed_on=None)
    ArticleFactory(title="Reviewed lately", last_reviewed_on=TODAY)

    assert review.review_reminders_send() == 2

    by_address = {message.to[0]: message for message in mail.outbox}
    assert "Iron and sleep" in by_address["drlee@example.org"].body
    assert "Nobody signed this" in by_address["drlee@example.org"].body
    assert "Iron and sleep" not in by_address["drkim@example.org"].body
    assert "Nobody signed this" in by_address["drkim@example.org"].body
    assert all("Reviewed lately" not in m.body for m in mail.outbox)
    assert by_address["drlee@example.org"].subject == "2 articles due for medical review"


def test_the_reminders_go_once_a_week_from_monday_morning(lee, django_capture_on_commit_callbacks):
    ArticleFactory(last_reviewed_on=None)
    sunday = dt.datetime(2026, 6, 14, 20, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(sunday), django_capture_on_commit_callbacks(execute=True):
        minute_passed.send(sender=None)
    sent_on_sunday = len(mail.outbox)
    monday_early = dt.datetime(2026, 6, 15, 7, 59, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(monday_early), django_capture_on_commit_callbacks(execute=True):
        minute_passed.send(sender=None)
    assert len(mail.outbox) == sent_on_sunday
    for minute in range(3):
        when = dt.datetime(2026, 6, 15, 8, minute, tzinfo=timezone.get_current_timezone())
        with time_machine.travel(when), django_capture_on_commit_callbacks(execute=True):
            minute_passed.send(sender=None)
    assert len(mail.outbox) == sent_on_sunday + 1
    assert ReviewReminderRun.objects.filter(week="2026-W25").count() == 1


@time_machine.travel(NOON)
def test_a_sign_off_moves_the_schedule_once_it_is_published(staff_api, lee):
    article = ArticleFactory(slug="overdue", last_reviewed_on=add_months(TODAY, -13))
    review.article_sign_off(article_id=article.pk, user=lee)
    # Readers still see the old review date: the article is still due.
    assert slugs(staff_api.get("/api/v1/review/due/")) == ["overdue"]
    services.article_publish_changes(article_id=article.pk, user=None)
    assert slugs(staff_api.get("/api/v1/review/due/")) == []
