"""Use cases for users and the audit trail. Services are the only code that changes state."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from .choices import Role
from .models import SHARED, AuditEvent, User
from .roles import group_name


def require_perm(user: User | AnonymousUser | None, perm: str, *, action: str) -> None:
    """Refuse `action` unless `user` holds `perm`; services call this before any change."""
    if user is None or not user.is_authenticated or not user.has_perm(perm):
        raise PermissionDenied(f"You are not allowed to {action}.")


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Model | None,
    changes: dict[str, Any] | None = None,
    target_label: str = "",
) -> AuditEvent:
    """One audit row, in the caller's transaction. It belongs to the target's partner (found by the
    target's PARTNER_SCOPE), so the audit log is scoped like everything else. A row with no target
    (a failed log-in as a username nobody has) names what was tried in `target_label` and belongs
    to no partner."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label or (str(target) if target is not None else ""))[:200],
        partner_id=partner_id_of(target) if target is not None else None,
        changes=changes or {},
    )


def partner_id_of(instance: Model) -> int | None:
    """The id of the partner a row belongs to, by its model's PARTNER_SCOPE; None for shared rows."""
    lookup = getattr(type(instance), "PARTNER_SCOPE", None)
    if lookup in (None, SHARED):
        return None
    if lookup == "pk":
        return instance.pk
    *hops, last = lookup.split("__")
    owner: Any = instance
    for hop in hops:
        owner = getattr(owner, hop)
    return getattr(owner, f"{last}_id")


def user_create(
    *,
    username: str,
    role: str,
    password: str,
    partner: Any = None,  # a partners.Partner (accounts, the lowest app, cannot name it)
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    by: User | None = None,
) -> User:
    """Create a user in one role; a partner user needs exactly one partner, staff none."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [f"Unknown role “{role}”; choose one of {', '.join(Role.values)}."]
    elif role == Role.PARTNER_USER and partner is None:
        errors["partner"] = ["A partner user must belong to a partner."]
    elif role != Role.PARTNER_USER and partner is not None:
        errors["partner"] = ["Only partner users belong to a partner."]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"A user named “{username}” already exists."]
    if errors:
        raise ValidationError(errors)

    user = User(
        username=username,
        role=role,
        partner=partner,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        user.groups.set([Group.objects.get(name=group_name(role))])
        audit_record(actor=by, action="user.created", target=user, changes={"role": role})
    return user
