"""Output of the read API. Serializers read prefetched data only; no queries here."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import strip_tags
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.api.base import (
    URI_REFERENCE,
    IsoDateField,
    IsoDateTimeField,
    ReadModelSerializer,
    public_url,
)
from articles.api.components import STRUCTURED_DATA_REF
from articles.api.extensions import registered
from articles.citations import cited_numbers, reference_anchor
from articles.conf import article_settings, content_language
from articles.models import Article, Image, Reference, Section, Tag
from articles.renditions import file_format
from articles.review import next_review
from articles.urls_public import absolute_url, reader_url, site_url


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


class TagSerializer(ReadModelSerializer):
    """A topic: filter the list by its slug (``?tag=``)."""

    class Meta:
        model = Tag
        fields = ["name", "slug"]


class AuthorSerializer(serializers.Serializer):
    """The byline, typed: whom structured data and the reader page name as the author."""

    name = serializers.CharField(source="byline")
    type = serializers.ChoiceField(source="byline_kind", choices=Article.BylineKind.choices)
    url = serializers.CharField(
        source="byline_url", help_text="A page about the author; may be empty."
    )
    credentials = serializers.CharField(
        source="byline_credentials", help_text="A person's credentials (MD, RN); may be empty."
    )


class AuthorField(serializers.Field):
    """The byline typed, or null when there is none."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, article: Article) -> dict | None:
        return AuthorSerializer(article).data if article.byline else None


extend_schema_field(AuthorSerializer(allow_null=True))(AuthorField)


class TocEntrySerializer(ReadModelSerializer):
    """A line of the table of contents: link to ``#anchor``; level 3 nests under level 2."""

    class Meta:
        model = Section
        fields = ["anchor", "heading", "level"]


class SectionSerializer(ReadModelSerializer):
    """A section of the body, in order: show ``body_html`` under an h2 (level 2) or h3 (level 3)
    heading whose id is ``anchor``; ``body_markdown`` is the same text as the editor wrote it."""

    body_markdown = serializers.CharField(source="body", read_only=True)

    class Meta:
        model = Section
        fields = ["anchor", "heading", "level", "body_markdown", "body_html"]


# How wide the reader page shows an image: the whole column up to 720 px.
IMAGE_SIZES = "(max-width: 760px) 100vw, 720px"


class ImageSerializer(ReadModelSerializer):
    """A figure: place it after the section ``after_section`` names (null: after the intro),
    with its alt text, caption and credit; width and height reserve its space."""

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


# How wide a list shows a thumbnail.
THUMBNAIL_SIZES = "(max-width: 600px) 96px, 160px"


class ThumbnailSerializer(ImageSerializer):
    """An image as a list shows it: small, so its srcset starts from the smallest copy."""

    def get_sizes(self, image: Image) -> str:
        return THUMBNAIL_SIZES

    class Meta(ImageSerializer.Meta):
        fields = ["url", "width", "height", "alt_text", "srcset", "srcset_webp", "sizes"]


class ArticleListSerializer(ReadModelSerializer):
    """An article in a list: enough for a card; ``url`` is its detail."""

    published_at = IsoDateTimeField(read_only=True, help_text="When the article became public.")
    tags = TagSerializer(many=True, read_only=True)
    url = ArticleURLField()
    thumbnail = serializers.SerializerMethodField(
        help_text="The article's first image, for a list: null when it has none."
    )

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
            "thumbnail",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for extension in registered():
            fields.update(extension.list_fields())
        return fields

    @extend_schema_field(ThumbnailSerializer(allow_null=True))
    def get_thumbnail(self, article: Article) -> dict | None:
        first = next((image for image in article.images.all() if image.file), None)
        return ThumbnailSerializer(first).data if first else None


class ReferenceSerializer(ReadModelSerializer):
    """A numbered source: ``citation`` is the whole reference as text (Vancouver style); the
    parts are there to format it otherwise. Empty parts are empty strings, never missing."""

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
    """Who last reviewed the article medically."""

    name = serializers.CharField(source="reviewer_name")
    credentials = serializers.CharField(source="reviewer_credentials")


class ReviewScheduleSerializer(serializers.Serializer):
    """When the article was last reviewed medically and when it is due again."""

    last = IsoDateField(
        source="last_reviewed_on",
        allow_null=True,
        help_text="The last medical review (a reviewer's sign-off); null: never reviewed.",
    )
    next = serializers.SerializerMethodField(
        help_text="The next review: the last one plus the review interval; null: never reviewed."
    )

    @extend_schema_field(IsoDateField(allow_null=True))
    def get_next(self, article: Article) -> str | None:
        due = next_review(article.last_reviewed_on, article.review_interval_months)
        return due.isoformat() if due else None


def structured_data(article: Article) -> dict:
    """schema.org ``MedicalWebPage`` of ``article``: for search engines, in the page's head.

    Every address is absolute (``articles.urls_public``): documents are built
    without a request and served to every host. Reads only what the detail
    prefetches (images, references, tags).
    """
    page = reader_url(article.slug)
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": article.title,
        "description": strip_tags(article.intro_html).strip(),
        "inLanguage": content_language(),
        "datePublished": IsoDateTimeField().to_representation(article.published_at),
        "dateModified": IsoDateTimeField().to_representation(article.updated_at),
        "keywords": [tag.name for tag in article.tags.all()],
        "image": [absolute_url(image.file.url) for image in article.images.all() if image.file],
        "citation": [citation(reference) for reference in article.references.all()],
    }
    if page:
        data["url"] = page
        data["mainEntityOfPage"] = {"@type": "WebPage", "@id": page}
    if author := byline_author(article):
        data["author"] = author
    if publisher := publisher_organization():
        data["publisher"] = publisher
    if article.last_reviewed_on:
        data["lastReviewed"] = article.last_reviewed_on.isoformat()
    if article.reviewer_name:
        data["reviewedBy"] = {"@type": "Person", "name": article.reviewer_name}
        if article.reviewer_credentials:
            data["reviewedBy"]["honorificSuffix"] = article.reviewer_credentials
    return data


def byline_author(article: Article) -> dict | None:
    """The byline as the editor typed it: a ``Person`` or an ``Organization``; None: no byline."""
    if not article.byline:
        return None
    person = article.byline_kind == Article.BylineKind.PERSON
    author = {"@type": "Person" if person else "Organization", "name": article.byline}
    if article.byline_url:
        author["url"] = article.byline_url
    if person and article.byline_credentials:
        author["honorificSuffix"] = article.byline_credentials
    return author


def publisher_organization() -> dict | None:
    """``RLS_ARTICLES["PUBLISHER_NAME"]`` and its logo; None when no name is set."""
    name = article_settings.PUBLISHER_NAME
    if not name:
        return None
    publisher = {"@type": "Organization", "name": name, "url": site_url("/")}
    if logo := article_settings.PUBLISHER_LOGO:
        publisher["logo"] = {"@type": "ImageObject", "url": site_url(logo)}
    return publisher


def citation(reference: Reference) -> dict:
    """A reference as schema.org: a ``ScholarlyArticle`` in a ``Periodical`` when it has a
    DOI (a journal article), else a ``CreativeWork`` from its source; empty parts left out.
    """
    scholarly = bool(reference.doi)
    work = {"@type": "ScholarlyArticle" if scholarly else "CreativeWork", "name": reference.title}
    if people := author_names(reference.authors):
        work["author"] = [{"@type": "Person", "name": name} for name in people]
    if reference.source:
        if scholarly:
            work["isPartOf"] = {"@type": "Periodical", "name": reference.source}
        else:
            work["publisher"] = {"@type": "Organization", "name": reference.source}
    if reference.date:
        work["datePublished"] = reference.date.isoformat()
    elif reference.year:
        work["datePublished"] = str(reference.year)
    if reference.doi:
        work["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": reference.doi}
        work["sameAs"] = reference.doi_url
    if reference.url:
        work["url"] = reference.url
    return work


# "et al." closes a shortened author list (Vancouver style); it names nobody.
ET_AL = re.compile(r"^et\.? al\.?$", re.IGNORECASE)


def author_names(authors: str) -> list[str]:
    """The people in a reference's authors ("Silber MH, Buchfuhrer MJ, et al.")."""
    names = (name.strip().rstrip(".").strip() for name in authors.split(","))
    return [name for name in names if name and not ET_AL.match(name + ".")]


class ArticleDetailSerializer(ReadModelSerializer):
    """A public article with every part, in reading order: intro, sections (with images after
    the sections they follow), references. ``json_ld`` goes into the page's head as is."""

    published_at = IsoDateTimeField(read_only=True, help_text="When the article became public.")
    tags = TagSerializer(many=True, read_only=True)
    toc = TocEntrySerializer(source="sections", many=True, read_only=True)
    sections = SectionSerializer(many=True, read_only=True)
    images = ImageSerializer(many=True, read_only=True)
    references = ReferenceSerializer(many=True, read_only=True)
    reviewed_by = serializers.SerializerMethodField(
        help_text="Who last reviewed the article medically; null: no reviewer named."
    )
    review = ReviewScheduleSerializer(source="*", read_only=True)
    author = AuthorField(help_text="The byline, typed; null: no byline.")
    json_ld = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "intro",
            "intro_html",
            "byline",
            "author",
            "published_at",
            "updated_at",
            "last_reviewed_on",
            "reviewed_by",
            "review",
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

    @extend_schema_field(STRUCTURED_DATA_REF)
    def get_json_ld(self, article: Article) -> dict:
        return structured_data(article)
