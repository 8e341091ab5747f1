"""Output of the read API. Serializers read prefetched data only; no queries here."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.api.base import URI_REFERENCE, ModelSerializer, public_url
from articles.api.extensions import registered
from articles.models import Article, Image, Reference, Section, Tag


@extend_schema_field(URI_REFERENCE)
class ArticleURLField(serializers.Field):
    """The article's detail address (a path, or under ``RLS_ARTICLES["BASE_URL"]``)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, article: Article) -> str:
        return public_url(reverse("articles-api:article-detail", kwargs={"slug": article.slug}))


@extend_schema_field(URI_REFERENCE)
class FileURLField(serializers.Field):
    """A stored file's address (a path, or under ``BASE_URL``; absolute if MEDIA_URL is)."""

    def to_representation(self, file) -> str | None:
        return public_url(file.url) if file else None


class TagSerializer(ModelSerializer):
    class Meta:
        model = Tag
        fields = ["name", "slug"]


class ArticleListSerializer(ModelSerializer):
    tags = TagSerializer(many=True, read_only=True)
    url = ArticleURLField()

    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "intro",
            "intro_html",
            "byline",
            "published_at",
            "updated_at",
            "tags",
            "url",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for extension in registered():
            fields.update(extension.list_fields())
        return fields


class TocEntrySerializer(ModelSerializer):
    class Meta:
        model = Section
        fields = ["anchor", "heading", "level"]


class SectionSerializer(ModelSerializer):
    body_markdown = serializers.CharField(source="body", read_only=True)

    class Meta:
        model = Section
        fields = ["anchor", "heading", "level", "body_markdown", "body_html"]


class ImageSerializer(ModelSerializer):
    url = FileURLField(source="file", read_only=True)
    after_section = serializers.SlugRelatedField(
        slug_field="anchor",
        read_only=True,
        allow_null=True,
        help_text="Anchor of the section this image follows; null: after the intro.",
    )

    class Meta:
        model = Image
        fields = ["url", "width", "height", "alt_text", "caption", "credit", "after_section"]


class ReferenceSerializer(ModelSerializer):
    number = serializers.IntegerField(read_only=True, help_text="1-based place in the list.")
    doi_url = serializers.CharField(read_only=True)

    class Meta:
        model = Reference
        fields = [
            "number",
            "authors",
            "title",
            "source",
            "year",
            "date",
            "doi",
            "doi_url",
            "url",
            "accessed_on",
            "citation",
        ]


class ArticleDetailSerializer(ModelSerializer):
    tags = TagSerializer(many=True, read_only=True)
    toc = TocEntrySerializer(source="sections", many=True, read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    images = ImageSerializer(many=True, read_only=True)
    references = ReferenceSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "intro",
            "intro_html",
            "byline",
            "published_at",
            "updated_at",
            "last_reviewed_on",
            "tags",
            "toc",
            "sections",
            "images",
            "references",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for extension in registered():
            fields.update(extension.detail_fields())
        return fields
