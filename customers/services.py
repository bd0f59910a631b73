"""Use cases for customer groups: their build request (G1-G6, B1, V1-V2, A1-A2, K2, K4, C2-C5) and
the numbers assigned to them (N1, N2). Each runs in one transaction."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from accounts.services import audit_record, require_perm
from expoe_portal import vault
from expoe_portal.transitions import TransitionConflict
from number_pool.choices import NumberStatus
from number_pool.models import Number
from partners.models import Partner

from .build_request import validate_build_request
from .choices import BuildKind, BuildStepName, StepStatus
from .models import AkixiUser, BuildStep, CustomerGroup, GroupAdmin


def can_assign_numbers(user: User, group: CustomerGroup) -> bool:
    """N1: the partner's own users assign their numbers; so do provisioning staff."""
    if user.is_partner_user:
        return user.partner_id == group.partner_id
    return user.has_perm("customers.change_customergroup")


@transaction.atomic
def numbers_assign(*, by: User, group: CustomerGroup, numbers: list[str]) -> int:
    """N1, N2: assign available numbers of the group's own partner to the group, all or none.

    Only numbers in that partner's pool can move, whatever the input: the UPDATE itself is
    limited to the partner's available numbers, and anything it did not move is named."""
    if not can_assign_numbers(by, group):
        raise PermissionDenied("You cannot assign numbers to this customer group.")
    wanted = list(dict.fromkeys(numbers))
    moved = Number.objects.filter(
        partner_id=group.partner_id, status=NumberStatus.AVAILABLE, e164__in_values=wanted
    ).update(customer_group=group, status=NumberStatus.ASSIGNED)
    if moved != len(wanted):
        refused = _unassignable(group, wanted)
        transaction.set_rollback(True)
        raise ValidationError({"numbers": refused})
    return moved


def _unassignable(group: CustomerGroup, wanted: list[str]) -> list[str]:
    known = {
        n.e164: n
        for n in Number.objects.filter(e164__in_values=wanted, partner_id=group.partner_id).select_related(
            "customer_group"
        )
    }
    messages: list[str] = []
    not_in_pool: list[str] = []
    for number in wanted:
        found = known.get(number)
        if found is None:
            not_in_pool.append(number)
        elif found.status != NumberStatus.AVAILABLE and found.customer_group_id != group.pk:
            where = found.customer_group.group_id if found.customer_group else found.get_status_display().lower()
            messages.append(f"{number} is not available (it is {where}).")
    if not_in_pool:
        shown = ", ".join(not_in_pool[:20]) + (f" and {len(not_in_pool) - 20} more" if len(not_in_pool) > 20 else "")
        messages.insert(0, f"Not in {group.partner.partner_id}'s number pool (N2): {shown}.")
    return messages or ["Some numbers could not be assigned; reload and try again."]


@transaction.atomic
def numbers_release(*, by: User, group: CustomerGroup, numbers: list[str]) -> int:
    """Return a group's numbers to its partner's pool."""
    if not can_assign_numbers(by, group):
        raise PermissionDenied("You cannot change this customer group's numbers.")
    return Number.objects.filter(customer_group=group, e164__in_values=list(numbers)).update(
        customer_group=None, status=NumberStatus.AVAILABLE
    )


def require_group_author(by: User, partner: Partner, *, action: str) -> None:
    """Co-ordinators and administrators build for any partner; a partner user only for their own."""
    require_perm(by, "customers.add_customergroup", action=action)
    if by.is_partner_user and by.partner_id != partner.pk:
        raise PermissionDenied(f"You cannot {action} for another partner.")


@sensitive_variables("cleaned", "admin", "password", "generated")
def _save_build_request(*, group: CustomerGroup, cleaned: dict[str, Any]) -> dict[str, str]:
    """Write the cleaned request into the group and its rows; return generated passwords, which the
    caller shows once (A2). Passwords are stored only encrypted."""
    vp, akixi, cc = cleaned["voice_portal"], cleaned["akixi"], cleaned["callcabinet"]
    for field in (
        "group_id",
        "name",
        "domain",
        "extension_length",
        "business_profile_number",
        "present_group_number_as_clid",
    ):
        setattr(group, field, cleaned[field])
    group.voice_portal_number, group.voice_portal_extension = vp["number"], vp["extension"]
    group.voice_portal_external_dial_in = vp["external_dial_in"]
    group.akixi_licence = akixi["licence"]
    group.callcabinet_admin_name, group.callcabinet_admin_email = cc["admin_name"], cc["admin_email"]
    group.save()

    # Numbers: release what the request no longer lists, then take the rest from the pool (N1, N2).
    Number.objects.filter(customer_group=group).exclude(e164__in_values=cleaned["numbers"]).update(
        customer_group=None, status=NumberStatus.AVAILABLE
    )
    wanted = [n for n in cleaned["numbers"] if n not in set(group.numbers.values_list("e164", flat=True))]
    if wanted:
        moved = Number.objects.filter(
            partner_id=group.partner_id, status=NumberStatus.AVAILABLE, e164__in_values=wanted
        ).update(customer_group=group, status=NumberStatus.ASSIGNED)
        if moved != len(wanted):  # taken by someone else since validation
            raise ValidationError({"numbers": _unassignable(group, wanted)})

    generated: dict[str, str] = {}
    kept = {a.user_id: a for a in group.admins.all()}
    group.admins.exclude(user_id__in=[a["user_id"] for a in cleaned["admins"]]).delete()
    for admin in cleaned["admins"]:
        row = kept.get(admin["user_id"]) or GroupAdmin(group=group, user_id=admin["user_id"])
        row.first_name, row.last_name = admin["first_name"], admin["last_name"]
        if admin["password"]:
            row.password_encrypted, row.password_generated = vault.encrypt(admin["password"]), False
        elif not row.password_encrypted:
            password = vault.generate_password()
            row.password_encrypted, row.password_generated = vault.encrypt(password), True
            generated[row.user_id] = password
        row.save()
    group.akixi_users.all().delete()
    AkixiUser.objects.bulk_create(AkixiUser(group=group, **user) for user in akixi["users"])
    return generated


@sensitive_variables("data", "cleaned", "generated")
def customer_group_create(*, by: User, partner: Partner, data: dict[str, Any]) -> tuple[CustomerGroup, dict[str, str]]:
    """Record one end customer's build request, checked against every rule before anything is sent.

    Returns the group (a draft until confirmed) and the generated admin passwords, to show once."""
    require_group_author(by, partner, action="request customer builds")
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        cleaned = validate_build_request(partner=partner, data=data)
        group = CustomerGroup(
            partner=partner,
            clone_service_provider_id=settings.CLONE_SERVICE_PROVIDER_ID,
            clone_group_id=partner.clone_group_id,
            created_by=by,
        )
        try:
            generated = _save_build_request(group=group, cleaned=cleaned)
        except IntegrityError as exc:  # a concurrent request took the same group or user ID
            raise ValidationError(
                {"group_id": ["This group ID or an admin user ID was just taken; try again."]}
            ) from exc
        audit_record(actor=by, action="customer_group.requested", target=group)
    return group, generated


@sensitive_variables("data", "cleaned", "generated")
def customer_group_update(
    *, by: User, group: CustomerGroup, data: dict[str, Any]
) -> tuple[CustomerGroup, dict[str, str]]:
    """Change a build request while it is still a draft (not yet confirmed)."""
    require_group_author(by, group.partner, action="change customer builds")
    with transaction.atomic():
        group = CustomerGroup.objects.select_for_update().select_related("partner").get(pk=group.pk)
        if not group.is_draft:
            raise TransitionConflict("This build request is confirmed; it can no longer be changed.")
        cleaned = validate_build_request(partner=group.partner, data=data, group=group)
        generated = _save_build_request(group=group, cleaned=cleaned)
        audit_record(actor=by, action="customer_group.changed", target=group)
    return group, generated


def customer_group_submit(*, by: User, group: CustomerGroup) -> CustomerGroup:
    """Confirm a build request after its preview; from now on it is built, not edited."""
    require_group_author(by, group.partner, action="confirm customer builds")
    with transaction.atomic():
        updated = CustomerGroup.objects.filter(pk=group.pk, submitted_at__isnull=True).update(
            submitted_at=timezone.now()
        )
        if not updated:
            raise TransitionConflict(noun="build request")
        group.refresh_from_db()
        audit_record(actor=by, action="customer_group.confirmed", target=group)
    return group


def customer_group_as_request(group: CustomerGroup) -> dict[str, Any]:
    """The stored request in the shape `validate_build_request` takes (passwords never included)."""
    return {
        "group_id": group.group_id,
        "name": group.name,
        "domain": group.domain,
        "extension_length": group.extension_length,
        # `.all()`, not values_list: list pages and the API prefetch the numbers (in e164 order).
        "numbers": [number.e164 for number in group.numbers.all()],
        "business_profile_number": group.business_profile_number,
        "present_group_number_as_clid": group.present_group_number_as_clid,
        "voice_portal": {
            "number": group.voice_portal_number,
            "extension": group.voice_portal_extension,
            "external_dial_in": group.voice_portal_external_dial_in,
        },
        "admins": [
            {"first_name": a.first_name, "last_name": a.last_name, "user_id": a.user_id, "password": ""}
            for a in group.admins.all()
        ],
        "akixi": {
            "licence": group.akixi_licence,
            "users": [
                {"username": u.username, "full_name": u.full_name, "email": u.email} for u in group.akixi_users.all()
            ],
        },
        "callcabinet": {"admin_name": group.callcabinet_admin_name, "admin_email": group.callcabinet_admin_email},
    }


# --- The hand-over: generated admin passwords, shown once (A2) -------------------------------------

# How long after the build a generated password nobody has seen waits for its one showing on the
# hand-over page; after that it is wiped, and the partner resets it in the Partner portal.
HANDOVER_PASSWORD_DAYS = getattr(settings, "HANDOVER_PASSWORD_DAYS", 30)


def admin_passwords_shown(*, by: User, user_ids: Any) -> None:
    """A2: the generated passwords of these administrators were just shown to `by` (the preview,
    the API's reply, a bulk upload's confirmation, a change's page): never shown again."""
    user_ids = list(user_ids)
    if user_ids:
        GroupAdmin.objects.filter(user_id__in=user_ids, password_shown_at__isnull=True).update(
            password_shown_at=timezone.now(), password_shown_by=by if by.is_authenticated else None
        )


class PasswordAlreadyShown(Exception):
    """The password was shown once already (by whom and when: the administrator's fields)."""

    def __init__(self, admin: GroupAdmin):
        self.admin = admin
        who = admin.password_shown_by.display_name if admin.password_shown_by else "someone"
        when = timezone.localtime(admin.password_shown_at).strftime("%d %b %Y %H:%M") if admin.password_shown_at else ""
        super().__init__(f"The password of {admin.user_id} was already shown, to {who} on {when}; it is not kept.")


@sensitive_variables("password")
def group_admin_password_reveal(*, by: User, group: CustomerGroup, admin_id: int) -> tuple[GroupAdmin, str]:
    """A2: show a generated administrator password once, on the hand-over page after the build,
    and wipe it in the same transaction; audited (never the password itself). Refused (and it stays
    as it is) before BroadWorks has the administrator; a second time raises PasswordAlreadyShown;
    once HANDOVER_PASSWORD_DAYS have passed since the build made the administrator, it is wiped
    unseen and the partner resets it in the Partner portal."""
    if not can_assign_numbers(by, group):
        raise PermissionDenied("Only the partner's own users and provisioning staff reveal hand-over passwords.")
    with transaction.atomic():
        admin = (
            GroupAdmin.objects.select_for_update(of=("self",))
            .select_related("password_shown_by")
            .filter(group=group, pk=admin_id)
            .first()
        )
        if admin is None:
            raise ValidationError({"admin": ["This customer has no such administrator."]})
        if not admin.password_generated:
            raise ValidationError(
                {"admin": [f"The password of {admin.user_id} was typed in the request; it is not kept."]}
            )
        if admin.password_shown_at is not None:
            raise PasswordAlreadyShown(admin)
        made = BuildStep.objects.filter(
            build__group=group, build__kind=BuildKind.BUILD, name=BuildStepName.ADMINS, status=StepStatus.DONE
        ).first()
        if made is None:
            raise ValidationError(
                {"admin": ["The password can be revealed once the build has made the administrator."]}
            )
        kept_until = (made.finished_at or timezone.now()) + timedelta(days=HANDOVER_PASSWORD_DAYS)
        now = timezone.now()
        password = vault.decrypt(admin.password_encrypted) if admin.password_encrypted and now <= kept_until else ""
        admin.password_encrypted, admin.password_wiped_at = "", admin.password_wiped_at or now
        update = ["password_encrypted", "password_wiped_at"]
        if password:
            admin.password_shown_at, admin.password_shown_by = now, by
            update += ["password_shown_at", "password_shown_by"]
            audit_record(
                actor=by, action="group_admin.password_revealed", target=admin, changes={"user_id": admin.user_id}
            )
        admin.save(update_fields=update)
    if not password:  # (raised once the wipe has committed)
        raise ValidationError(
            {"admin": [f"The password of {admin.user_id} is no longer kept; reset it in the Partner portal."]}
        )
    return admin, password


def handover_passwords_expire(*, now: datetime | None = None) -> int:
    """A2: generated passwords nobody was shown, kept (encrypted) for the hand-over, are wiped once
    HANDOVER_PASSWORD_DAYS have passed since the build made their administrator, whether or not
    anyone asks for them; beat runs this daily. Returns how many were wiped. One UPDATE."""
    now = now or timezone.now()
    made_long_ago = BuildStep.objects.filter(
        build__group=OuterRef("group"),
        build__kind=BuildKind.BUILD,
        name=BuildStepName.ADMINS,
        status=StepStatus.DONE,
        finished_at__lt=now - timedelta(days=HANDOVER_PASSWORD_DAYS),
    )
    kept = GroupAdmin.objects.exclude(password_encrypted="").filter(password_shown_at__isnull=True)
    return kept.filter(Exists(made_long_ago)).update(password_encrypted="", password_wiped_at=now)
