from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

# BroadWorks service provider, enterprise and group IDs: 1-30 characters. We accept the subset
# that is safe in every platform we feed (BroadWorks, Akixi, Call Cabinet) and in URLs.
broadworks_id_validator = RegexValidator(
    regex=r"\A[A-Za-z0-9][A-Za-z0-9_.\-]{0,29}\Z",
    message="Use 1–30 letters, digits, dots, hyphens or underscores, starting with a letter or digit.",
    code="invalid_broadworks_id",
)


def broadworks_id_field(verbose_name: str, **options) -> models.CharField:
    """A model field holding a BroadWorks service provider, enterprise or group ID."""
    return models.CharField(verbose_name, max_length=30, validators=[broadworks_id_validator], **options)


def unique_ignoring_case(field: str, *, what: str) -> models.UniqueConstraint:
    """BroadWorks compares IDs case-insensitively in places: two of ours differing only in case
    would collide there, so the database refuses them."""
    return models.UniqueConstraint(
        Lower(field),
        name=f"{field}_unique_ignoring_case",
        violation_error_message=f"A {what} with this ID already exists (ignoring case).",
    )
