from django import template

from articles.admin_index import admin_index_counts as counts_for

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_index_counts(context):
    """The registered counts (articles.admin_index) the user may see."""
    return counts_for(context.get("request"))
