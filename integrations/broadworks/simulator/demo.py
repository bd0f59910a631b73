"""What the simulator is preloaded with for the demo, and for any partner the tests or a trainer add:
the partner's enterprise with its number pool, and its clone template group in the clone service
provider (G1, G2), as EXPO.e's onboarding (O2) would have left them."""

from collections.abc import Iterable
from pathlib import Path

from .catalogue import CLONE_SERVICE_PROVIDER_ID, VOICE_MESSAGING_GROUP
from .dns import expand_range
from .state import BroadWorksState, Record, new_group, new_service_pack

# What a partner's clone template group carries when preloaded (the demo's ACME01-CLONE).
DEMO_CLONE_GROUP_SERVICES = ("Voice Messaging Group", "Auto Attendant", "Call Park", "Call Pickup", "Hunt Group")
DEMO_CLONE_USER_SERVICES = (
    "Voice Messaging User",
    "Call Forwarding Always",
    "Call Forwarding Busy",
    "Call Forwarding No Answer",
    "Calling Line ID Delivery Blocking",
    "Three-Way Call",
    "Call Recording",  # C6: the partner applies call-recording licences to users
)
# Service packs the template uses, with the user services each is made of (defined in the service
# provider, authorised on the group).
DEMO_SERVICE_PACKS = {
    "UC Essentials": ("Voice Messaging User", "Call Forwarding Always", "Call Forwarding Busy", "Three-Way Call"),
    "Call Recording": ("Call Recording",),  # C6
}
DEMO_CLONE_SERVICE_PACKS = tuple(DEMO_SERVICE_PACKS)

# partner ID, clone group ID, name, the partner's number pool (as the portal's `seed_demo` seeds it:
# Ofcom's 020 7946 0xxx drama range).
DEMO_PARTNERS = (("ACME01", "ACME01-CLONE", "Acme Telecom", ("+44-2079460000", "+44-2079460099")),)
# EXPO.e's own template for new partners' clone groups (O2), in the clone service provider.
MASTER_CLONE_GROUP_ID = "EXPOE-MASTER-CLONE"


def preload_demo(state: BroadWorksState) -> None:
    """The demo's partner: ACME01 (enterprise, hostedcomm.com, pool +44-2079460000-099) with its clone
    group ACME01-CLONE in ExpoePartner (G1, G2): extension length 4 (2 to 6), Voice Messaging Group
    among its services; and EXPOE-MASTER-CLONE there, from which new partners' clone groups are
    copied (O2). Idempotent."""
    for partner_id, clone_group_id, name, (first, last) in DEMO_PARTNERS:
        preload_partner(state, partner_id, clone_group_id, partner_name=name, numbers=expand_range(first, last))
    preload_partner(state, CLONE_SERVICE_PROVIDER_ID, MASTER_CLONE_GROUP_ID, partner_name="EXPO.e master")


def preload_partner(
    state: BroadWorksState | Path | str,
    partner_id: str,
    clone_group_id: str,
    *,
    partner_name: str | None = None,
    clone_service_provider_id: str = CLONE_SERVICE_PROVIDER_ID,
    default_domain: str = "hostedcomm.com",
    extension_lengths: tuple[int, int, int] = (2, 6, 4),
    group_services: Iterable[str] = DEMO_CLONE_GROUP_SERVICES,
    user_services: Iterable[str] = DEMO_CLONE_USER_SERVICES,
    service_packs: Iterable[str] = DEMO_CLONE_SERVICE_PACKS,
    numbers: Iterable[str] = (),
) -> None:
    """A partner's service provider/enterprise (its number pool) and its clone template group.

    The template group sits in the clone service provider (G1: ExpoePartner), where the portal
    reads it (G2); the partner's customer groups are created in the partner's own enterprise.
    Both service providers are authorised for what the template uses and have its service packs
    defined, as onboarding (O2) leaves a partner's. Idempotent: what exists is left as it is.
    `extension_lengths` is (min, max, default).

    `state` is a live simulator's state, or a state file while no simulator runs on it (a running
    simulator would overwrite the file with its own copy)."""
    if not isinstance(state, BroadWorksState):
        state = BroadWorksState(state)
    with state.lock:
        state.ensure_service_provider(partner_id, name=partner_name or partner_id, default_domain=default_domain)
        clone_sp = state.ensure_service_provider(clone_service_provider_id)
        if clone_group_id not in clone_sp["groups"]:
            low, high, default = extension_lengths
            group = new_group(
                name=f"{partner_name or partner_id} clone template",
                default_domain=default_domain,
                domains=[default_domain],
                user_limit=25,
                extension_length={"min": low, "max": high, "default": default},
            )
            for service in group_services:
                group["group_services"][service] = {"quantity": None, "assigned": service == VOICE_MESSAGING_GROUP}
            group["user_services"] = dict.fromkeys(user_services)
            group["service_packs"] = dict.fromkeys(service_packs)
            clone_sp["groups"][clone_group_id] = group
            if VOICE_MESSAGING_GROUP in group["group_services"]:
                state.create_voice_portal(clone_service_provider_id, clone_group_id, group)
        template = clone_sp["groups"][clone_group_id]
        for sp in (clone_sp, state.service_provider(partner_id)):
            authorise_like(sp, template)
        state.add_pool_numbers(partner_id, numbers)
        state.save()


def authorise_like(sp: Record, template: Record) -> None:
    """Authorise a service provider for what a template group uses and define its service packs
    (what O2 gives a partner's service provider). Adds only what is missing."""
    for name in template["group_services"]:
        sp["group_services"].setdefault(name, None)
    for name in template["user_services"]:
        sp["user_services"].setdefault(name, None)
    for name in template["service_packs"]:
        services = DEMO_SERVICE_PACKS.get(name, ())
        for service in services:
            sp["user_services"].setdefault(service, None)
        sp["service_packs"].setdefault(name, new_service_pack(description=f"{name} (demo)", services=services))
