"""Output of the read API. Serializers read prefetched data only; no queries here."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import strip_tags
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.api.base import URI_REFERENCE, IsoDateTimeField, ModelSerializer, public_url
from articles.api.extensions import registered
from articles.citations import cited_numbers, reference_anchor
from articles.models import Article, Image, Reference, Section, Tag
from articles.renditions import file_format


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


# How wide the reader page shows an image: the whole column up to 720 px.
IMAGE_SIZES = "(max-width: 760px) 100vw, 720px"


class ImageSerializer(ModelSerializer):
    url = FileURLField(source="file", read_only=True)
    srcset = serializers.SerializerMethodField(
        help_text="Smaller copies in the original's format, then the original: for <img srcset>."
    )
    srcset_webp = serializers.SerializerMethodField(
        help_text='The same widths in WebP, for <source type="image/webp">; empty until made.'
    )
    sizes = serializers.SerializerMethodField(help_text="A sizes value for the srcsets.")

    def _copies(self, image: Image, kind: str) -> list[str]:
        return [
            f"{public_url(r.file.url)} {r.width}w"
            for r in image.renditions.all()
            if r.format == kind and r.source == image.file.name and r.width < image.width
        ]

    def get_srcset(self, image: Image) -> str:
        if not image.file:
            return ""
        copies = self._copies(image, file_format(image.file.name))
        return ", ".join([*copies, f"{public_url(image.file.url)} {image.width}w"])

    def get_srcset_webp(self, image: Image) -> str:
        if not image.file or file_format(image.file.name) == "webp":
            return ""  # the srcset is WebP already
        webp = [
            f"{public_url(r.file.url)} {r.width}w"
            for r in image.renditions.all()
            if r.format == "webp" and r.source == image.file.name
        ]
        return ", ".join(webp)

    def get_sizes(self, image: Image) -> str:
        return IMAGE_SIZES

    after_section = serializers.SlugRelatedField(
        slug_field="anchor",
        read_only=True,
        allow_null=True,
        help_text="Anchor of the section this image follows; null: after the intro.",
    )

    class Meta:
        model = Image
        fields = [
            "url",
            "width",
            "height",
            "alt_text",
            "caption",
            "credit",
            "after_section",
            "srcset",
            "srcset_webp",
            "sizes",
        ]


class ReferenceSerializer(ModelSerializer):
    number = serializers.IntegerField(read_only=True, help_text="1-based place in the list.")
    doi_url = serializers.CharField(read_only=True)
    anchor = serializers.SerializerMethodField(
        help_text='The id to give the reference in a page: in-text "[^3]" links to #ref-3.'
    )
    cited_in = serializers.SerializerMethodField(
        help_text="Anchors of the sections that cite this reference, in order."
    )

    def get_anchor(self, reference: Reference) -> str:
        return reference_anchor(reference.number)

    def get_cited_in(self, reference: Reference) -> list[str]:
        return self.context.get("cited_in", {}).get(reference.number, [])

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
            "anchor",
            "cited_in",
        ]


class ReviewerSerializer(serializers.Serializer):
    name = serializers.CharField(source="reviewer_name")
    credentials = serializers.CharField(source="reviewer_credentials")


def structured_data(article: Article) -> dict:
    """schema.org ``MedicalWebPage`` of ``article``: for search engines, in the page's head.

    Reads only what the detail prefetches (images, references, tags).
    """
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": article.title,
        "description": strip_tags(article.intro_html).strip(),
        "datePublished": IsoDateTimeField().to_representation(article.published_at),
        "dateModified": IsoDateTimeField().to_representation(article.updated_at),
        "keywords": [tag.name for tag in article.tags.all()],
        "image": [public_url(image.file.url) for image in article.images.all() if image.file],
        "citation": [citation(reference) for reference in article.references.all()],
    }
    if article.byline:
        data["author"] = {"@type": "Organization", "name": article.byline}
    if article.last_reviewed_on:
        data["lastReviewed"] = article.last_reviewed_on.isoformat()
    if article.reviewer_name:
        data["reviewedBy"] = {"@type": "Person", "name": article.reviewer_name}
        if article.reviewer_credentials:
            data["reviewedBy"]["jobTitle"] = article.reviewer_credentials
    return data


def citation(reference: Reference) -> dict:
    """A reference as a schema.org ``CreativeWork``; empty parts left out."""
    work = {"@type": "CreativeWork", "name": reference.title}
    if reference.authors:
        work["author"] = reference.authors
    if reference.source:
        work["isPartOf"] = reference.source
    if reference.year:
        work["datePublished"] = str(reference.year)
    if reference.doi:
        work["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": reference.doi}
        work["sameAs"] = reference.doi_url
    if reference.url:
        work["url"] = reference.url
    return work


class ArticleDetailSerializer(ModelSerializer):
    tags = TagSerializer(many=True, read_only=True)
    toc = TocEntrySerializer(source="sections", many=True, read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    images = ImageSerializer(many=True, read_only=True)
    references = ReferenceSerializer(many=True, read_only=True)
    reviewed_by = serializers.SerializerMethodField(
        help_text="Who last reviewed the article medically; null: no reviewer named."
    )
    json_ld = serializers.SerializerMethodField()

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
            "reviewed_by",
            "tags",
            "toc",
            "sections",
            "images",
            "references",
            "json_ld",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for extension in registered():
            fields.update(extension.detail_fields())
        return fields

    def to_representation(self, article: Article) -> dict:
        # Which sections cite each reference: read from the prefetched bodies.
        cited_in: dict[int, list[str]] = {}
        for section in article.sections.all():
            for number in cited_numbers(section.body):
                cited_in.setdefault(number, []).append(section.anchor)
        self.context["cited_in"] = cited_in
        return super().to_representation(article)

    @extend_schema_field(ReviewerSerializer(allow_null=True))
    def get_reviewed_by(self, article: Article) -> dict | None:
        if not article.reviewer_name:
            return None
        return ReviewerSerializer(article).data

    @extend_schema_field(
        {
            "type": "object",
            "description": "schema.org MedicalWebPage (JSON-LD), for the page's "
            '<script type="application/ld+json">.',
        }
    )
    def get_json_ld(self, article: Article) -> dict:
        return structured_data(article)
