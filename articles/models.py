"""The content model: an article and its ordered parts."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from articles.citations import doi_url, format_citation, normalize_doi
from articles.markdown import render_markdown
from articles.validators import validate_doi, validate_image_alt_texts


def with_derived_fields(kwargs: dict, *fields: str) -> dict:
    """Add the fields ``save()`` derives to a partial save's ``update_fields``."""
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], *fields}
    return kwargs


class DOIField(models.CharField):
    """A DOI, stored bare: ``doi:10.x/y`` and ``https://doi.org/10.x/y`` become ``10.x/y``."""

    def to_python(self, value):
        # Runs before the validators, so a pasted resolver link validates.
        return normalize_doi(super().to_python(value))


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Used in URLs and in the API's ?tag= filter."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


@models.DateTimeField.register_lookup
class UnindexedLessThanOrEqual(LessThanOrEqual):
    """``field__unindexed_lte=value``: ``<=``, which SQLite's planner will not answer from an index.

    SQLite bounds an index range by the first of several conditions on one
    column: ``published_at <= now`` would shadow a paging cursor's tighter
    ``published_at < position``, and a page deep in the archive would scan
    everything newer. The unary ``+`` keeps the column out of its choice.
    PostgreSQL weighs both bounds itself.
    """

    lookup_name = "unindexed_lte"

    def get_rhs_op(self, connection, rhs):
        return connection.operators["lte"] % rhs

    def as_sqlite(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        return f"+{sql}", params


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (negative: back), the 31st kept to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(
        year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1])
    )


# Written only by the services, the change funnel and what hangs on it: a
# saved instance never writes its (possibly older) values back.
FUNNEL_FIELDS = {
    "version",
    "changed_at",
    "announced_published_at",
    "has_unpublished_changes",
    "next_review_on",
}


class ArticleQuerySet(models.QuerySet):
    def review_due(self, by: dt.date | None = None) -> ArticleQuerySet:
        """Published articles never reviewed, or due for their next review by ``by`` (today)."""
        by = by or timezone.localdate()
        return self.filter(status=Article.Status.PUBLISHED).filter(
            Q(next_review_on__isnull=True) | Q(next_review_on__lte=by)
        )

    def review_overdue(self, today: dt.date | None = None) -> ArticleQuerySet:
        """Published articles never reviewed, or due for their next review today or before."""
        return self.review_due(today)

    def public(self) -> ArticleQuerySet:
        """Published articles whose publication time has come, with their live version.

        What they say is their live version's (``articles.live``): match on
        ``live__slug`` and ``live__tags``, never on the working rows' fields.
        """
        # Scheduled articles are few: scanning the index past them is cheap.
        return self.filter(
            status=Article.Status.PUBLISHED,
            published_at__unindexed_lte=timezone.now(),
            live__isnull=False,
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The last part of the article's address: letters, numbers and hyphens."),
    )

    class BylineKind(models.TextChoices):
        ORGANIZATION = "organization", _("An organization")
        PERSON = "person", _("A person")

    byline = models.CharField(_("byline"), max_length=200, blank=True)
    # Structured data types the author from these: search engines treat a
    # named clinician and an editorial team differently.
    byline_kind = models.CharField(
        _("the byline names"),
        max_length=12,
        choices=BylineKind.choices,
        default=BylineKind.ORGANIZATION,
    )
    byline_url = models.URLField(
        _("author's page"),
        max_length=500,
        blank=True,
        help_text=_("A page about the author or the organization (https://…)."),
    )
    byline_credentials = models.CharField(
        _("author's credentials"),
        max_length=200,
        blank=True,
        help_text=_("For a person: e.g. MD, RN. Shown after the name."),
    )
    intro = MarkdownxField(
        _("intro"), blank=True, validators=[validate_image_alt_texts], help_text=_("Markdown.")
    )
    intro_html = models.TextField(_("intro (HTML)"), blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_(
            "When the article becomes public. A future time schedules it; "
            "left empty, publishing sets it to now."
        ),
    )
    last_reviewed_on = models.DateField(
        _("last reviewed on"),
        null=True,
        blank=True,
        help_text=_("Date of the last medical review."),
    )
    reviewer_name = models.CharField(
        _("medical reviewer"),
        max_length=200,
        blank=True,
        help_text=_("Who last reviewed the article medically, e.g. Dr Jane Doe."),
    )
    reviewer_credentials = models.CharField(
        _("reviewer's credentials"),
        max_length=200,
        blank=True,
        help_text=_("e.g. MD, consultant neurologist."),
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    comments_enabled = models.BooleanField(
        _("comments enabled"),
        default=True,
        help_text=_("Readers may post comments. Existing approved comments stay visible."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the changes to what the public sees; built documents record it."),
    )
    changed_at = models.DateTimeField(
        _("changed at"),
        default=timezone.now,
        editable=False,
        help_text=_("When the article was last marked changed: what the public sees moved then."),
    )
    # Set while webhooks have told frontends the article is public; null
    # otherwise. Written only by articles.webhooks.
    announced_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Months between medical reviews, for this article (empty: the site's).
    review_interval_months = models.PositiveSmallIntegerField(
        _("review every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Leave empty for the site's interval."),
    )
    # The last review's date plus the interval (articles.review), for the
    # lists that order and filter by it.
    next_review_on = models.DateField(_("next review"), null=True, blank=True, editable=False)
    # A published article's working rows differ from its live version (set
    # by articles.services on each save; publishing or discarding clears it).
    has_unpublished_changes = models.BooleanField(
        _("unpublished changes"), default=False, editable=False
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish articles and their changes")),
            ("sign_off_article", _("Can sign off articles medically")),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_public_idx"),
            # The newest change of a public article: the list's Last-Modified.
            models.Index(fields=["status", "-changed_at"], name="article_changed_idx"),
            models.Index(fields=["next_review_on"], name="article_next_review_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.intro_html = render_markdown(self.intro)
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The change counter belongs to articles_mark_changed: an instance
            # read before a change must not write its older count back, or a
            # stale built document would pass for fresh.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in FUNNEL_FIELDS
            ]
        super().save(*args, **with_derived_fields(kwargs, "intro_html", "updated_at"))

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not self.byline and (self.byline_url or self.byline_credentials):
            message = _("Name the author in the byline first.")
            errors["byline"] = message
        if self.byline_credentials and self.byline_kind != self.BylineKind.PERSON:
            errors["byline_credentials"] = _(
                "Credentials belong to a person: choose “A person” or leave them empty."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


class OrderedPart(models.Model):
    """A part of an article that has its place in the article's order."""

    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


def section_anchor(heading: str, taken: set[str]) -> str:
    """Derive an anchor from ``heading`` that is not in ``taken``."""
    base = slugify(heading)[:90] or "section"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    return anchor


class Section(OrderedPart):
    class Level(models.IntegerChoices):
        SECTION = 2, _("Section (level 2)")
        SUBSECTION = 3, _("Sub-section (level 3)")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sections", verbose_name=_("article")
    )
    heading = models.CharField(_("heading"), max_length=200)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.SECTION
    )
    anchor = models.SlugField(
        _("anchor"),
        max_length=100,
        blank=True,
        help_text=_("The #fragment that links here. Left blank, it is derived from the heading."),
    )
    body = MarkdownxField(
        _("body"), blank=True, validators=[validate_image_alt_texts], help_text=_("Markdown.")
    )
    body_html = models.TextField(_("body (HTML)"), blank=True, editable=False)

    class Meta(OrderedPart.Meta):
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "anchor"],
                name="section_anchor_unique_per_article",
                violation_error_code="duplicate_anchor",
                violation_error_message=_("Another section of this article has this anchor."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=[2, 3]),
                name="section_level_2_or_3",
                violation_error_code="invalid_level",
                violation_error_message=_("A section's level is 2 or 3."),
            ),
        ]

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs) -> None:
        if not self.anchor:
            self.anchor = section_anchor(self.heading, self._sibling_anchors())
        self.body_html = render_markdown(self.body)
        super().save(*args, **with_derived_fields(kwargs, "anchor", "body_html"))

    def clean(self) -> None:
        if not self.anchor and self.heading and self.article_id:
            self.anchor = section_anchor(self.heading, self._sibling_anchors())

    def _sibling_anchors(self) -> set[str]:
        siblings = Section.objects.filter(article_id=self.article_id).exclude(pk=self.pk)
        return set(siblings.values_list("anchor", flat=True))


IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]


def image_upload_to(instance: Image, filename: str) -> str:
    # A random name: the URL of a draft's image cannot be guessed from its title.
    return f"articles/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Image(OrderedPart):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="images", verbose_name=_("article")
    )
    file = models.ImageField(
        _("file"),
        upload_to=image_upload_to,
        width_field="width",
        height_field="height",
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS)],
        help_text=_("JPEG, PNG, WebP or GIF."),
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        help_text=_("Describes the image for people who cannot see it. Required."),
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    after_section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("after section"),
        help_text=_("The section this image follows. Empty: after the intro."),
    )

    class Meta(OrderedPart.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("alt_text")), 0),
                name="image_alt_text_required",
                violation_error_code="alt_text_required",
                violation_error_message=_("Every image needs alt text."),
            ),
        ]

    def __str__(self) -> str:
        return self.alt_text

    def clean_fields(self, exclude=None) -> None:
        # White space alone is no description: strip it so "required" catches it.
        self.alt_text = (self.alt_text or "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if (
            self.after_section_id
            and self.article_id
            and self.after_section.article_id != self.article_id
        ):
            message = _("Choose a section of this article.")
            raise ValidationError(
                {"after_section": ValidationError(message, code="foreign_section")}
            )


class ImageRendition(models.Model):
    """A smaller copy of an image for ``srcset``, made by a task; never larger than the original."""

    # Null once the image row is gone from the draft while the live version
    # still shows its file (articles.signals): the copies serve that until it goes.
    image = models.ForeignKey(
        Image, on_delete=models.SET_NULL, null=True, related_name="renditions"
    )
    # The original file it was made from: a new upload makes it stale. The
    # live version finds its copies by it.
    source = models.CharField(max_length=255, db_index=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=10)  # the MIME subtype: webp, jpeg, png, gif
    file = models.ImageField(upload_to="renditions/%Y/%m/", max_length=255)

    class Meta:
        ordering = ["width", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "source", "width", "format"], name="one_rendition_per_size"
            )
        ]

    def __str__(self) -> str:
        return f"{self.image_id} {self.width}w {self.format}"


class Reference(OrderedPart):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="references", verbose_name=_("article")
    )
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Journal, site or publisher.")
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(9999)],
    )
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Full publication date, when cited.")
    )
    doi = DOIField(
        _("DOI"),
        max_length=200,
        blank=True,
        validators=[validate_doi],
        help_text=_("For example 10.1016/j.sleep.2016.01.017 (without https://doi.org/)."),
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    accessed_on = models.DateField(_("accessed on"), null=True, blank=True)
    citation = models.TextField(_("citation"), blank=True, editable=False)

    class Meta(OrderedPart.Meta):
        verbose_name = _("reference")
        verbose_name_plural = _("references")

    def __str__(self) -> str:
        # Without its closing full stop: Django's messages quote it and add their own.
        return (self.citation or self.title).rstrip(".")

    def save(self, *args, **kwargs) -> None:
        self.doi = normalize_doi(self.doi)
        if self.date and not self.year:
            self.year = self.date.year
        self.citation = format_citation(self)
        super().save(*args, **with_derived_fields(kwargs, "doi", "year", "citation"))

    @property
    def doi_url(self) -> str:
        return doi_url(self.doi)

    def clean(self) -> None:
        if not (self.title or self.source):
            raise ValidationError(
                _("A reference needs a title or a source."), code="empty_reference"
            )
        if self.date and self.year and self.date.year != self.year:
            message = _("The year and the date disagree.")
            raise ValidationError({"year": ValidationError(message, code="year_date")})


class SnapshotEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder keeping a time's microseconds: a snapshot's times read back
    as the rows had them (DjangoJSONEncoder cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            return o.isoformat()
        return super().default(o)


class LiveArticle(models.Model):
    """The live version of a published article: its content fields and parts, as data.

    Built documents, the search index, feeds and the sitemap are built from it
    (``articles.live``), never from the rows editors work on; its slug and tags
    are columns too, for the public lookups and the ``?tag=`` filter.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="live"
    )
    # Bump when the shape of ``content`` changes (articles.live reads both).
    FORMAT = 1
    format = models.PositiveSmallIntegerField(_("format"), default=FORMAT)
    # Django's serializer, Python form: {"article": fields, "tags": ids,
    # "sections", "images", "references": rows}.
    content = models.JSONField(_("content"), encoder=SnapshotEncoder)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="+")
    changed_at = models.DateTimeField(
        _("went live at"),
        default=timezone.now,
        help_text=_("When this content went live: the content's Last-Modified and dateModified."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("live version")
        verbose_name_plural = _("live versions")

    def __str__(self) -> str:
        return self.slug


class Reviewer(models.Model):
    """How a medical reviewer is named to readers: a user with the sign-off permission."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="medical_reviewer",
        verbose_name=_("user"),
    )
    display_name = models.CharField(
        _("name shown to readers"), max_length=200, help_text=_("e.g. Dr Jane Doe.")
    )
    credentials = models.CharField(
        _("credentials"),
        max_length=200,
        blank=True,
        help_text=_("e.g. MD, consultant neurologist."),
    )

    class Meta:
        verbose_name = _("medical reviewer")
        verbose_name_plural = _("medical reviewers")

    def __str__(self) -> str:
        return self.display_name


class SignOff(models.Model):
    """A medical reviewer's sign-off of an article's text as it stood (articles.review)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("article")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    # As readers saw the reviewer then: a later change of name keeps the record.
    reviewer_name = models.CharField(_("reviewer's name"), max_length=200)
    reviewer_credentials = models.CharField(_("reviewer's credentials"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed off at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revision"),
        help_text=_("The draft's newest revision when it was signed off."),
    )
    # What was signed: a digest of the text (articles.review.content_digest).
    content_digest = models.CharField(_("text digest"), max_length=64)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_reason = models.CharField(_("voided because"), max_length=200, blank=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        indexes = [models.Index(fields=["article", "-signed_at"], name="signoff_article_idx")]

    def __str__(self) -> str:
        return f"{self.reviewer_name}, {self.signed_at:%Y-%m-%d}"


class ScheduledChanges(models.Model):
    """A live article's draft, to go live at a time (articles.scheduling)."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="scheduled_changes"
    )
    publish_at = models.DateTimeField(_("publish at"), db_index=True)
    # The text scheduled (articles.review.content_digest): another text is not.
    content_digest = models.CharField(_("text digest"), max_length=64)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), default=timezone.now)

    class Meta:
        verbose_name = _("scheduled changes")
        verbose_name_plural = _("scheduled changes")

    def __str__(self) -> str:
        return f"{self.article_id} at {self.publish_at:%Y-%m-%d %H:%M}"


class DraftEdit(models.Model):
    """``user`` changed the article's text since it was last live: they do not sign it off."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_draft_edit_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.article_id}"


class ReviewReminderRun(models.Model):
    """The weekly review reminders of one ISO week were sent (by one worker, once)."""

    week = models.CharField(max_length=8, unique=True)  # "2026-W49"
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.week


class ArticleDocument(models.Model):
    """An article's public JSON, built by the API serializers when the article changes.

    The read API serves these bytes as they are; ``version`` tells whether the
    article changed since (see ``articles.documents``).
    """

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="document",
        verbose_name=_("article"),
    )
    version = models.PositiveIntegerField(_("version"), help_text=_("The article's, when built."))
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=32,
        help_text=_("Of the code and settings that shaped it; another one means rebuild."),
    )
    slug = models.SlugField(
        _("slug"), max_length=200, help_text=_("The slug it was built under (caches key by it).")
    )
    detail = models.BinaryField(_("detail"), help_text=_("The detail endpoint's JSON."))
    list_item = models.BinaryField(_("list item"), help_text=_("The article's item in the list."))
    etag = models.CharField(_("ETag"), max_length=40)
    modified_at = models.DateTimeField(_("modified at"), help_text=_("When the JSON last changed."))
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("When a time-dependent part (comments closing) changes; empty: never."),
    )

    class Meta:
        verbose_name = _("article document")
        verbose_name_plural = _("article documents")

    def __str__(self) -> str:
        return f"{self.slug} (version {self.version})"


class SearchDocumentField(models.TextField):
    """The full-text column; ``articles.search`` gives it its one lookup, ``matches``."""


class ArticleSearch(models.Model):
    """An article's entry in the full-text index (``articles.search`` keeps it current).

    The table is the database's own: an FTS5 virtual table on SQLite, a
    ``tsvector`` with a GIN index on PostgreSQL (created by migration 0003).
    Its one searchable column shares the table's name, as FTS5 requires.
    """

    article = models.OneToOneField(
        Article,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        related_name="search_entry",
    )
    document = SearchDocumentField(db_column="articles_search", editable=False)

    class Meta:
        managed = False
        db_table = "articles_search"

    def __str__(self) -> str:
        return f"Search entry of article {self.article_id}"


class WebhookDelivery(models.Model):
    """One POST of one event to one webhook address, and how it went."""

    class Event(models.TextChoices):
        PUBLISHED = "published", _("published")
        UPDATED = "updated", _("updated")
        UNPUBLISHED = "unpublished", _("unpublished")
        DELETED = "deleted", _("deleted")

    url = models.URLField(_("address"), max_length=500)
    event = models.CharField(_("event"), max_length=12, choices=Event.choices)
    article_id = models.BigIntegerField(_("article id"))  # no key: it outlives a deleted article
    slug = models.SlugField(_("slug"), max_length=200)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} {self.slug} → {self.url}"


class HousekeepingRun(models.Model):
    """One day's housekeeping (articles.housekeeping): the unique day lets one worker win."""

    day = models.DateField(_("day"), unique=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Rows deleted or erased, by kind: {"spam comments": 12, ...}.
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("housekeeping run")
        ordering = ["-day"]

    def __str__(self) -> str:
        return self.day.isoformat()


class PeriodicRun(models.Model):
    """One row per minute that the periodic task ran: the unique minute lets one worker win."""

    minute = models.DateTimeField(unique=True)

    class Meta:
        verbose_name = _("periodic run")

    def __str__(self) -> str:
        return self.minute.isoformat()
