from django.core.validators import RegexValidator

# BroadWorks service provider, enterprise and group IDs: 1-30 characters. We accept the subset
# that is safe in every platform we feed (BroadWorks, Akixi, Call Cabinet) and in URLs.
broadworks_id_validator = RegexValidator(
    regex=r"\A[A-Za-z0-9][A-Za-z0-9_.\-]{0,29}\Z",
    message="Use 1–30 letters, digits, dots, hyphens or underscores, starting with a letter or digit.",
    code="invalid_broadworks_id",
)
