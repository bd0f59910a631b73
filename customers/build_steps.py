"""What each build step does. Every step asks the platform first and creates only what is missing,
so running a step again (a retry, a redelivered task) changes nothing that is already there.

Gateways (integrations.platforms) have plain methods named after what they do; passwords are
decrypted only here, handed to the gateway, and wiped once the platform has them (A2)."""

from contextlib import suppress
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from expoe_portal import vault
from integrations.akixi import client as akixi_client
from integrations.base import PermanentError, TransientError, calling_for
from integrations.callcabinet.client import EssentialCustomer
from integrations.callcabinet.client import manual_instructions as callcabinet_instructions
from integrations.manual import MANUAL, NotCheckedInManualMode
from integrations.platforms import get_platforms
from integrations.sources import assumed
from number_pool.choices import NumberStatus

from .choices import BuildStepName
from .models import CustomerGroup, GroupAdmin

# A change's step a co-ordinator did by hand on a platform in manual mode, and confirmed: it runs
# again only to finish, without asking the platform (which the portal cannot read in that mode).
DONE_BY_HAND = "done by hand (confirmed)"


def run_step(*, step, group, platforms=None) -> str:
    if step.external_reference == DONE_BY_HAND:
        return DONE_BY_HAND
    # Every platform call the step makes is logged against this build and step (ExternalCall).
    with calling_for(f"build:{step.build_id}/step:{step.name}", partner=group.partner):
        platforms = platforms or get_platforms()
        if step.name in STEPS_OF_A_CHANGE:  # what the change itself names (the numbers it takes off)
            return STEPS_OF_A_CHANGE[step.name](group=group, platforms=platforms, details=step.build.details)
        return STEPS[step.name](group=group, platforms=platforms)


def _numbers(group) -> list[str]:
    return list(group.numbers.order_by("e164").values_list("e164", flat=True))


# C6: what a group that records calls needs authorised, so the partner can apply licences to users.
CALL_RECORDING_SERVICES = ("Call Recording",)


def clone_group(*, group, platforms) -> str:
    """G1-G5: the group, copied from the partner's clone group, under a group ID no other service
    provider on the platform has (G3: BroadWorks itself only keeps group IDs unique within one)."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    elsewhere = [owner for owner in bw.group_id_owners(group.group_id) if owner != sp]
    if elsewhere:
        raise PermanentError(
            f"G3: the group ID {group.group_id} is already used on BroadWorks by {', '.join(elsewhere)}; "
            "a group ID must be unique on the whole platform. Choose another group ID, then retry."
        )
    if bw.group_exists(sp, group.group_id):
        # Ours from an earlier attempt (a lost reply) carries our name; anyone else's is not adopted.
        found = bw.group_profile(sp, group.group_id).get("name")
        if found != group.name:
            raise PermanentError(
                f"BroadWorks already has a group {group.group_id} in {sp} (named “{found}”) that this build "
                "did not create: choose another group ID, or remove that group on BroadWorks, then retry."
            )
    else:
        bw.add_group_from_template(
            service_provider_id=sp,
            template_service_provider_id=group.clone_service_provider_id or None,
            template_group_id=group.clone_group_id,
            group_id=group.group_id,
            name=group.name,
            domain=group.domain,
            extension_length=group.extension_length,
            extra_user_services=CALL_RECORDING_SERVICES if group.has_callcabinet else (),
        )
    return group.group_id


def pool_numbers(*, group, platforms) -> str:
    """N1: the numbers are on the partner's service provider before they go to the group."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    pooled = set(bw.service_provider_numbers(sp))
    missing = [n for n in _numbers(group) if n not in pooled]
    if missing:
        bw.add_numbers_to_service_provider(sp, missing)
    return f"{len(missing)} added"


def assign_numbers(*, group, platforms) -> str:
    bw, sp = platforms.broadworks, group.partner.partner_id
    assigned = set(bw.group_numbers(sp, group.group_id))
    numbers = _numbers(group)
    missing = [n for n in numbers if n not in assigned]
    if missing:
        bw.assign_numbers(sp, group.group_id, missing)
    return f"{len(numbers)} assigned"


def unassign_numbers(*, group, platforms, details) -> str:
    """N1, N2: the change's numbers off the group; BroadWorks keeps them on the partner's pool. Only
    the numbers the change names: a number on the group that our records do not know is drift for
    the reconciliation to report, not something a change removes."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    leaving = sorted(details.get("numbers", []))
    still_there = set(bw.group_numbers(sp, group.group_id, activated_only=False))
    if on_the_group := [n for n in leaving if n in still_there]:
        bw.unassign_numbers(sp, group.group_id, on_the_group)
    return f"{len(leaving)} taken off"


def business_profile(*, group, platforms) -> str:
    """B1: the group CLID, and whether the group's users present it as their caller ID."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    wanted = {"number": group.business_profile_number, "present_as_caller_id": group.present_group_number_as_clid}
    if bw.group_clid(sp, group.group_id) != wanted:
        bw.set_group_clid(
            sp, group.group_id, group.business_profile_number, present_as_caller_id=group.present_group_number_as_clid
        )
    return group.business_profile_number


def voice_portal(*, group, platforms) -> str:
    """V1, V2."""
    platforms.broadworks.enable_voice_portal(
        group.partner.partner_id,
        group.group_id,
        number=group.voice_portal_number,
        extension=group.voice_portal_extension,
        external_dial_in=group.voice_portal_external_dial_in,
    )
    return group.voice_portal_number or group.voice_portal_extension


def admins(*, group, platforms) -> str:
    """A1, A2: each admin once; their password is wiped as soon as the platform has it, unless it
    was generated and is still to be shown once on the hand-over page."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    for admin in group.admins.order_by("id"):
        # Checked in the group's own admin list; a user ID taken elsewhere is refused on add (A1).
        if not bw.group_admin_exists(admin.user_id, service_provider_id=sp, group_id=group.group_id):
            if not admin.password_encrypted:
                raise TransientError(f"{admin.user_id} has no password to create it with; edit the request.")
            bw.add_group_admin(
                sp,
                group.group_id,
                user_id=admin.user_id,
                first_name=admin.first_name,
                last_name=admin.last_name,
                password=vault.decrypt(admin.password_encrypted),
            )
        # A generated password nobody has seen yet stays encrypted for its one showing on the
        # hand-over page (customers.services.group_admin_password_reveal); any other is wiped now.
        GroupAdmin.objects.filter(pk=admin.pk).exclude(password_encrypted="").filter(
            Q(password_generated=False) | Q(password_shown_at__isnull=False)
        ).update(password_encrypted="", password_wiped_at=timezone.now())
    return ", ".join(group.admins.values_list("user_id", flat=True))


def akixi_partition(*, group, platforms) -> str:
    """K2: one partition per customer with the fixed values."""
    ak = platforms.akixi
    partition = ak.find_partition(group.group_id) or ak.add_partition(
        description=group.name,
        billing_id=group.group_id,
        licensed_for=group.akixi_licence,
        provider_id=group.partner.partner_id,
        group_id=group.group_id,
    )
    return str(partition)


def akixi_sync(*, group, platforms) -> str:
    """K3: wait (by retrying, bounded by the step's attempts) for "synchronisation completed",
    asking for a sync when none is under way."""
    ak = platforms.akixi
    partition = ak.find_partition(group.group_id)
    status = ak.sync_status(partition)
    if status == "completed":
        return "completed"
    if status not in ("pending", "in_progress"):
        ak.request_sync(partition)
    raise TransientError(f"Akixi synchronisation is {status.replace('_', ' ')}; checking again shortly.")


def akixi_users(*, group, platforms) -> str:
    """K4: reporting users on the customer's own partition only."""
    ak = platforms.akixi
    partition = ak.find_partition(group.group_id)
    for user in group.akixi_users.order_by("id"):
        if not ak.user_exists(user.username):
            ak.add_reporting_user(
                username=user.username, full_name=user.full_name, email=user.email, partition=partition
            )
    return f"{group.akixi_users.count()} users"


def essential_customer(group) -> EssentialCustomer:
    """C2-C5: what the group's Essential customer is created with, by the API or by a person."""
    return EssentialCustomer(
        dealer_code=group.dealer_code,
        billing_code=group.billing_code,
        broadworks_group_id=group.group_id,
        provider_id=group.partner.partner_id,
        admin_name=group.callcabinet_admin_name,
        admin_email=group.callcabinet_admin_email,
    )


def callcabinet_customer(*, group, platforms) -> str:
    """C2-C5: an Essential customer, coded by the group ID."""
    cc = platforms.callcabinet
    customer = cc.find_customer(group.group_id) or cc.add_essential_customer(essential_customer(group))
    return str(customer)


# -- steps only a change runs (#15): each reads the platform first, so a repeat changes nothing ------
def _decommissioning(details) -> bool:
    return details.get("change") == "decommission"


def _each_by_hand_at_once(writes) -> None:
    """Make each write; on a platform in manual mode, each answers with what a person must do, and
    the step waits once for all of them (one confirmation), not once per object."""
    lines = []
    for write in writes:
        try:
            write()
        except PermanentError as exc:
            if exc.code != MANUAL:
                raise
            lines.append(str(exc))
    if lines:
        raise PermanentError(" ".join(lines), code=MANUAL)


def remove_admins(*, group, platforms, details) -> str:
    """A1: the change's administrators off the group; a decommissioning takes every one BroadWorks
    lists, ours or made by hand, so nothing of the customer is left."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    there = [admin["user_id"] for admin in bw.group_admins(sp, group.group_id)]
    leaving = there if _decommissioning(details) else [a for a in details.get("admins", []) if a in there]
    for user_id in leaving:
        bw.delete_group_admin(user_id)
    return f"{len(leaving)} removed"


def akixi_resync(*, group, platforms, details) -> str:
    """K3, "Perform synchronisation now": done once a synchronisation completed after the change was
    asked for. Until then it waits (by retrying, bounded by the step's attempts) for one under way,
    and asks for one only when none is: a redelivered step neither skips the sync nor asks twice."""
    ak = platforms.akixi
    partition = ak.find_partition(group.group_id)
    if partition is None:
        raise PermanentError(f"Akixi has no partition for {group.group_id} (K2): repair the customer first.")
    try:
        state = ak.sync_state(partition)
    except NotCheckedInManualMode:
        ak.request_sync(partition)  # in manual mode: the instructions to press it, then a confirmation
        raise
    asked_at = datetime.fromisoformat(details["asked_at"])
    if state["status"] == "completed" and state["completed_at"] and state["completed_at"] >= asked_at:
        return f"completed {state['completed_at']:%Y-%m-%d %H:%M} UTC"
    if state["status"] not in ("pending", "in_progress"):
        ak.request_sync(partition)
    raise TransientError(f"Akixi synchronisation is {state['status'].replace('_', ' ')}; checking again shortly.")


def remove_akixi_users(*, group, platforms, details) -> str:
    """K4: the change's reporting users off Akixi; a decommissioning takes every user scoped to the
    customer's partition as well."""
    ak = platforms.akixi
    leaving = list(details.get("usernames", []))
    if _decommissioning(details) and (partition := ak.find_partition(group.group_id)) is not None:
        with suppress(NotCheckedInManualMode):  # in manual mode a person removes ours, each named
            leaving += [u for u in ak.partition_users(partition) if u not in leaving]
    removed = [u for u in leaving if ak.user_exists(u)]
    _each_by_hand_at_once(lambda u=u: ak.delete_reporting_user(u) for u in removed)
    return f"{len(removed)} removed"


def restrict_akixi_users(*, group, platforms) -> str:
    """K4: every reporting user of ours back to the customer's own partition ("Any Partition" is for
    partner staff only); the gateway reads each user first."""
    ak = platforms.akixi
    partition = ak.find_partition(group.group_id)
    if partition is None:
        raise PermanentError(f"Akixi has no partition for {group.group_id} (K2): repair the partition first.")
    users = list(group.akixi_users.order_by("id").values_list("username", flat=True))
    _each_by_hand_at_once(lambda u=u: ak.restrict_reporting_user(u, partition) for u in users)
    return f"{len(users)} limited to partition {partition}"


def callcabinet_admin(*, group, platforms) -> str:
    """C5: the customer administrator our record names (the gateway writes only when it differs)."""
    cc = platforms.callcabinet
    customer_id = _callcabinet_customer_id(group, cc)
    if customer_id is None:
        raise PermanentError(f"Call Cabinet has no customer for {group.group_id} (C4): repair the customer first.")
    cc.change_customer_admin(customer_id, name=group.callcabinet_admin_name, email=group.callcabinet_admin_email)
    return group.callcabinet_admin_email


def _callcabinet_customer_id(group, cc):
    """The group's Call Cabinet customer; in manual mode, the reference the co-ordinator confirmed
    at the build (the portal cannot read Call Cabinet then, and the person acts on that customer)."""
    try:
        customer = cc.customer(group.group_id)
    except NotCheckedInManualMode:
        return group.callcabinet_reference or group.group_id
    return customer["customer_id"] if customer else None


def remove_callcabinet_customer(*, group, platforms) -> str:
    cc = platforms.callcabinet
    customer_id = _callcabinet_customer_id(group, cc)
    if customer_id is not None:
        cc.delete_customer(customer_id)
    return "removed" if customer_id is not None else "not there"


def remove_akixi_partition(*, group, platforms) -> str:
    ak = platforms.akixi
    partition = ak.find_partition(group.group_id)
    if partition is not None:
        ak.delete_partition(partition)
    return "removed" if partition is not None else "not there"


def disable_voice_portal(*, group, platforms) -> str:
    """V1: off, and its number and extension cleared, so the number can leave the group."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    if bw.group_exists(sp, group.group_id):
        bw.disable_voice_portal(sp, group.group_id)
    return "off"


def release_numbers(*, group, platforms) -> str:
    """N2: every number off the group, back to the partner's pool on BroadWorks; the group's calling
    line ID first (B1: BroadWorks keeps the group's CLID number on it)."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    if not bw.group_exists(sp, group.group_id):
        return "group already gone"
    bw.clear_group_clid(sp, group.group_id)
    on_the_group = bw.group_numbers(sp, group.group_id, activated_only=False)
    if on_the_group:
        bw.unassign_numbers(sp, group.group_id, on_the_group)
    return f"{len(on_the_group)} back to {sp}'s pool"


def delete_group(*, group, platforms) -> str:
    """The group last; then our record: decommissioned, its numbers back in the partner's pool (N2).
    Both writes are repeatable, so a step run twice leaves the same result."""
    bw, sp = platforms.broadworks, group.partner.partner_id
    if bw.group_exists(sp, group.group_id):
        bw.delete_group(sp, group.group_id)
    with transaction.atomic():
        group.numbers.update(customer_group=None, status=NumberStatus.AVAILABLE)  # N2
        CustomerGroup.objects.filter(pk=group.pk, decommissioned_at__isnull=True).update(
            decommissioned_at=timezone.now()
        )
    return f"{group.group_id} deleted"


# The platform operations each step may call (integrations/sources.py says what each rests on).
STEP_OPERATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    BuildStepName.CLONE_GROUP: (
        "broadworks",
        ("group_id_owners", "group_exists", "group_profile", "add_group_from_template"),
    ),
    BuildStepName.POOL_NUMBERS: ("broadworks", ("service_provider_numbers", "add_numbers_to_service_provider")),
    BuildStepName.ASSIGN_NUMBERS: ("broadworks", ("group_numbers", "assign_numbers")),
    BuildStepName.UNASSIGN_NUMBERS: ("broadworks", ("group_numbers", "unassign_numbers")),
    BuildStepName.BUSINESS_PROFILE: ("broadworks", ("group_clid", "set_group_clid")),
    BuildStepName.VOICE_PORTAL: ("broadworks", ("enable_voice_portal",)),
    BuildStepName.ADMINS: ("broadworks", ("group_admin_exists", "add_group_admin")),
    BuildStepName.AKIXI_PARTITION: ("akixi", ("find_partition", "add_partition")),
    BuildStepName.AKIXI_SYNC: ("akixi", ("sync_status", "request_sync")),
    BuildStepName.AKIXI_USERS: ("akixi", ("user_exists", "add_reporting_user")),
    BuildStepName.CALLCABINET_CUSTOMER: ("callcabinet", ("find_customer", "add_essential_customer")),
    BuildStepName.REMOVE_ADMINS: ("broadworks", ("group_admins", "delete_group_admin")),
    BuildStepName.AKIXI_RESYNC: ("akixi", ("find_partition", "sync_state", "request_sync")),
    BuildStepName.REMOVE_AKIXI_USERS: (
        "akixi",
        ("find_partition", "partition_users", "user_exists", "delete_reporting_user"),
    ),
    BuildStepName.RESTRICT_AKIXI_USERS: ("akixi", ("find_partition", "restrict_reporting_user")),
    BuildStepName.CALLCABINET_ADMIN: ("callcabinet", ("customer", "change_customer_admin")),
    BuildStepName.REMOVE_CALLCABINET_CUSTOMER: ("callcabinet", ("customer", "delete_customer")),
    BuildStepName.REMOVE_AKIXI_PARTITION: ("akixi", ("find_partition", "delete_partition")),
    BuildStepName.DISABLE_VOICE_PORTAL: ("broadworks", ("group_exists", "disable_voice_portal")),
    BuildStepName.RELEASE_NUMBERS: (
        "broadworks",
        ("group_exists", "clear_group_clid", "group_numbers", "unassign_numbers"),
    ),
    BuildStepName.DELETE_GROUP: ("broadworks", ("group_exists", "delete_group")),
}


def manual_instructions_for(step_name: str, group) -> list[str]:
    """What a co-ordinator does by hand for a step waiting on them (a platform in manual mode), one
    line per step, with the exact values."""
    if step_name == BuildStepName.CALLCABINET_CUSTOMER:
        return callcabinet_instructions(essential_customer(group))
    if step_name == BuildStepName.AKIXI_PARTITION:
        return akixi_client.manual_partition_instructions(
            description=group.name,
            billing_id=group.group_id,
            licensed_for=group.akixi_licence,
            provider_id=group.partner.partner_id,
            group_id=group.group_id,
        )
    if step_name == BuildStepName.AKIXI_USERS:
        partition = group.akixi_partition_reference or "(the customer's partition)"
        return [
            line
            for user in group.akixi_users.filter(confirmed_at__isnull=True).order_by("id")
            for line in akixi_client.manual_user_instructions(
                username=user.username, full_name=user.full_name, email=user.email, partition=partition
            )[:-1]
        ] + ["Then confirm here that every user above is created."]
    return []


def step_assumptions(name: str) -> list[str]:
    """What a step rests on that the platform's vendor does not document (for staff pages)."""
    platform, operations = STEP_OPERATIONS[name]
    return sorted({f"{op.name}: {op.source}" for op in assumed(platform, operations)})


STEPS = {
    BuildStepName.CLONE_GROUP: clone_group,
    BuildStepName.POOL_NUMBERS: pool_numbers,
    BuildStepName.ASSIGN_NUMBERS: assign_numbers,
    BuildStepName.BUSINESS_PROFILE: business_profile,
    BuildStepName.VOICE_PORTAL: voice_portal,
    BuildStepName.ADMINS: admins,
    BuildStepName.AKIXI_PARTITION: akixi_partition,
    BuildStepName.AKIXI_SYNC: akixi_sync,
    BuildStepName.AKIXI_USERS: akixi_users,
    BuildStepName.CALLCABINET_CUSTOMER: callcabinet_customer,
    BuildStepName.RESTRICT_AKIXI_USERS: restrict_akixi_users,
    BuildStepName.CALLCABINET_ADMIN: callcabinet_admin,
    BuildStepName.REMOVE_CALLCABINET_CUSTOMER: remove_callcabinet_customer,
    BuildStepName.REMOVE_AKIXI_PARTITION: remove_akixi_partition,
    BuildStepName.DISABLE_VOICE_PORTAL: disable_voice_portal,
    BuildStepName.RELEASE_NUMBERS: release_numbers,
    BuildStepName.DELETE_GROUP: delete_group,
}
# Steps only a change runs, given the change's own details as well.
STEPS_OF_A_CHANGE = {
    BuildStepName.UNASSIGN_NUMBERS: unassign_numbers,
    BuildStepName.REMOVE_ADMINS: remove_admins,
    BuildStepName.AKIXI_RESYNC: akixi_resync,
    BuildStepName.REMOVE_AKIXI_USERS: remove_akixi_users,
}
