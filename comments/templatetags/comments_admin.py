from django import template

from comments.models import Comment

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_comment_count(context) -> int | None:
    """The queue's length, for users who may see the queue; None for others.

    Without the request context processor nobody is known: None (check comments.W002).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (
        user.has_perm("comments.view_comment") or user.has_perm("comments.moderate_comment")
    ):
        return None
    return Comment.objects.pending().count()
