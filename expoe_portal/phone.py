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
    # phonenumbers.is_valid_number, with the region it finds kept for region_of (a bulk port asks
    # both of 10,000 numbers; the region is the costly half).
    found = phonenumbers.region_code_for_number(parsed)
    if not phonenumbers.is_valid_number_for_region(parsed, found):
        raise ValidationError(f"“{raw}” is not a valid phone number.", code="invalid")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if len(_REGIONS) >= _REGIONS_KEPT:
        _REGIONS.clear()
    _REGIONS[e164] = found
    return e164


# The region of each number normalised lately (a memo: the same number always has the same region).
_REGIONS: dict[str, str | None] = {}
_REGIONS_KEPT = 50_000


def region_of(e164: str) -> str | None:
    """The region (ISO 3166-1 alpha-2) of an E.164 number, as phonenumbers.region_code_for_number."""
    if (found := _REGIONS.get(e164)) is not None:
        return found
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))


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
