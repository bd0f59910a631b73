"""P4: port dates are N working days after acceptance, skipping weekends and the public holidays of
the number's country, and for GB of its nation. Expected dates are worked out by hand from the
published bank holidays, not read from the calendar code."""

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from porting.calendar import add_working_days, cancellation_deadline, is_working_day, working_days_between

D = date


@pytest.mark.parametrize(
    ("country", "region", "start", "n", "expected", "why"),
    [
        # Christmas and New Year 2026/27: 25 Dec (Fri), Boxing Day observed Mon 28 Dec, 1 Jan (Fri).
        ("GB", "ENG", D(2026, 12, 23), 5, D(2027, 1, 4), "ENG: Christmas, Boxing Day (observed), New Year"),
        ("GB", "WLS", D(2026, 12, 23), 5, D(2027, 1, 4), "WLS: as England"),
        ("GB", "NIR", D(2026, 12, 23), 5, D(2027, 1, 4), "NIR: as England at Christmas"),
        # Scotland also has 2 January; on a Saturday in 2027 it moves to Monday 4 January.
        ("GB", "SCT", D(2026, 12, 23), 5, D(2027, 1, 5), "SCT: 2 January (substitute Monday 4 Jan)"),
        # Easter 2027: Good Friday 26 Mar everywhere, Easter Monday 29 Mar except in Scotland.
        ("GB", "ENG", D(2027, 3, 25), 2, D(2027, 3, 31), "ENG: Good Friday and Easter Monday"),
        ("GB", "WLS", D(2027, 3, 25), 2, D(2027, 3, 31), "WLS: Good Friday and Easter Monday"),
        ("GB", "NIR", D(2027, 3, 25), 2, D(2027, 3, 31), "NIR: Good Friday and Easter Monday"),
        ("GB", "SCT", D(2027, 3, 25), 2, D(2027, 3, 30), "SCT: Easter Monday is a working day"),
        # The nations' own holidays.
        ("GB", "SCT", D(2026, 11, 27), 1, D(2026, 12, 1), "SCT: St Andrew's Day, Mon 30 Nov 2026"),
        ("GB", "ENG", D(2026, 11, 27), 1, D(2026, 11, 30), "ENG: St Andrew's Day is a working day"),
        ("GB", "SCT", D(2026, 7, 31), 1, D(2026, 8, 4), "SCT: summer bank holiday, first Monday of August"),
        ("GB", "ENG", D(2026, 7, 31), 1, D(2026, 8, 3), "ENG: first Monday of August is a working day"),
        ("GB", "ENG", D(2026, 8, 28), 1, D(2026, 9, 1), "ENG: late summer bank holiday, last Monday of August"),
        ("GB", "SCT", D(2026, 8, 28), 1, D(2026, 8, 31), "SCT: last Monday of August is a working day"),
        ("GB", "NIR", D(2027, 3, 16), 1, D(2027, 3, 18), "NIR: St Patrick's Day, Wed 17 Mar 2027"),
        ("GB", "ENG", D(2027, 3, 16), 1, D(2027, 3, 17), "ENG: St Patrick's Day is a working day"),
        ("GB", "NIR", D(2027, 7, 9), 1, D(2027, 7, 13), "NIR: Battle of the Boyne, Mon 12 July 2027"),
        ("GB", "ENG", D(2027, 7, 9), 1, D(2027, 7, 12), "ENG: 12 July is a working day"),
        ("GB", "WLS", D(2027, 2, 26), 1, D(2027, 3, 1), "WLS: St David's Day is not a bank holiday"),
        # Germany (federal holidays): 24 Dec is a working day, 25 and 26 Dec are not, no substitutes.
        ("DE", "", D(2026, 12, 23), 5, D(2026, 12, 31), "DE: Christmas Day only on the weekdays"),
        ("DE", "", D(2027, 3, 25), 2, D(2027, 3, 31), "DE: Karfreitag and Ostermontag"),
        ("DE", "", D(2027, 5, 5), 1, D(2027, 5, 7), "DE: Christi Himmelfahrt, Thu 6 May 2027"),
        ("DE", "", D(2028, 10, 2), 1, D(2028, 10, 4), "DE: Tag der Deutschen Einheit, Tue 3 Oct 2028"),
        ("DE", "", D(2027, 12, 31), 1, D(2028, 1, 3), "DE: Neujahr on a Saturday, not moved"),
        # France: Easter Monday but not Good Friday; 26 Dec is a working day; 14 July.
        ("FR", "", D(2026, 12, 23), 3, D(2026, 12, 29), "FR: Christmas Day only"),
        ("FR", "", D(2027, 3, 25), 2, D(2027, 3, 30), "FR: Easter Monday, not Good Friday"),
        ("FR", "", D(2027, 7, 13), 1, D(2027, 7, 15), "FR: Fête nationale, Wed 14 July 2027"),
        ("FR", "", D(2027, 12, 31), 1, D(2028, 1, 3), "FR: New Year's Day on a Saturday"),
        ("IE", "", D(2027, 3, 16), 1, D(2027, 3, 18), "IE: St Patrick's Day"),
    ],
)
def test_P4_port_date_skips_weekends_and_the_right_holidays(country, region, start, n, expected, why):
    assert add_working_days(start, n, country, region) == expected, why


def test_P4_22_working_days_across_christmas_in_every_nation():
    """A GB analogue port accepted on Fri 11 Dec 2026 (22 working days, P4)."""
    # ENG/WLS/NIR: Dec 14-24 (9), 29-31 (3) = 12; Jan 4-8 (5) = 17; Jan 11-15 = 22 -> 15 Jan.
    # SCT loses 4 Jan (2 January's substitute) -> 18 Jan.
    expected = {"ENG": D(2027, 1, 15), "WLS": D(2027, 1, 15), "NIR": D(2027, 1, 15), "SCT": D(2027, 1, 18)}
    for region, day in expected.items():
        assert add_working_days(D(2026, 12, 11), 22, "GB", region) == day, region


def test_P4_acceptance_day_itself_does_not_count_even_on_a_weekend():
    assert add_working_days(D(2026, 11, 28), 1, "GB", "ENG") == D(2026, 11, 30)  # Saturday -> Monday
    assert add_working_days(D(2026, 11, 27), 0, "GB", "ENG") == D(2026, 11, 27)


def test_P4_working_days_between_counts_what_add_working_days_adds():
    assert working_days_between(D(2026, 12, 11), D(2027, 1, 15), "GB", "ENG") == 22
    assert working_days_between(D(2026, 12, 11), D(2027, 1, 15), "GB", "SCT") == 21
    assert working_days_between(D(2026, 12, 11), D(2026, 12, 11), "GB", "ENG") == 0


def test_P4_holidays_are_not_working_days():
    assert not is_working_day(D(2026, 11, 30), "GB", "SCT")
    assert is_working_day(D(2026, 11, 30), "GB", "ENG")
    assert not is_working_day(D(2026, 12, 5), "GB", "ENG")  # a Saturday


def test_P7_cancellation_deadline_is_48_real_hours_before_uk_midnight():
    # Winter (GMT): 00:00 on 1 Dec 2026 is 00:00 UTC; two days earlier.
    assert cancellation_deadline(D(2026, 12, 1)).isoformat() == "2026-11-29T00:00:00+00:00"
    # Summer (BST): 00:00 on 1 Jul 2027 is 23:00 UTC the evening before.
    assert cancellation_deadline(D(2027, 7, 1)).isoformat() == "2027-06-28T23:00:00+00:00"
    # Across the spring clock change (28 Mar 2027, 01:00 GMT -> 02:00 BST): 00:00 BST on 30 Mar is
    # 23:00 UTC on 29 Mar; 48 real hours before is 23:00 UTC (GMT) on 27 Mar, not 00:00 on 28 Mar.
    assert cancellation_deadline(D(2027, 3, 30)).isoformat() == "2027-03-27T23:00:00+00:00"


REGIONS = [("GB", "ENG"), ("GB", "SCT"), ("GB", "WLS"), ("GB", "NIR"), ("DE", ""), ("FR", ""), ("IE", ""), ("ES", "")]
TODAY = D(2026, 11, 27)


@settings(max_examples=300, deadline=None)
@given(
    accepted=st.dates(min_value=TODAY, max_value=TODAY + timedelta(days=5 * 366)),
    where=st.sampled_from(REGIONS),
    n=st.sampled_from([1, 5, 20, 22]),
)
def test_P4_port_date_is_exactly_n_working_days_after_acceptance(accepted, where, n):
    """For any acceptance date in the next 5 years: the port date is a working day, never a holiday,
    and exactly n working days after acceptance (checked against the holidays package directly)."""
    country, region = where
    port = add_working_days(accepted, n, country, region)
    years = range(accepted.year, port.year + 1)
    official = holidays.country_holidays(country, subdiv=region or None, years=years)
    assert port.weekday() < 5
    assert port not in official
    days = [accepted + timedelta(days=i) for i in range(1, (port - accepted).days + 1)]
    working = [d for d in days if d.weekday() < 5 and d not in official]
    assert len(working) == n
    assert working[-1] == port
