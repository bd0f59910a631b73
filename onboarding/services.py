"""Use cases for partners and their onboarding orders. Each runs in one transaction."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_fsm import ConcurrentTransition
from django_fsm_log.models import StateLog

from accounts.choices import Role
from accounts.services import audit_record, require_perm
from expoe_portal import vault
from expoe_portal.db import value_rows_sql
from expoe_portal.phone import normalise_e164

from .build_request import validate_build_request
from .choices import (
    CLOSED_STATUSES,
    AccountPlatform,
    AccountStatus,
    NumberStatus,
    OrderStatus,
    TrainingPlatform,
)
from .models import (
    ORDER_COORDINATOR,
    AkixiUser,
    CustomerGroup,
    GroupAdmin,
    Number,
    OnboardingAccount,
    OnboardingOrder,
    Partner,
    PartnerContact,
    TrainingSession,
)

PARTNER_EDITABLE_FIELDS = ("name", "clone_group_id", "live")
CONTACT_REQUIRED = "Add at least one contact with an email address and phone number."


def _build_contacts(partner: Partner, contacts: list[dict]) -> list[PartnerContact]:
    if not contacts:
        raise ValidationError({"contacts": ["Add at least one contact with an email address and phone number."]})
    built, errors = [], []
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


@transaction.atomic
def partner_create(
    *, by, partner_id: str, name: str, clone_group_id: str = "", live: bool = False, contacts: list[dict]
) -> Partner:
    require_perm(by, "onboarding.add_partner", action="create partners")
    partner = Partner(
        partner_id=partner_id.strip(), name=name.strip(), clone_group_id=clone_group_id.strip(), live=live
    )
    errors = {}
    try:
        partner.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if Partner.objects.filter(partner_id__iexact=partner.partner_id).exists():
        # The database constraint is the guard; this names the field for the person typing.
        errors.setdefault("partner_id", []).append("A partner with this ID already exists (ignoring case).")
    try:
        built = _build_contacts(partner, contacts)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    partner.save()
    for contact in built:
        contact.partner = partner
    PartnerContact.objects.bulk_create(built)
    audit_record(
        actor=by,
        action="partner.created",
        target=partner,
        partner=partner,
        changes={"partner_id": partner.partner_id, "name": partner.name},
    )
    return partner


@transaction.atomic
def partner_update(*, by, partner: Partner, contacts: list[dict] | None = None, **fields) -> Partner:
    """Change a partner's editable fields; `contacts`, when given, replaces the contact list.

    The partner ID is not editable: it is the BroadWorks service provider ID every platform knows.
    """
    require_perm(by, "onboarding.change_partner", action="edit partners")
    unknown = set(fields) - set(PARTNER_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in sorted(unknown)})
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    changes = {}
    for field, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(partner, field) != value:
            changes[field] = [getattr(partner, field), value]
            setattr(partner, field, value)
    errors = {}
    try:
        partner.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    built = None
    if contacts is not None:
        try:
            built = _build_contacts(partner, contacts)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    partner.save()
    if built is not None:
        partner.contacts.all().delete()
        PartnerContact.objects.bulk_create(built)
        changes["contacts"] = [c.email for c in built]
    if changes:
        audit_record(actor=by, action="partner.updated", target=partner, partner=partner, changes=changes)
    return partner


# --- Onboarding orders (O1-O7) ---------------------------------------------------------------


class OrderConflict(Exception):
    """Someone else changed the order first; the caller's view of it is stale (API: 409)."""

    message = "This order was changed by someone else. Reload it to see its current state."

    def __str__(self):
        return self.message


class TransitionRefused(Exception):
    """The transition cannot run from the order's current state (API: 400)."""


def _transition_meta(order: OnboardingOrder, name: str):
    method = getattr(type(order), name, None) if name in ORDER_TRANSITIONS else None
    if method is None:
        raise ValidationError({"transition": [f"“{name}” is not a transition of an onboarding order."]})
    return method._django_fsm


def _log_state(order: OnboardingOrder, *, by, transition: str, source, description: str = "") -> None:
    StateLog.objects.create(
        content_object=order,
        by=by,
        transition=transition,
        source_state=source,
        state=order.status,
        description=description or None,
    )


@transaction.atomic
def onboarding_order_create(*, by, partner: Partner, signed_order_received_at, note: str = "") -> OnboardingOrder:
    """O1: log a signed onboarding order; the 48-hour confirmation clock starts at its arrival."""
    require_perm(by, "onboarding.add_onboardingorder", action="log signed onboarding orders")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)  # one order at a time per partner
    errors = {}
    if signed_order_received_at is None:
        errors["signed_order_received_at"] = ["Enter when the signed order was received."]
    elif signed_order_received_at > timezone.now():
        errors["signed_order_received_at"] = ["The signed order cannot arrive in the future."]
    if partner.live:
        errors["partner"] = [f"{partner.partner_id} is already live."]
    elif partner.onboarding_orders.exclude(status__in=CLOSED_STATUSES).exists():
        errors["partner"] = [f"{partner.partner_id} already has an open onboarding order."]
    if errors:
        raise ValidationError(errors)
    order = OnboardingOrder(
        partner=partner,
        signed_order_received_at=signed_order_received_at,
        confirmation_due_at=OnboardingOrder.confirmation_due_for(signed_order_received_at),
        logged_by=by,
    )
    order.save()
    OnboardingAccount.objects.bulk_create(OnboardingAccount(order=order, platform=p) for p in AccountPlatform.values)
    _log_state(order, by=by, transition="log_signed_order", source=None, description=note)
    audit_record(actor=by, action="onboarding_order.created", target=order, partner=partner)
    return order


def _required_text(data: dict, field: str, message: str) -> str:
    value = (data.get(field) or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


def _user_in_role(data: dict, field: str, role: str, label: str):
    user = data.get(field)
    if user is None:
        raise ValidationError({field: [f"Choose the {label}."]})
    if getattr(user, "role", None) != role or not user.is_active:
        raise ValidationError({field: [f"{user} is not an active {label}."]})
    return user


def _kwargs_assign_coordinator(order, data):
    return {"coordinator": _user_in_role(data, "coordinator", Role.COORDINATOR, "co-ordinator")}


def _kwargs_arrange_kickoff(order, data):
    """O4: the kickoff needs both its date and time and the allocated trainer."""
    errors = {}
    if data.get("kickoff_at") is None:
        errors["kickoff_at"] = ["Enter the kickoff call's date and time."]
    try:
        trainer = _user_in_role(data, "trainer", Role.TRAINER, "trainer")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"kickoff_at": data["kickoff_at"], "trainer": trainer}


def _kwargs_hold(order, data):
    return {"reason": _required_text(data, "reason", "Say why the order is on hold.")}


def _kwargs_cancel(order, data):
    return {"reason": _required_text(data, "reason", "Say why the order is cancelled.")}


def _kwargs_record_training(order, data):
    """O5: one session per platform, on a day that has happened."""
    platform = data.get("platform")
    if platform not in TrainingPlatform.values:
        raise ValidationError({"platform": ["Choose the platform the training covered."]})
    if order.training_sessions.filter(platform=platform).exists():
        label = TrainingPlatform(platform).label
        raise ValidationError({"platform": [f"Training on {label} is already recorded."]})
    held_on = data.get("held_on") or timezone.localdate()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": ["Record a training session once it has happened."]})
    return {}


def _kwargs_none(order, data):
    return {}


ORDER_TRANSITIONS = {
    "confirm": _kwargs_none,
    "assign_coordinator": _kwargs_assign_coordinator,
    "complete_accounts": _kwargs_none,
    "arrange_kickoff": _kwargs_arrange_kickoff,
    "record_training": _kwargs_record_training,
    "go_live": _kwargs_none,
    "hold": _kwargs_hold,
    "resume": _kwargs_none,
    "cancel": _kwargs_cancel,
}


def onboarding_order_transition(
    *, by, order: OnboardingOrder, name: str, data: dict | None = None, expected_status: str | None = None
) -> OnboardingOrder:
    """Run one transition of an onboarding order (O1-O6), in one transaction.

    Refused without a change when the user's role may not run it (PermissionDenied), when the
    order's state does not allow it (TransitionRefused), when something it needs is missing
    (ValidationError), or when someone else changed the order first (OrderConflict): either the
    caller saw an older state (`expected_status`), or two runs raced and the other one won.
    Emails go out only after the transaction commits.
    """
    data = data or {}
    try:
        with transaction.atomic():
            order = OnboardingOrder.objects.select_related("partner").get(pk=order.pk)
            meta = _transition_meta(order, name)
            if expected_status and order.status != expected_status:
                raise OrderConflict()
            runnable = next(iter(meta.transitions.values()))
            label = runnable.custom.get("label", name)
            # Role first: someone whose role never runs it is told so, whatever the state.
            if not runnable.permission.role_may(by):
                raise PermissionDenied(f"Your role cannot “{label}”.")
            if not meta.has_transition(order.status):
                raise TransitionRefused(f"“{label}” is not possible while the order is “{order.get_status_display()}”.")
            if not meta.has_transition_perm(order, order.status, by):
                raise PermissionDenied(f"Only the order's own {by.get_role_display().lower()} can “{label}”.")
            if blocker := transition_blocker(order, name):
                raise ValidationError(blocker)
            kwargs = ORDER_TRANSITIONS[name](order, data)
            note = (data.get("note") or "").strip()
            if name == "record_training":
                platform = TrainingPlatform(data["platform"])
                note = f"{platform.label}{': ' + note if note else ''}"
            getattr(order, name)(by=by, description=note or None, **kwargs)
            order.save()
            if name == "record_training":
                TrainingSession.objects.create(
                    order=order,
                    platform=data["platform"],
                    trainer=by,
                    held_on=data.get("held_on") or timezone.localdate(),
                    notes=(data.get("note") or "").strip(),
                )
            if name == "go_live":
                order.partner.save(update_fields=["live", "updated_at"])
            if name in ORDER_EMAILS:
                from .emails import order_email_queue

                order_email_queue(order, ORDER_EMAILS[name])
    except ConcurrentTransition as exc:
        raise OrderConflict() from exc
    return order


ORDER_EMAILS = {"confirm": "confirmation", "go_live": "go_live"}


def transition_blocker(order: OnboardingOrder, name: str) -> str:
    """What a transition still waits for (O2's accounts, O5's training), or "" when nothing."""
    if name == "complete_accounts" and (missing := order.accounts_outstanding()):
        return f"Still to be created: {', '.join(missing)}."
    if name == "record_training" and not order.training_outstanding():
        return "Training on every platform is recorded."
    if name == "go_live" and (missing := order.training_outstanding()):
        return f"Training still to be given (O5): {', '.join(missing)}."
    return ""


def can_record_accounts(order: OnboardingOrder, user) -> bool:
    return order.status == OrderStatus.COORDINATOR_ASSIGNED and ORDER_COORDINATOR(order, user)


@transaction.atomic
def onboarding_account_record(*, by, order: OnboardingOrder, platform: str, reference: str) -> OnboardingAccount:
    """O2 (K1, C1): the order's co-ordinator records one partner account as created."""
    order = OnboardingOrder.objects.select_related("partner").get(pk=order.pk)
    if not ORDER_COORDINATOR(order, by):
        raise PermissionDenied("Only the order's co-ordinator records its partner accounts.")
    if order.status != OrderStatus.COORDINATOR_ASSIGNED:
        raise TransitionRefused(
            f"Partner accounts are recorded while a co-ordinator is assigned, not while the order is "
            f"“{order.get_status_display()}”."
        )
    if platform not in AccountPlatform.values:
        raise ValidationError({"platform": [f"“{platform}” is not a partner account platform."]})
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": ["Enter the account's ID on the platform."]})
    account = OnboardingAccount.objects.select_for_update().get(order=order, platform=platform)
    account.status = AccountStatus.DONE
    account.reference = reference
    account.error = ""
    account.completed_by = by
    account.completed_at = timezone.now()
    account.save()
    audit_record(
        actor=by,
        action="onboarding_account.recorded",
        target=account,
        partner=order.partner,
        changes={"platform": platform, "reference": reference},
    )
    return account


# --- Number inventory (N1, N2) -----------------------------------------------------------------


def _clashing_numbers(numbers: list[str]) -> list[Number]:
    return list(Number.objects.filter(e164__in_values=numbers).select_related("partner").order_by("e164"))


def _clash_message(clashes: list[Number], *, limit: int = 20) -> str:
    shown = ", ".join(f"{n.e164} ({n.partner.partner_id})" for n in clashes[:limit])
    more = f" and {len(clashes) - limit} more" if len(clashes) > limit else ""
    return f"Already in a partner's pool: {shown}{more}."


@transaction.atomic
def numbers_add(*, by, partner: Partner, numbers: list[str]) -> int:
    """N1: add numbers (already canonical E.164) to a partner's pool, all or none.

    A number belongs to one pool only: duplicates and overlaps are refused naming the clashing
    numbers, and the database's unique constraint settles any race. Runs a fixed number of
    queries however many numbers are added."""
    require_perm(by, "onboarding.add_number", action="add numbers to a partner's pool")
    if not numbers:
        raise ValidationError({"numbers": ["Enter at least one number."]})
    if clashes := _clashing_numbers(numbers):
        raise ValidationError({"numbers": [_clash_message(clashes)]})
    rows_sql, params = value_rows_sql(numbers)
    table = Number._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (e164, partner_id, status, added_at, added_by_id) "  # noqa: S608
                f"SELECT v.value, %s, %s, %s, %s FROM ({rows_sql}) AS v",
                [partner.pk, NumberStatus.AVAILABLE, timezone.now(), by.pk, *params],
            )
            added = cursor.rowcount
    except IntegrityError as exc:  # another request added some of them since the check above
        raise ValidationError({"numbers": [_clash_message(_clashing_numbers(numbers))]}) from exc
    audit_record(
        actor=by,
        action="numbers.added",
        target=partner,
        partner=partner,
        changes={"count": added, "first": numbers[0], "last": numbers[-1]},
    )
    return added


def can_assign_numbers(user, group: CustomerGroup) -> bool:
    """N1: the partner's own users assign their numbers; so do provisioning staff."""
    if user.is_partner_user:
        return user.partner_id == group.partner_id
    return user.has_perm("onboarding.change_customergroup")


@transaction.atomic
def numbers_assign(*, by, group: CustomerGroup, numbers: list[str]) -> int:
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
    messages, not_in_pool = [], []
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
def numbers_release(*, by, group: CustomerGroup, numbers: list[str]) -> int:
    """Return a group's numbers to its partner's pool."""
    if not can_assign_numbers(by, group):
        raise PermissionDenied("You cannot change this customer group's numbers.")
    return Number.objects.filter(customer_group=group, e164__in_values=list(numbers)).update(
        customer_group=None, status=NumberStatus.AVAILABLE
    )


# --- Customer groups: the build request (G1-G6, B1, V1-V2, A1-A2, K2, K4, C2-C5) ----------------


def _require_group_author(by, partner: Partner, *, action: str) -> None:
    """Co-ordinators and administrators build for any partner; a partner user only for their own."""
    require_perm(by, "onboarding.add_customergroup", action=action)
    if by.is_partner_user and by.partner_id != partner.pk:
        raise PermissionDenied(f"You cannot {action} for another partner.")


@sensitive_variables("cleaned", "admin", "password", "generated")
def _save_build_request(*, group: CustomerGroup, cleaned: dict) -> dict[str, str]:
    """Write the cleaned request into the group and its rows; return generated passwords, which the
    caller shows once (A2). Passwords are stored only encrypted."""
    vp, akixi, cc = cleaned["voice_portal"], cleaned["akixi"], cleaned["callcabinet"]
    for field in ("group_id", "name", "domain", "extension_length", "business_profile_number"):
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

    generated = {}
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
def customer_group_create(*, by, partner: Partner, data: dict) -> tuple[CustomerGroup, dict[str, str]]:
    """Record one end customer's build request, checked against every rule before anything is sent.

    Returns the group (a draft until confirmed) and the generated admin passwords, to show once."""
    _require_group_author(by, partner, action="request customer builds")
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
        audit_record(actor=by, action="customer_group.requested", target=group, partner=partner)
    return group, generated


@sensitive_variables("data", "cleaned", "generated")
def customer_group_update(*, by, group: CustomerGroup, data: dict) -> tuple[CustomerGroup, dict[str, str]]:
    """Change a build request while it is still a draft (not yet confirmed)."""
    _require_group_author(by, group.partner, action="change customer builds")
    with transaction.atomic():
        group = CustomerGroup.objects.select_for_update().select_related("partner").get(pk=group.pk)
        if not group.is_draft:
            raise TransitionRefused("This build request is confirmed; it can no longer be changed.")
        cleaned = validate_build_request(partner=group.partner, data=data, group=group)
        generated = _save_build_request(group=group, cleaned=cleaned)
        audit_record(actor=by, action="customer_group.changed", target=group, partner=group.partner)
    return group, generated


def customer_group_submit(*, by, group: CustomerGroup) -> CustomerGroup:
    """Confirm a build request after its preview; from now on it is built, not edited."""
    _require_group_author(by, group.partner, action="confirm customer builds")
    with transaction.atomic():
        updated = CustomerGroup.objects.filter(pk=group.pk, submitted_at__isnull=True).update(
            submitted_at=timezone.now()
        )
        if not updated:
            raise OrderConflict()
        group.refresh_from_db()
        audit_record(actor=by, action="customer_group.confirmed", target=group, partner=group.partner)
    return group


def customer_group_as_request(group: CustomerGroup) -> dict:
    """The stored request in the shape `validate_build_request` takes (passwords never included)."""
    return {
        "group_id": group.group_id,
        "name": group.name,
        "domain": group.domain,
        "extension_length": group.extension_length,
        # `.all()`, not values_list: list pages and the API prefetch the numbers (in e164 order).
        "numbers": [number.e164 for number in group.numbers.all()],
        "business_profile_number": group.business_profile_number,
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
