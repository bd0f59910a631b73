"""Lead-time rules and per-country requirements are data (P3, P4, P6), seeded from
porting/data/porting_rules.json and edited by staff; this module reads, loads and changes them."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services import audit_record, require_perm

from .choices import REQUIRABLE_FIELDS, DocumentKind
from .models import LeadTimeRule, PortingCountry

DATA_FILE = Path(__file__).resolve().parent / "data" / "porting_rules.json"


def load_porting_rules(
    *,
    overwrite: bool = False,
    country_model: type[PortingCountry] | None = None,
    rule_model: type[LeadTimeRule] | None = None,
) -> dict[str, int]:
    """Create missing countries and rules from the data file; keep staff's edits unless `overwrite`.

    Takes the models so that the data migration can pass its historical ones."""
    country_model, rule_model = country_model or PortingCountry, rule_model or LeadTimeRule
    data = json.loads(DATA_FILE.read_text())
    created = {"countries": 0, "rules": 0}
    for row in data["countries"]:
        unknown = set(row["required_fields"]) - set(REQUIRABLE_FIELDS)
        if unknown:
            raise ValueError(f"{row['code']}: unknown required fields {sorted(unknown)}")
        if unknown := set(row.get("required_documents", [])) - set(DocumentKind.values):
            raise ValueError(f"{row['code']}: unknown required documents {sorted(unknown)}")
        defaults = {k: row[k] for k in ("name", "european", "regions", "required_fields")}
        if hasattr(country_model, "required_documents"):  # the seed migration's model predates it
            defaults["required_documents"] = row.get("required_documents", [])
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


def lead_time_rule_for(country: str, number_type: str) -> LeadTimeRule:
    """The most specific rule: this country and type, else this country, else the default."""
    candidates = {
        (r.country, r.number_type): r
        for r in LeadTimeRule.objects.filter(country__in=[country, ""], number_type__in=[number_type, ""])
    }
    for key in ((country, number_type), (country, ""), ("", "")):
        if key in candidates:
            return candidates[key]
    raise LookupError(f"No lead-time rule covers {country} {number_type}, and no default rule exists.")


def country_requirements(country: str) -> PortingCountry | None:
    """The PortingCountry row (its required fields and regions), or None for a country we do not serve."""
    return PortingCountry.objects.filter(code=country).first()


@transaction.atomic
def porting_country_update(
    *, by: User, country: PortingCountry, required_fields: list[str], required_documents: list[str] | None = None
) -> PortingCountry:
    """P3, P6: each country's required set is data; managers and administrators change it. Drafts
    are checked against the new set when they are submitted."""
    require_perm(by, "porting.change_leadtimerule", action="change what each country requires")
    unknown = sorted(set(required_fields) - set(REQUIRABLE_FIELDS))
    if unknown:
        raise ValidationError({"required_fields": [f"Not a field a port request has: {', '.join(unknown)}."]})
    if unknown := sorted(set(required_documents or []) - set(DocumentKind.values)):
        raise ValidationError({"required_documents": [f"Not a kind of document: {', '.join(unknown)}."]})
    with transaction.atomic():
        country = PortingCountry.objects.select_for_update().get(pk=country.pk)
        wanted = [name for name in REQUIRABLE_FIELDS if name in required_fields]  # in the form's order
        changes = {"required_fields": [country.required_fields, wanted]}
        country.required_fields = wanted
        if required_documents is not None:
            documents = [kind for kind in DocumentKind.values if kind in required_documents]
            changes["required_documents"] = [country.required_documents, documents]
            country.required_documents = documents
        country.save(update_fields=["required_fields", "required_documents"])
        audit_record(actor=by, action="porting_country.updated", target=country, changes=changes)
    return country


@transaction.atomic
def lead_time_rule_update(
    *, by: User, rule: LeadTimeRule, working_days: int, house_rule: bool, source: str = ""
) -> LeadTimeRule:
    """P4: rules are data; managers and administrators change them. Requests already accepted keep
    the port date (and the rule's label) they were given."""
    require_perm(by, "porting.change_leadtimerule", action="change lead-time rules")
    rule = LeadTimeRule.objects.select_for_update().get(pk=rule.pk)
    changes = {"working_days": [rule.working_days, working_days], "house_rule": [rule.house_rule, house_rule]}
    rule.working_days, rule.house_rule, rule.source, rule.updated_by = working_days, house_rule, source.strip(), by
    rule.full_clean()
    rule.save()
    audit_record(actor=by, action="lead_time_rule.updated", target=rule, changes=changes)
    return rule
