"""Validators for article parts; each error carries a stable code."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Crossref's recommended pattern for modern DOIs: "10." + registrant + "/" + suffix.
DOI_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9<>\[\]]+$")


def validate_doi(value: str) -> None:
    """Reject anything that is not a bare DOI such as 10.1016/j.sleep.2016.01.017."""
    if value and not DOI_RE.match(value):
        raise ValidationError(
            _("Enter a DOI such as 10.1016/j.sleep.2016.01.017."),
            code="invalid_doi",
            params={"value": value},
        )
