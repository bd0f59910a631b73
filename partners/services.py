"""Use cases for partners and their contacts. Each runs in one transaction."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services import audit_record, require_perm
from expoe_portal.phone import normalise_e164

from .models import Partner, PartnerContact

PARTNER_EDITABLE_FIELDS = ("name", "clone_group_id", "live", "mfa_required")


CONTACT_REQUIRED = "Add at least one contact with an email address and phone number."


def _build_contacts(partner: Partner, contacts: list[dict[str, str]]) -> list[PartnerContact]:
    if not contacts:
        raise ValidationError({"contacts": ["Add at least one contact with an email address and phone number."]})
    built: list[PartnerContact] = []
    errors: list[str] = []
    for number, data in enumerate(contacts, start=1):
        contact = PartnerContact(
            partner=partner,
            name=(data.get("name") or "").strip(),
            role=(data.get("role") or "").strip(),
            email=(data.get("email") or "").strip(),
        )
        try:
            contact.phone = normalise_e164(data.get("phone") or "")
        except ValidationError as exc:
            errors.append(f"Contact {number}: {exc.messages[0]}")
        try:
            contact.full_clean(exclude=["partner", "phone"])
        except ValidationError as exc:
            errors.extend(
                f"Contact {number}, {field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs
            )
        built.append(contact)
    if errors:
        raise ValidationError({"contacts": errors})
    return built


def _checked(
    partner: Partner,
    contacts: list[dict[str, Any]] | None,
    *,
    validate_constraints: bool = True,
    errors: dict[str, list[str]] | None = None,
) -> list[PartnerContact] | None:
    """Every problem with the partner and its contacts at once (ValidationError), or the contacts
    to save (None when they are not being changed)."""
    found: dict[str, list[str]] = {}
    try:
        partner.full_clean(validate_constraints=validate_constraints)
    except ValidationError as exc:
        found.update(exc.message_dict)
    for field, messages in (errors or {}).items():
        found.setdefault(field, []).extend(messages)
    errors = found
    built = None
    if contacts is not None:
        try:
            built = _build_contacts(partner, contacts)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return built


@transaction.atomic
def partner_create(
    *,
    by: User,
    partner_id: str,
    name: str,
    clone_group_id: str = "",
    live: bool = False,
    mfa_required: bool = False,
    contacts: list[dict[str, str]],
) -> Partner:
    require_perm(by, "partners.add_partner", action="create partners")
    partner = Partner(
        partner_id=partner_id.strip(),
        name=name.strip(),
        clone_group_id=clone_group_id.strip(),
        live=live,
        mfa_required=mfa_required,
    )
    extra = {}
    if Partner.objects.filter(partner_id__iexact=partner.partner_id).exists():
        # The database constraint is the guard; this names the field for the person typing.
        extra["partner_id"] = ["A partner with this ID already exists (ignoring case)."]
    built = _checked(partner, contacts, validate_constraints=False, errors=extra)
    assert built is not None  # a new partner always comes with its contacts
    partner.save()
    for contact in built:
        contact.partner = partner
    PartnerContact.objects.bulk_create(built)
    audit_record(
        actor=by,
        action="partner.created",
        target=partner,
        changes={"partner_id": partner.partner_id, "name": partner.name},
    )
    return partner


@transaction.atomic
def partner_update(
    *, by: User, partner: Partner, contacts: list[dict[str, str]] | None = None, **fields: str | bool
) -> Partner:
    """Change a partner's editable fields; `contacts`, when given, replaces the contact list.

    The partner ID is not editable: it is the BroadWorks service provider ID every platform knows.
    """
    require_perm(by, "partners.change_partner", action="edit partners")
    unknown = set(fields) - set(PARTNER_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in sorted(unknown)})
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    changes: dict[str, Any] = {}
    for field, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(partner, field) != value:
            changes[field] = [getattr(partner, field), value]
            setattr(partner, field, value)
    built = _checked(partner, contacts)
    partner.save()
    if built is not None:
        partner.contacts.all().delete()
        PartnerContact.objects.bulk_create(built)
        changes["contacts"] = [c.email for c in built]
    if changes:
        audit_record(actor=by, action="partner.updated", target=partner, changes=changes)
    return partner
