"""Lead-time rules and per-country requirements are data (P3, P4, P6), seeded from
porting/data/porting_rules.json and edited by staff; this module reads and loads them."""

import json
from pathlib import Path

from .choices import REQUIRABLE_FIELDS

DATA_FILE = Path(__file__).resolve().parent / "data" / "porting_rules.json"


def load_porting_rules(*, overwrite: bool = False, country_model=None, rule_model=None) -> dict:
    """Create missing countries and rules from the data file; keep staff's edits unless `overwrite`.

    Takes the models so that the data migration can pass its historical ones."""
    if country_model is None or rule_model is None:
        from .models import LeadTimeRule, PortingCountry

        country_model, rule_model = country_model or PortingCountry, rule_model or LeadTimeRule
    data = json.loads(DATA_FILE.read_text())
    created = {"countries": 0, "rules": 0}
    for row in data["countries"]:
        unknown = set(row["required_fields"]) - set(REQUIRABLE_FIELDS)
        if unknown:
            raise ValueError(f"{row['code']}: unknown required fields {sorted(unknown)}")
        defaults = {k: row[k] for k in ("name", "european", "regions", "required_fields")}
        if overwrite:
            _, new = country_model.objects.update_or_create(code=row["code"], defaults=defaults)
        else:
            _, new = country_model.objects.get_or_create(code=row["code"], defaults=defaults)
        created["countries"] += new
    for row in data["lead_times"]:
        defaults = {k: row[k] for k in ("working_days", "house_rule", "source")}
        key = {"country": row["country"], "number_type": row["number_type"]}
        if overwrite:
            _, new = rule_model.objects.update_or_create(**key, defaults=defaults)
        else:
            _, new = rule_model.objects.get_or_create(**key, defaults=defaults)
        created["rules"] += new
    return created


def lead_time_rule_for(country: str, number_type: str):
    """The most specific rule: this country and type, else this country, else the default."""
    from .models import LeadTimeRule

    candidates = {
        (r.country, r.number_type): r
        for r in LeadTimeRule.objects.filter(country__in=[country, ""], number_type__in=[number_type, ""])
    }
    for key in ((country, number_type), (country, ""), ("", "")):
        if key in candidates:
            return candidates[key]
    raise LookupError(f"No lead-time rule covers {country} {number_type}, and no default rule exists.")


def country_requirements(country: str):
    """The PortingCountry row (its required fields and regions), or None for a country we do not serve."""
    from .models import PortingCountry

    return PortingCountry.objects.filter(code=country).first()
