from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _

from articles.models import Article
from articles.search import article_search, search_words
from articles.selectors import SEARCH_MAX_WORDS

SEARCH_MAX_LENGTH = 200


def validate_search_words(value: str) -> None:
    # Each word adds conditions to the query: bound the work one request can ask for.
    if len(value.split()) > SEARCH_MAX_WORDS:
        raise ValidationError(
            _("Search for at most %d words.") % SEARCH_MAX_WORDS, code="too_many_words"
        )


class ArticleFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(
        field_name="live__tags__slug", label="Only articles with the tag of this slug."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=(
            "Only articles whose title, intro or sections contain every word (English "
            "stemming: 'causes' finds 'cause'), best match first."
        ),
        validators=[MaxLengthValidator(SEARCH_MAX_LENGTH), validate_search_words],
    )

    class Meta:
        model = Article
        fields = ["tag", "search"]

    def filter_search(self, queryset, name, value):
        return article_search(queryset=queryset, words=search_words(value, SEARCH_MAX_WORDS))
