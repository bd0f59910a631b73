"""Phone numbers are stored as E.164 (API.md); UK national formats are accepted and normalised."""

import phonenumbers
from django.core.exceptions import ValidationError
from phonenumbers.phonemetadata import PhoneMetadata

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
    found, valid = _region_and_validity(parsed)
    if not valid:
        raise ValidationError(f"“{raw}” is not a valid phone number.", code="invalid")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if len(_REGIONS) >= _REGIONS_KEPT:
        _REGIONS.clear()
    _REGIONS[e164] = found
    return e164


def _region_and_validity(parsed: phonenumbers.PhoneNumber) -> tuple[str | None, bool]:
    """(region_code_for_number, is_valid_number), exactly as phonenumbers answers them, matching the
    number against its patterns once instead of twice where it can: a number valid in the first
    region of its country code is in that region when that region has no leading digits of its own
    (phonenumbers tries the regions in order), as +44 numbers in GB are."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(parsed.country_code, ())
    if regions:
        metadata = PhoneMetadata.metadata_for_region(regions[0])
        first_has_no_leading_digits = metadata is not None and metadata.leading_digits is None
        if first_has_no_leading_digits and phonenumbers.is_valid_number_for_region(parsed, regions[0]):
            return regions[0], True
    found = phonenumbers.region_code_for_number(parsed)
    return found, phonenumbers.is_valid_number_for_region(parsed, found)


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
