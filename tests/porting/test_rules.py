"""P3, P4, P6: lead times and each country's required fields are data, seeded and editable."""

import pytest

from porting.models import LeadTimeRule, PortingCountry
from porting.rules import country_requirements, lead_time_rule_for, load_porting_rules

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "number_type", "days", "house_rule"),
    [
        ("GB", "analogue", 22, False),
        ("GB", "multi_line", 22, False),
        ("GB", "isdn", 22, False),
        ("GB", "mobile", 22, True),  # the guide gives no UK mobile lead time
        ("GB", "non_geographic", 22, True),
        ("DE", "isdn", 20, False),  # other European countries: 20
        ("FR", "mobile", 20, False),
        ("IE", "analogue", 20, False),
        ("US", "analogue", 20, True),  # outside Europe: the editable default
        ("AU", "mobile", 20, True),
    ],
)
def test_P4_lead_time_rule_for_each_case(country, number_type, days, house_rule):
    rule = lead_time_rule_for(country, number_type)
    assert (rule.working_days, rule.house_rule) == (days, house_rule)
    assert ("house rule" in rule.label) == house_rule


def test_P4_an_edited_rule_is_used_and_survives_reloading():
    rule = LeadTimeRule.objects.get(country="DE", number_type="")
    rule.working_days = 15
    rule.save()
    assert load_porting_rules() == {"countries": 0, "rules": 0}
    assert lead_time_rule_for("DE", "analogue").working_days == 15
    load_porting_rules(overwrite=True)
    assert lead_time_rule_for("DE", "analogue").working_days == 20


def test_P4_a_country_specific_type_rule_beats_the_country_rule():
    LeadTimeRule.objects.create(country="DE", number_type="mobile", working_days=5, house_rule=True)
    assert lead_time_rule_for("DE", "mobile").working_days == 5
    assert lead_time_rule_for("DE", "isdn").working_days == 20


def test_P4_without_a_default_an_uncovered_case_is_an_error_not_a_guess():
    LeadTimeRule.objects.filter(country="").delete()
    with pytest.raises(LookupError):
        lead_time_rule_for("US", "analogue")


def test_P3_P6_gb_requires_the_guides_fields_and_its_nation():
    gb = country_requirements("GB")
    assert set(gb.required_fields) >= {
        "main_billing_number",
        "numbers",
        "registered_address",
        "postcode",
        "losing_provider",
        "range_holder",
        "region",
    }
    assert gb.regions == ["ENG", "SCT", "WLS", "NIR"]
    de = country_requirements("DE")
    assert "postcode" not in de.required_fields and "region" not in de.required_fields
    assert country_requirements("XX") is None


def test_P6_loading_is_idempotent():
    before = (PortingCountry.objects.count(), LeadTimeRule.objects.count())
    load_porting_rules()
    load_porting_rules()
    assert (PortingCountry.objects.count(), LeadTimeRule.objects.count()) == before
    assert before[0] >= 3 and before[1] >= 6


def test_P4_the_load_porting_rules_command_keeps_edits_unless_told_to_overwrite(db):
    import io

    from django.core.management import call_command

    from porting.models import LeadTimeRule

    rule = LeadTimeRule.objects.get(country="DE", number_type="")
    LeadTimeRule.objects.filter(pk=rule.pk).update(working_days=17)
    out = io.StringIO()
    call_command("load_porting_rules", stdout=out)
    assert "0 countries and 0 rules added" in out.getvalue()
    assert LeadTimeRule.objects.get(pk=rule.pk).working_days == 17
    call_command("load_porting_rules", "--overwrite", stdout=io.StringIO())
    assert LeadTimeRule.objects.get(pk=rule.pk).working_days == 20


def test_P4_a_flush_brings_the_seeded_rules_back_and_keeps_edits():
    # A test database's flush (or a migrate) empties or skips the data migration's rows; the
    # post_migrate handler puts them back, so no test depends on which test ran before it.
    from django.core.management.sql import emit_post_migrate_signal

    LeadTimeRule.objects.filter(country="DE", number_type="").update(working_days=17)
    LeadTimeRule.objects.filter(country="GB").delete()
    PortingCountry.objects.filter(code="GB").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert country_requirements("GB").regions == ["ENG", "SCT", "WLS", "NIR"]
    assert lead_time_rule_for("GB", "analogue").working_days == 22
    assert lead_time_rule_for("DE", "analogue").working_days == 17
