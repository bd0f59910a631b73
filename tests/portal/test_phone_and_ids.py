"""Property tests for the parsers every form and endpoint relies on."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from expoe_portal.phone import format_national, normalise_e164
from partners.validators import broadworks_id_validator

# London (020 7946 0xxx) and Manchester (0161 496 0xxx) numbers reserved for drama/testing by Ofcom.
uk_numbers = st.one_of(
    st.integers(0, 999).map(lambda n: f"020 7946 0{n:03d}"),
    st.integers(0, 999).map(lambda n: f"0161 496 0{n:03d}"),
)


@given(uk_numbers)
def test_uk_national_numbers_normalise_to_e164_and_back(national):
    e164 = normalise_e164(national)
    assert e164.startswith("+44") and e164[1:].isdigit()
    assert normalise_e164(e164) == e164  # idempotent
    assert format_national(e164).replace(" ", "") == national.replace(" ", "")


@given(st.text(max_size=40))
def test_any_text_either_normalises_or_raises_a_validation_error(text):
    try:
        result = normalise_e164(text)
    except ValidationError as exc:
        assert exc.messages and exc.messages[0]
    else:
        assert result.startswith("+") and result[1:].isdigit()


@pytest.mark.parametrize("value", ["ACME01", "a", "Partner_2.v-3", "X" * 30])
def test_valid_broadworks_ids(value):
    broadworks_id_validator(value)


@pytest.mark.parametrize("value", ["", " ACME", "-ACME", "has space", "a/b", "X" * 31, "ünï", "ACME\n"])
def test_invalid_broadworks_ids(value):
    with pytest.raises(ValidationError):
        broadworks_id_validator(value)


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,29}", fullmatch=True))
def test_every_id_of_the_documented_shape_is_accepted(value):
    broadworks_id_validator(value)
