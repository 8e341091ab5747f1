import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory
pytestmark = pytest.mark.django_db
def test_probe(client, moderator):
    client.force_login(moderator)
    a = ArticleFactory()
    CommentFactory.create_batch(5, article=a, status="pending")
    client.get("/admin/comments/pendingcomment/")
    with CaptureQueriesContext(connection) as c:
        client.get("/admin/comments/pendingcomment/")
    for q in c.captured_queries: print(q["sql"][:200])
