from __future__ import annotations

import django_filters

from articles.models import Article
from articles.selectors import article_search


class ArticleFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(
        field_name="tags__slug", label="Only articles with the tag of this slug."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label="Only articles whose title, intro or sections contain every word.",
    )

    class Meta:
        model = Article
        fields = ["tag", "search"]

    def filter_search(self, queryset, name, value):
        return article_search(queryset=queryset, text=value)
