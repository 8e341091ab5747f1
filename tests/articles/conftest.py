from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.fixture
def prefixes(editor) -> dict[str, str]:
    """The add page's inline form set prefixes, by model name (section, image, reference)."""
    response = editor.get(reverse("admin:articles_article_add"))
    return {
        inline.formset.model._meta.model_name: inline.formset.prefix
        for inline in response.context["inline_admin_formsets"]
    }
