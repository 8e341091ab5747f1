"""The public API contract (DESIGN.md): the fields frontends rely on."""

LIST_ITEM_KEYS = {"slug", "title", "intro", "published_at", "updated_at", "tags", "url"}
ARTICLE_KEYS = {
    "slug",
    "title",
    "intro_html",
    "published_at",
    "updated_at",
    "last_reviewed_on",
    "byline",
    "tags",
    "toc",
    "sections",
    "images",
    "references",
}
SECTION_KEYS = {"anchor", "heading", "level", "body_markdown", "body_html"}
IMAGE_KEYS = {"url", "width", "height", "alt_text", "caption", "credit", "after_section"}
REFERENCE_KEYS = {
    "number",
    "authors",
    "title",
    "source",
    "year",
    "doi",
    "doi_url",
    "url",
    "accessed_on",
    "citation",
}
