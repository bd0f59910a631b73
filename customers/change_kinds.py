"""What each kind of change to a built customer does (#15): the rules it checks, what it writes in
our records (at once, in the transaction that queues it), the steps that bring the platforms to
match, what it shows before it is confirmed, and what cancelling it puts back.

Every change is checked with the build request's own rules (build_request.validate_build_request)
applied to the customer as the change would leave it, so a change can never make a customer that a
first build would have refused; errors come back under the change's own field names."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from expoe_portal import vault
from number_pool.models import Number
from number_pool.parsing import numbers_as_text

from . import services
from .build_request import default_admin_user_id, validate_build_request
from .builds import DECOMMISSIONING_ORDER
from .choices import BuildStepName
from .models import AkixiUser, CustomerGroup, GroupAdmin

Values = dict[str, Any]
Plan = list[dict[str, str]]


@dataclass
class Recorded:
    """What a change's `record` wrote: its one-line summary, its details (kept on the change for its
    steps, its page and its cancelling; never a password) and any password generated, to show once."""

    summary: str
    details: dict[str, Any]
    steps: tuple[str, ...] = ()  # when they depend on the customer (decommissioning)
    generated_passwords: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeKind:
    title: str
    steps: tuple[str, ...]
    record: Callable[[User, CustomerGroup, Values], Recorded]
    plan: Callable[[CustomerGroup, dict[str, Any]], Plan]
    undo: Callable[[User, CustomerGroup, dict[str, Any]], None] | None = None  # None: cannot be cancelled
    # Partners make every change the guide lets them make on their own accounts (decision 125);
    # only staff remove a customer.
    staff_only: bool = False


def _step(platform: str, operation: str, detail: str) -> dict[str, str]:
    return {"platform": platform, "operation": operation, "detail": detail}


def _shown(items: list[str]) -> str:
    return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def check_as_changed(group: CustomerGroup, edit: Callable[[dict], None], fields: dict[str, str]) -> None:
    """The build request's rules, on the customer as the change leaves it. `fields` maps the
    request's error keys (or their start: "admins.3.") to the change's own field names; any other
    error is the whole change's."""
    data = services.customer_group_as_request(group)
    edit(data)
    try:
        validate_build_request(partner=group.partner, data=data, group=group)
    except ValidationError as exc:
        mapped: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            name = next((f for prefix, f in fields.items() if key == prefix or key.startswith(prefix)), "__all__")
            mapped.setdefault(name, []).extend(messages)
        raise ValidationError(mapped) from exc


def _unchanged(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


# -- numbers (N1, N2) --------------------------------------------------------------------------------
def _numbers_chosen(values: Values, none_chosen: str) -> list[str]:
    numbers = list(dict.fromkeys(values.get("numbers") or []))
    if not numbers:
        raise ValidationError({"numbers": [none_chosen]})
    return numbers


def _record_add_numbers(by: User, group: CustomerGroup, values: Values) -> Recorded:
    numbers = _numbers_chosen(values, "Choose at least one number to add.")
    services.numbers_assign(by=by, group=group, numbers=numbers)
    return Recorded(f"Add {_shown(numbers)}", {"numbers": numbers})


def _record_remove_numbers(by: User, group: CustomerGroup, values: Values) -> Recorded:
    """Not the business profile number (B1) nor the voice portal's (V1): the group's settings name them."""
    leaving = _numbers_chosen(values, "Choose at least one number to take off.")
    own = set(Number.objects.filter(customer_group=group).values_list("e164", flat=True))
    problems = [f"{n} is not one of {group.group_id}'s numbers." for n in leaving if n not in own]
    named = {group.business_profile_number: "the business profile number (B1)"}
    named[group.voice_portal_number] = "the voice portal's number (V1)"
    problems += [f"{n} is {named[n]}: change that setting first." for n in leaving if n in named and n and n in own]
    if problems:
        raise ValidationError({"numbers": problems})
    if len(own) == len(leaving):
        raise ValidationError({"numbers": ["A group keeps at least one number (B1): leave one on it."]})
    services.numbers_release(by=by, group=group, numbers=leaving)
    return Recorded(f"Take off {_shown(leaving)}", {"numbers": leaving})


def _plan_add_numbers(group: CustomerGroup, details: dict) -> Plan:
    shown, sp = numbers_as_text(details["numbers"], separator=", ", dash="–"), group.partner.partner_id
    return [
        _step("broadworks", "Add any that are missing to the partner's pool", f"{shown} on {sp} (N1)"),
        _step(
            "broadworks",
            "Assign and activate them on the group",
            f"{len(details['numbers'])} on {group.group_id} (N1, N2)",
        ),
    ]


def _plan_remove_numbers(group: CustomerGroup, details: dict) -> Plan:
    shown, sp = numbers_as_text(details["numbers"], separator=", ", dash="–"), group.partner.partner_id
    detail = f"{shown} off {group.group_id}; they stay on {sp}'s pool, free for its other customers (N2)"
    return [_step("broadworks", "Take them off the group", detail)]


def _undo_add_numbers(by: User, group: CustomerGroup, details: dict) -> None:
    services.numbers_release(by=by, group=group, numbers=details["numbers"])


def _undo_remove_numbers(by: User, group: CustomerGroup, details: dict) -> None:
    services.numbers_assign(by=by, group=group, numbers=details["numbers"])


# -- business profile number (B1) and voice portal (V1, V2) ------------------------------------------
def _business_profile_now(group: CustomerGroup) -> dict:
    return {"number": group.business_profile_number, "present_as_caller_id": group.present_group_number_as_clid}


def _set_business_profile(group: CustomerGroup, setting: dict) -> None:
    group.business_profile_number = setting["number"]
    group.present_group_number_as_clid = setting["present_as_caller_id"]
    group.save(update_fields=["business_profile_number", "present_group_number_as_clid", "updated_at"])


def _record_business_profile(by: User, group: CustomerGroup, values: Values) -> Recorded:
    wanted = {"number": values.get("number") or "", "present_as_caller_id": bool(values.get("present_as_caller_id"))}
    before = _business_profile_now(group)
    if wanted == before:
        raise _unchanged("number", "That is the business profile setting already: change the number or the option.")

    def edit(data):
        data["business_profile_number"] = wanted["number"]
        data["present_group_number_as_clid"] = wanted["present_as_caller_id"]

    check_as_changed(
        group, edit, {"business_profile_number": "number", "present_group_number_as_clid": "present_as_caller_id"}
    )
    _set_business_profile(group, wanted)
    shown = " (presented as the users' caller ID)" if wanted["present_as_caller_id"] else ""
    return Recorded(f"Business profile number {wanted['number']}{shown}", {**wanted, "before": before})


def _plan_business_profile(group: CustomerGroup, details: dict) -> Plan:
    present = "presented" if details["present_as_caller_id"] else "not presented"
    detail = f"{details['number']} on {group.group_id}; {present} as the users' caller ID (B1)"
    return [_step("broadworks", "Set the group's calling line ID", detail)]


def _undo_business_profile(by: User, group: CustomerGroup, details: dict) -> None:
    _set_business_profile(group, details["before"])


def _voice_portal_now(group: CustomerGroup) -> dict:
    return {
        "number": group.voice_portal_number,
        "extension": group.voice_portal_extension,
        "external_dial_in": group.voice_portal_external_dial_in,
    }


def _set_voice_portal(group: CustomerGroup, setting: dict) -> None:
    group.voice_portal_number, group.voice_portal_extension = setting["number"], setting["extension"]
    group.voice_portal_external_dial_in = setting["external_dial_in"]
    group.save(
        update_fields=["voice_portal_number", "voice_portal_extension", "voice_portal_external_dial_in", "updated_at"]
    )


def _record_voice_portal(by: User, group: CustomerGroup, values: Values) -> Recorded:
    wanted = {
        "number": values.get("number") or "",
        "extension": values.get("extension") or "",
        "external_dial_in": bool(values.get("external_dial_in")),
    }
    before = _voice_portal_now(group)
    if wanted == before:
        raise _unchanged("__all__", "That is the voice portal's setting already.")
    check_as_changed(
        group,
        lambda data: data.update(voice_portal=dict(wanted)),
        {"voice_portal.number": "number", "voice_portal.extension": "extension"},
    )
    _set_voice_portal(group, wanted)
    return Recorded(f"Voice portal {_voice_portal_text(wanted)}", {**wanted, "before": before})


def _voice_portal_text(setting: dict) -> str:
    parts = [p for p in (setting["number"], setting["extension"] and f"extension {setting['extension']}") if p]
    outside = ", dialled from outside" if setting["external_dial_in"] else ""
    return " and ".join(parts) + outside


def _plan_voice_portal(group: CustomerGroup, details: dict) -> Plan:
    detail = f"{_voice_portal_text(details)} on {group.group_id} (V1, V2)"
    return [_step("broadworks", "Set the voice portal's number and extension, active", detail)]


def _undo_voice_portal(by: User, group: CustomerGroup, details: dict) -> None:
    _set_voice_portal(group, details["before"])


# -- group administrators (A1, A2) ---------------------------------------------------------------------
@sensitive_variables("values", "password")
def _record_add_admin(by: User, group: CustomerGroup, values: Values) -> Recorded:
    first, last = (values.get("first_name") or "").strip(), (values.get("last_name") or "").strip()
    user_id = (values.get("user_id") or "").strip() or (
        default_admin_user_id(first, last, group.domain) if first and last else ""
    )
    password = values.get("password") or ""
    position = group.admins.count()

    def edit(data):
        data["admins"].append({"first_name": first, "last_name": last, "user_id": user_id, "password": password})

    check_as_changed(
        group,
        edit,
        {f"admins.{position}.{name}": name for name in ("first_name", "last_name", "user_id", "password")},
    )
    generated = {} if password else {user_id: vault.generate_password()}
    GroupAdmin.objects.create(
        group=group,
        user_id=user_id,
        first_name=first,
        last_name=last,
        password_encrypted=vault.encrypt(password or generated[user_id]),
        password_generated=not password,
        # A2: a generated one is shown once on the change's page (or in the API's reply), now.
        password_shown_at=timezone.now() if generated else None,
        password_shown_by=by if generated else None,
    )
    admin = {"user_id": user_id, "first_name": first, "last_name": last}
    return Recorded(f"Add administrator {user_id}", {"admin": admin}, generated_passwords=generated)


def _record_remove_admins(by: User, group: CustomerGroup, values: Values) -> Recorded:
    leaving = list(dict.fromkeys(values.get("user_ids") or []))
    if not leaving:
        raise ValidationError({"user_ids": ["Choose at least one administrator to remove."]})
    rows = {a.user_id: a for a in group.admins.filter(user_id__in=leaving)}
    if unknown := [u for u in leaving if u not in rows]:
        raise ValidationError({"user_ids": [f"{u} is not an administrator of {group.group_id}." for u in unknown]})
    check_as_changed(
        group,
        lambda data: data.update(admins=[a for a in data["admins"] if a["user_id"] not in rows]),
        {"admins": "user_ids"},
    )
    # The step reads the user IDs; cancelling puts the rows back from the names.
    removed = [{"user_id": u, "first_name": rows[u].first_name, "last_name": rows[u].last_name} for u in leaving]
    group.admins.filter(user_id__in=leaving).delete()
    plural = "s" if len(leaving) > 1 else ""
    return Recorded(f"Remove administrator{plural} {_shown(leaving)}", {"admins": leaving, "removed": removed})


def _plan_add_admin(group: CustomerGroup, details: dict) -> Plan:
    a = details["admin"]
    return [
        _step(
            "broadworks", "Add the group administrator", f"{a['user_id']} ({a['first_name']} {a['last_name']}) (A1, A2)"
        )
    ]


def _plan_remove_admins(group: CustomerGroup, details: dict) -> Plan:
    return [_step("broadworks", "Delete the group administrator", f"{user_id} (A1)") for user_id in details["admins"]]


def _undo_add_admin(by: User, group: CustomerGroup, details: dict) -> None:
    group.admins.filter(user_id=details["admin"]["user_id"]).delete()


def _undo_remove_admins(by: User, group: CustomerGroup, details: dict) -> None:
    # Back in our records without a password: each was made on BroadWorks already, by the build.
    for admin in details["removed"]:
        if not GroupAdmin.objects.filter(user_id=admin["user_id"]).exists():
            GroupAdmin.objects.create(group=group, password_wiped_at=timezone.now(), **admin)


# -- Akixi (K3, K4) ----------------------------------------------------------------------------------
def _needs_akixi(group: CustomerGroup) -> None:
    if not group.akixi_licence:
        raise ValidationError({"__all__": [f"{group.group_id} has no Akixi licence: it has no Akixi partition (K2)."]})


def _record_add_akixi_user(by: User, group: CustomerGroup, values: Values) -> Recorded:
    _needs_akixi(group)
    user = {name: (values.get(name) or "").strip() for name in ("username", "full_name", "email")}
    position = group.akixi_users.count()

    def edit(data):
        data["akixi"]["users"].append(dict(user))

    check_as_changed(group, edit, {f"akixi.users.{position}.{name}": name for name in user})
    AkixiUser.objects.create(group=group, **user)
    return Recorded(f"Add Akixi reporting user {user['username']}", {"users": [user]})


def _record_remove_akixi_users(by: User, group: CustomerGroup, values: Values) -> Recorded:
    _needs_akixi(group)
    leaving = list(dict.fromkeys(values.get("usernames") or []))
    if not leaving:
        raise ValidationError({"usernames": ["Choose at least one reporting user to remove."]})
    rows = {u.username: u for u in group.akixi_users.all()}
    if unknown := [u for u in leaving if u not in rows]:
        raise ValidationError({"usernames": [f"{u} is not a reporting user of {group.group_id}." for u in unknown]})
    check_as_changed(
        group,
        lambda data: data["akixi"].update(users=[u for u in data["akixi"]["users"] if u["username"] not in leaving]),
        {"akixi.users": "usernames"},
    )
    users = [{"username": u, "full_name": rows[u].full_name, "email": rows[u].email} for u in leaving]
    group.akixi_users.filter(username__in=leaving).delete()
    plural = "s" if len(leaving) > 1 else ""
    return Recorded(f"Remove Akixi reporting user{plural} {_shown(leaving)}", {"users": users, "usernames": leaving})


def _plan_add_akixi_users(group: CustomerGroup, details: dict) -> Plan:
    detail = "{username} ({full_name}, {email}), on {group}'s own partition only, reporting only (K4)"
    return [
        _step("akixi", "Add the reporting user", detail.format(group=group.group_id, **u)) for u in details["users"]
    ]


def _plan_remove_akixi_users(group: CustomerGroup, details: dict) -> Plan:
    return [_step("akixi", "Delete the reporting user", f"{u['username']} (K4)") for u in details["users"]]


def _undo_add_akixi_users(by: User, group: CustomerGroup, details: dict) -> None:
    group.akixi_users.filter(username__in=[u["username"] for u in details["users"]]).delete()


def _undo_remove_akixi_users(by: User, group: CustomerGroup, details: dict) -> None:
    for user in details["users"]:
        taken = AkixiUser.objects.annotate(lower=Lower("username")).filter(lower=user["username"].lower())
        if not taken.exists():
            AkixiUser.objects.create(group=group, **user)


def _record_akixi_sync(by: User, group: CustomerGroup, values: Values) -> Recorded:
    _needs_akixi(group)
    # The step is done once a synchronisation completed after this moment (K3).
    return Recorded("Synchronise Akixi now", {"asked_at": timezone.now().isoformat()})


def _plan_akixi_sync(group: CustomerGroup, details: dict) -> Plan:
    detail = f"{group.group_id}'s partition; then wait for “synchronisation completed” (K3)"
    return [_step("akixi", "Perform synchronisation now", detail)]


# -- Call Cabinet (C5) ---------------------------------------------------------------------------------
def _callcabinet_admin_now(group: CustomerGroup) -> dict:
    return {"admin_name": group.callcabinet_admin_name, "admin_email": group.callcabinet_admin_email}


def _set_callcabinet_admin(group: CustomerGroup, setting: dict) -> None:
    group.callcabinet_admin_name, group.callcabinet_admin_email = setting["admin_name"], setting["admin_email"]
    group.save(update_fields=["callcabinet_admin_name", "callcabinet_admin_email", "updated_at"])


def _record_callcabinet_admin(by: User, group: CustomerGroup, values: Values) -> Recorded:
    if not group.has_callcabinet:
        raise ValidationError(
            {"__all__": [f"{group.group_id} does not record calls: it has no Call Cabinet customer."]}
        )
    wanted = {name: (values.get(name) or "").strip() for name in ("admin_name", "admin_email")}
    before = _callcabinet_admin_now(group)
    if wanted == before:
        raise _unchanged("admin_email", "That is the customer administrator already.")
    if not wanted["admin_email"]:
        raise ValidationError({"admin_email": ["Enter the administrator's email: the welcome email goes there (C5)."]})
    check_as_changed(
        group,
        lambda data: data.update(callcabinet=dict(wanted)),
        {"callcabinet.admin_name": "admin_name", "callcabinet.admin_email": "admin_email"},
    )
    _set_callcabinet_admin(group, wanted)
    return Recorded(f"Call Cabinet administrator {wanted['admin_email']}", {**wanted, "before": before})


def _plan_callcabinet_admin(group: CustomerGroup, details: dict) -> Plan:
    detail = f"{details['admin_name']} <{details['admin_email']}> on {group.group_id}'s Essential customer (C5)"
    return [_step("callcabinet", "Change the customer administrator", detail)]


def _undo_callcabinet_admin(by: User, group: CustomerGroup, details: dict) -> None:
    _set_callcabinet_admin(group, details["before"])


# -- decommissioning ------------------------------------------------------------------------------------
# A port still under way names the group as where its numbers go (porting.PortRequest.customer_group;
# porting stands above customers, so by its statuses' values).
PORTS_UNDER_WAY = ("draft", "submitted", "accepted", "rejected")


def _record_decommission(by: User, group: CustomerGroup, values: Values) -> Recorded:
    typed = (values.get("confirm_group_id") or "").strip()
    if typed != group.group_id:
        raise ValidationError({"confirm_group_id": [f"Type the group ID, {group.group_id}, exactly, to confirm."]})
    ports = list(group.port_requests.filter(status__in=PORTS_UNDER_WAY).values_list("pk", flat=True))
    if ports:
        one, named = len(ports) == 1, ", ".join(f"#{pk}" for pk in ports)
        which = f"Port request {named} still names" if one else f"Port requests {named} still name"
        raise ValidationError(
            {"__all__": [f"{which} {group.group_id}: complete or cancel {'it' if one else 'them'} first."]}
        )
    skipped = set()
    if not group.has_callcabinet:
        skipped.add(BuildStepName.REMOVE_CALLCABINET_CUSTOMER)
    if not group.akixi_licence:
        skipped |= {BuildStepName.REMOVE_AKIXI_USERS, BuildStepName.REMOVE_AKIXI_PARTITION}
    details = {
        "admins": list(group.admins.values_list("user_id", flat=True)),
        "usernames": list(group.akixi_users.values_list("username", flat=True)),
        "numbers": list(group.numbers.order_by("e164").values_list("e164", flat=True)),
    }
    steps = tuple(name for name in DECOMMISSIONING_ORDER if name not in skipped)
    return Recorded(f"Decommission {group.group_id}", details, steps=steps)


def _plan_decommission(group: CustomerGroup, details: dict) -> Plan:
    sp, gid = group.partner.partner_id, group.group_id
    plan = []
    if group.has_callcabinet:
        plan.append(
            _step("callcabinet", "Delete the customer", f"{gid}'s Essential customer and its recordings' access")
        )
    if group.akixi_licence:
        users = _shown(details["usernames"]) or "none of ours"
        plan += [
            _step("akixi", "Delete the reporting users", f"{users}, and any other user scoped to {gid}'s partition"),
            _step("akixi", "Delete the partition", f"{gid}'s partition"),
        ]
    numbers = numbers_as_text(details["numbers"], separator=", ", dash="–")
    plan += [
        _step("broadworks", "Delete the group administrators", f"{_shown(details['admins'])}, and any made by hand"),
        _step("broadworks", "Turn the voice portal off", "its number and extension cleared (V1)"),
        _step("broadworks", "Take every number off the group", f"{numbers}: back to {sp}'s pool, free again (N2)"),
        _step("broadworks", "Delete the group", f"{gid} from {sp}; our record stays, decommissioned, with its history"),
    ]
    return plan


KINDS: dict[str, ChangeKind] = {
    "add_numbers": ChangeKind(
        "Add numbers",
        (BuildStepName.POOL_NUMBERS, BuildStepName.ASSIGN_NUMBERS),
        _record_add_numbers,
        _plan_add_numbers,
        _undo_add_numbers,
    ),
    "remove_numbers": ChangeKind(
        "Take numbers off",
        (BuildStepName.UNASSIGN_NUMBERS,),
        _record_remove_numbers,
        _plan_remove_numbers,
        _undo_remove_numbers,
    ),
    "business_profile": ChangeKind(
        "Change the business profile number",
        (BuildStepName.BUSINESS_PROFILE,),
        _record_business_profile,
        _plan_business_profile,
        _undo_business_profile,
    ),
    "voice_portal": ChangeKind(
        "Change the voice portal",
        (BuildStepName.VOICE_PORTAL,),
        _record_voice_portal,
        _plan_voice_portal,
        _undo_voice_portal,
    ),
    "add_admin": ChangeKind(
        "Add a group administrator",
        (BuildStepName.ADMINS,),
        _record_add_admin,
        _plan_add_admin,
        _undo_add_admin,
    ),
    "remove_admins": ChangeKind(
        "Remove group administrators",
        (BuildStepName.REMOVE_ADMINS,),
        _record_remove_admins,
        _plan_remove_admins,
        _undo_remove_admins,
    ),
    "add_akixi_user": ChangeKind(
        "Add an Akixi reporting user",
        (BuildStepName.AKIXI_USERS,),
        _record_add_akixi_user,
        _plan_add_akixi_users,
        _undo_add_akixi_users,
    ),
    "remove_akixi_users": ChangeKind(
        "Remove Akixi reporting users",
        (BuildStepName.REMOVE_AKIXI_USERS,),
        _record_remove_akixi_users,
        _plan_remove_akixi_users,
        _undo_remove_akixi_users,
    ),
    "akixi_sync": ChangeKind(
        "Synchronise Akixi now",
        (BuildStepName.AKIXI_RESYNC,),
        _record_akixi_sync,
        _plan_akixi_sync,
        lambda by, group, details: None,  # nothing of ours to put back
    ),
    "callcabinet_admin": ChangeKind(
        "Change the Call Cabinet administrator",
        (BuildStepName.CALLCABINET_ADMIN,),
        _record_callcabinet_admin,
        _plan_callcabinet_admin,
        _undo_callcabinet_admin,
    ),
    # Staff only, and never cancelled half-way: a failed one is retried until the customer is gone.
    "decommission": ChangeKind("Decommission", (), _record_decommission, _plan_decommission, staff_only=True),
}
