"""Use cases for the escalation matrix (E1)."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.services import audit_record, require_perm
from expoe_portal.phone import normalise_e164

from .models import EscalationContact

MATRIX_FILE = Path(__file__).resolve().parent / "data" / "escalation_matrix.json"
CONTACT_FIELDS = ("role", "name", "phone", "email")


@dataclass
class MatrixLoadResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def _clean_contact_values(values: dict) -> dict:
    cleaned = {key: str(values.get(key) or "").strip() for key in CONTACT_FIELDS}
    try:
        cleaned["phone"] = normalise_e164(cleaned["phone"])
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    return cleaned


@transaction.atomic
def escalation_matrix_load(*, path: Path = MATRIX_FILE, overwrite: bool = False) -> MatrixLoadResult:
    """E1: load the matrix from its data file. Idempotent: missing levels are created; existing
    levels are left as managers edited them unless `overwrite` resets them to the file."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    levels = [row.get("level") for row in rows]
    if sorted(levels) != [0, 1, 2, 3]:
        raise ValidationError(f"The matrix file must list levels 0, 1, 2 and 3 once each; it lists {levels}.")
    result = MatrixLoadResult()
    for row in rows:
        values = _clean_contact_values(row)
        contact = EscalationContact.objects.select_for_update().filter(level=row["level"]).first()
        if contact is None:
            contact = EscalationContact(level=row["level"], **values)
            contact.full_clean()
            contact.save()
            result.created.append(contact.level)
        elif overwrite and any(getattr(contact, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(contact, key, value)
            contact.full_clean()
            contact.save()
            result.updated.append(contact.level)
        else:
            result.unchanged.append(contact.level)
    return result


@transaction.atomic
def escalation_contact_update(*, by, contact: EscalationContact, **values) -> EscalationContact:
    """E1: a manager changes who is called at one level."""
    require_perm(by, "escalations.change_escalationcontact", action="edit the escalation matrix")
    contact = EscalationContact.objects.select_for_update().get(pk=contact.pk)
    cleaned = _clean_contact_values({**{key: getattr(contact, key) for key in CONTACT_FIELDS}, **values})
    changes = {key: [getattr(contact, key), value] for key, value in cleaned.items() if getattr(contact, key) != value}
    for key, value in cleaned.items():
        setattr(contact, key, value)
    contact.updated_by = by
    contact.full_clean()
    contact.save()
    if changes:
        audit_record(actor=by, action="escalation_contact.updated", target=contact, changes=changes)
    return contact
