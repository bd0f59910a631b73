"""Phone numbers are stored as E.164 (API.md); UK national formats are accepted and normalised."""

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "GB"


def normalise_e164(value: str, *, region: str = DEFAULT_REGION) -> str:
    """Return `value` as E.164, or raise ValidationError saying why it is not a number."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError("Enter a phone number.", code="required")
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"“{raw}” is not a phone number.", code="invalid") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(f"“{raw}” is not a valid phone number.", code="invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_national(e164: str) -> str:
    """A stored E.164 number as a person in its country would write it (020 7096 4049)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, fmt)


def validate_e164(value: str) -> None:
    """Model-field validator: the stored value must already be E.164."""
    if normalise_e164(value) != value:
        raise ValidationError(f"“{value}” is not in E.164 form (for example +442070964049).", code="invalid")
