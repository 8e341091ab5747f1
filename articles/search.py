"""Full-text search: SQLite FTS5 by default, PostgreSQL ``tsvector`` with a GIN index.

Words are stemmed (English: Porter on SQLite, the ``english`` configuration on
PostgreSQL) and every word must match. Results rank title hits above intro
and heading hits, and those above body hits. Only published articles are
indexed; the index follows the change funnel (``article_changed``), inside
the writer's transaction, so a search answers what the article now says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import Expression, F, FloatField, Lookup, QuerySet
from django.db.models.signals import post_delete
from django.dispatch import receiver

from articles.live import live_apply
from articles.models import Article, ArticleSearch, SearchDocumentField
from articles.signals import Reason, article_changed

WORD_RE = re.compile(r"\w+")
# bm25 weights of the FTS5 columns: title, intro, headings, bodies. PostgreSQL's
# ts_rank weighs A (title) 1.0, B (intro, headings) 0.4, C (bodies) 0.2.
SQLITE_WEIGHTS = "10.0, 4.0, 4.0, 2.0"
# PostgreSQL's query of the words (stemmed, every one required), with " ".join(words).
PG_QUERY = "plainto_tsquery('english', %s)"


def search_words(text: str, limit: int) -> list[str]:
    """The words of ``text`` that a search matches, at most ``limit``."""
    return WORD_RE.findall(text)[:limit]


def _sqlite_query(words: list[str]) -> str:
    # Each word a quoted string: FTS5 syntax in the text ("OR", "NEAR", "*")
    # stays plain words. Separate strings must all match.
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


@SearchDocumentField.register_lookup
class Matches(Lookup):
    """``search_entry__document__matches=words``: every word, stemmed, is in the document."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = self.rhs
        if connection.vendor == "postgresql":
            return f"{lhs} @@ {PG_QUERY}", [*lhs_params, " ".join(words)]
        if connection.vendor == "sqlite":
            return f"{lhs} MATCH %s", [*lhs_params, _sqlite_query(words)]
        raise NotImplementedError(f"No full-text search on {connection.vendor}.")

    def get_prep_lookup(self):
        return list(self.rhs)

    def process_rhs(self, compiler, connection):
        return "", []


class Relevance(Expression):
    """How well an article matches ``words``: higher is better. Use with ``matches``."""

    output_field = FloatField()

    def __init__(self, words: list[str]) -> None:
        super().__init__()
        self.words = words
        self.document = F("search_entry__document")

    def get_source_expressions(self):
        return [self.document]

    def set_source_expressions(self, exprs):
        (self.document,) = exprs

    def as_sql(self, compiler, connection):
        document, params = compiler.compile(self.document)
        if connection.vendor == "postgresql":
            # As double precision: a real comes back rounded to its shortest
            # text, which would not compare equal when a cursor sends it back.
            sql = f"ts_rank({document}, {PG_QUERY})::double precision"
            return sql, [*params, " ".join(self.words)]
        return f"(-bm25({document}, {SQLITE_WEIGHTS}))", params


def article_search(*, queryset: QuerySet[Article], words: list[str]) -> QuerySet[Article]:
    """The articles of ``queryset`` that match every word, with their ``relevance``."""
    if not words:
        return queryset.none()
    return queryset.filter(search_entry__document__matches=words).annotate(
        relevance=Relevance(words)
    )


# Keeping the index current.


def _text(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def search_rows(articles: Iterable) -> list[tuple]:
    """Index rows of ``articles`` (with their sections prefetched): id, then the texts."""
    rows = []
    for article in articles:
        sections = list(article.sections.all())
        rows.append(
            (
                article.pk,
                article.title,
                article.intro,
                _text(*(s.heading for s in sections)),
                _text(*(s.body for s in sections)),
            )
        )
    return rows


def search_write(*, article_ids: list[int], rows: list[tuple]) -> None:
    """Replace the entries of ``article_ids`` with ``rows`` (those still to be found)."""
    table = connection.ops.quote_name(ArticleSearch._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(article_ids), 500):  # SQLite's bound on parameters
            chunk = article_ids[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({placeholders})", chunk)
        if not rows:
            return
        if connection.vendor == "postgresql":
            cursor.executemany(
                f"INSERT INTO {table} (rowid, articles_search) VALUES (%s, "
                "setweight(to_tsvector('english', %s), 'A')"
                " || setweight(to_tsvector('english', %s), 'B')"
                " || setweight(to_tsvector('english', %s), 'B')"
                " || setweight(to_tsvector('english', %s), 'C'))",
                rows,
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (rowid, title, intro, headings, bodies) "
                "VALUES (%s, %s, %s, %s, %s)",
                rows,
            )


def search_orphans_delete() -> int:
    """Drop index entries whose article is gone (deleted with SQL). Returns how many."""
    table = connection.ops.quote_name(ArticleSearch._meta.db_table)
    articles = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE rowid NOT IN (SELECT id FROM {articles})")
        return max(cursor.rowcount, 0)


def search_index(*, article_ids: Iterable[int]) -> None:
    """Index these articles' live versions: published ones in, the others out."""
    ids = list(article_ids)
    if not ids:
        return
    published = Article.objects.filter(pk__in=ids, status=Article.Status.PUBLISHED).only("pk")
    # What the live version says, never the draft.
    search_write(article_ids=ids, rows=search_rows(live_apply(list(published))))


# Changes that leave every searched text as it was: comments, tags.
UNSEARCHED_REASONS = frozenset({Reason.COMMENTS, Reason.TAGS})


@receiver(article_changed, dispatch_uid="articles.search.index")
def index_changed(sender, *, article_ids: frozenset[int], reason: str, **kwargs) -> None:
    """Index the changed articles inside the writer's transaction."""
    if reason not in UNSEARCHED_REASONS:
        search_index(article_ids=article_ids)


@receiver(post_delete, sender=Article, dispatch_uid="articles.search.unindex")
def unindex_deleted(sender, instance: Article, **kwargs) -> None:
    """A deleted article leaves the index (it was marked changed while it still existed)."""
    table = connection.ops.quote_name(ArticleSearch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [instance.pk])
