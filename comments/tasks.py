"""Background work of the comments app, on Django's task framework (django-tasks).

Tasks run in a worker (``manage.py db_worker`` with the database backend),
never in the request that enqueued them.
"""

from __future__ import annotations

from django_tasks import task

from comments.models import Comment


@task()
def notify_moderators(comment_id: int) -> None:
    """Email the moderators about a comment that waits for them, if it still does."""
    from comments.services import comment_notify_moderators

    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is not None and comment.status == Comment.Status.PENDING:
        comment_notify_moderators(comment=comment)
