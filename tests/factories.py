"""factory_boy factories for the content model."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from articles.live import live_snapshot
from articles.models import Article, Image, Reference, Section, Tag
from articles.review import next_review_update
from articles.services import articles_mark_changed
from comments.models import Comment, DisallowedTerm


class ArticleContentFactory(factory.django.DjangoModelFactory):
    """Test data goes through the change funnel, as every writer must."""

    class Meta:
        abstract = True

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            article_id = instance.pk if isinstance(instance, Article) else instance.article_id
            # A published article's test data is live as written.
            live_snapshot(article_ids=[article_id])
            next_review_update(article_ids=[article_id])
            articles_mark_changed(article_ids=[article_id], reason="test data")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class ArticleFactory(ArticleContentFactory):
    """A public article; use the draft / scheduled traits for the others."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    byline = "Editorial team"
    intro = "An *intro* paragraph."
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=1))
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class SectionFactory(ArticleContentFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n)
    heading = factory.Sequence(lambda n: f"Section {n}")
    level = 2
    body = "Some **section** text."


class ImageFactory(ArticleContentFactory):
    class Meta:
        model = Image

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n)
    file = factory.django.ImageField(width=40, height=30, format="PNG", filename="figure.png")
    alt_text = "A figure described in words."
    caption = "A caption."
    credit = "A credit."


class ReferenceFactory(ArticleContentFactory):
    class Meta:
        model = Reference

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n)
    authors = "Silber MH, et al"
    title = factory.Sequence(lambda n: f"A study {n}")
    source = "Mayo Clinic Proceedings"
    year = 2021
    doi = "10.1016/j.mayocp.2020.12.026"
    url = "https://example.org/study"
    accessed_on = dt.date(2023, 11, 27)


class CommentFactory(ArticleContentFactory):
    """An approved comment on a public article; pass status= for the others."""

    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    name = factory.Sequence(lambda n: f"Reader {n}")
    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    website = ""
    body = factory.Sequence(lambda n: f"Comment number {n}.")
    status = Comment.Status.APPROVED
    ip_address = factory.Sequence(lambda n: f"192.0.2.{n % 250 + 1}")
    user_agent = "Mozilla/5.0 (factory)"


class DisallowedTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisallowedTerm

    term = factory.Sequence(lambda n: f"badword{n}")
