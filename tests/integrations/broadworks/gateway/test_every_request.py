"""Every operation of the BroadWorks gateway, run against the strict simulator: each request it can
send is one the OCI-P schema has, in its current version, and the simulator (which reads every
request against the schema classes) accepts it. The list of operations is read off the gateway
itself, so a new one without a run here fails this test."""

import inspect

import pytest

from integrations.broadworks.gateway import BroadWorksGateway
from integrations.broadworks.simulator import schema
from integrations.models import ExternalCall

from .support import CLONE, ON_BROADWORKS, PARTNER, POOL

pytestmark = pytest.mark.django_db

NEW_PARTNER, NEW_GROUP = "DELTA04", "DELTA-DELI"
PORTED = ["+441134960101", "+441134960102"]


def operations() -> set[str]:
    return {name for name, _ in inspect.getmembers(BroadWorksGateway, inspect.isfunction) if not name.startswith("_")}


def run_every_operation(gw) -> set[str]:
    """O2 for a new partner, then a customer group built as the build steps build one, with every
    read the steps make; returns the operations called."""
    called: set[str] = set()

    def calling(name):
        called.add(name)
        return getattr(gw, name)

    # O2: the partner's service provider, what it may give its groups, its clone group, its login.
    assert calling("service_provider_exists")(NEW_PARTNER) is False
    calling("add_service_provider")(NEW_PARTNER, "Delta Telecom", "hostedcomm.com")
    calling("authorise_service_provider")(NEW_PARTNER, template_group_id=CLONE)
    calling("service_provider_authorisations")(NEW_PARTNER)
    calling("add_clone_group")(f"{NEW_PARTNER}-CLONE", template_group_id=CLONE, name="Delta clone template")
    assert calling("portal_login_exists")(f"{NEW_PARTNER}-admin") is False
    calling("add_portal_login")(
        NEW_PARTNER, user_id=f"{NEW_PARTNER}-admin", first_name="D", last_name="T", password="Pw-1234567!"
    )
    calling("reset_portal_login_password")(f"{NEW_PARTNER}-admin", password="Pw-7654321!")
    # The build (G1-G5, N1, B1, V1, A1), as customers/build_steps.py calls it.
    assert calling("group_id_owners")(NEW_GROUP) == []
    assert calling("group_exists")(NEW_PARTNER, NEW_GROUP) is False
    calling("group_template")("ExpoePartner", f"{NEW_PARTNER}-CLONE")
    calling("add_group_from_template")(
        service_provider_id=NEW_PARTNER,
        template_group_id=f"{NEW_PARTNER}-CLONE",
        group_id=NEW_GROUP,
        name="Delta Deli Ltd",
        domain="hostedcomm.com",
        extension_length=4,
        extra_user_services=("Call Recording",),
    )
    calling("group_profile")(NEW_PARTNER, NEW_GROUP)
    calling("service_provider_numbers")(NEW_PARTNER)
    calling("add_numbers_to_service_provider")(NEW_PARTNER, POOL)
    calling("group_numbers")(NEW_PARTNER, NEW_GROUP)
    calling("assign_numbers")(NEW_PARTNER, NEW_GROUP, POOL)
    # Port-day readiness (#18): a port's numbers assigned inactive, activated at completion; a
    # cancelled one's taken off the group and the pool.
    assert calling("number_activation_mode")() == "Group And User Activation Enabled"
    calling("add_numbers_to_service_provider")(NEW_PARTNER, PORTED)
    calling("assign_numbers")(NEW_PARTNER, NEW_GROUP, PORTED, activate=False)
    assert calling("group_number_states")(NEW_PARTNER, NEW_GROUP)[PORTED[0]] is False
    calling("activate_numbers")(NEW_PARTNER, NEW_GROUP, PORTED)
    assert calling("service_provider_number_holders")(NEW_PARTNER)[PORTED[0]] == NEW_GROUP
    calling("unassign_numbers")(NEW_PARTNER, NEW_GROUP, PORTED)
    calling("remove_numbers_from_service_provider")(NEW_PARTNER, PORTED)
    calling("group_clid")(NEW_PARTNER, NEW_GROUP)
    calling("set_group_clid")(NEW_PARTNER, NEW_GROUP, POOL[0], present_as_caller_id=True)
    calling("enable_voice_portal")(NEW_PARTNER, NEW_GROUP, number=POOL[1], extension="8000", external_dial_in=True)
    calling("enable_voice_portal")(NEW_PARTNER, NEW_GROUP, number=POOL[1], extension="8001", external_dial_in=True)
    calling("group_admin_exists")("dee@hostedcomm.com")
    calling("group_admin_exists")("dee@hostedcomm.com", NEW_PARTNER, NEW_GROUP)
    calling("add_group_admin")(
        NEW_PARTNER, NEW_GROUP, user_id="dee@hostedcomm.com", first_name="Dee", last_name="Li", password="Pw-2468!ab"
    )
    # A change after the build (#15): a number that is neither the CLID nor the portal's, off the group.
    calling("unassign_numbers")(NEW_PARTNER, NEW_GROUP, POOL[2:3])
    assert POOL[2] not in calling("group_numbers")(NEW_PARTNER, NEW_GROUP, activated_only=False)
    # What reconciliation reads back (#15).
    assert calling("group_profile")(NEW_PARTNER, NEW_GROUP)["default_domain"] == "hostedcomm.com"
    assert calling("group_clid")(NEW_PARTNER, NEW_GROUP) == {"number": POOL[0], "present_as_caller_id": True}
    portal = {"active": True, "number": POOL[1], "extension": "8001"}
    assert calling("voice_portal")(NEW_PARTNER, NEW_GROUP) == portal
    admins = calling("group_admins")(NEW_PARTNER, NEW_GROUP)
    assert admins == [{"user_id": "dee@hostedcomm.com", "first_name": "Dee", "last_name": "Li"}]
    # Decommissioning (#15): admins, voice portal and CLID undone, the numbers off, the group deleted.
    calling("delete_group_admin")("dee@hostedcomm.com")
    calling("disable_voice_portal")(NEW_PARTNER, NEW_GROUP)
    calling("clear_group_clid")(NEW_PARTNER, NEW_GROUP)
    calling("unassign_numbers")(NEW_PARTNER, NEW_GROUP, POOL[:2])
    calling("delete_group")(NEW_PARTNER, NEW_GROUP)
    return called


def test_every_gateway_operation_sends_only_current_requests_of_the_schema_and_the_strict_simulator_takes_them(sim, gw):
    called = run_every_operation(gw)
    assert called == operations(), f"run here too: {sorted(operations() - called)}"

    sent = {
        request["type"]
        for row in ExternalCall.objects.all()
        for request in row.request["requests"]
        if "type" in request
    }
    assert len(sent) >= 25
    for request_type in sorted(sent):
        cls = schema.request_class(request_type)
        assert cls is not None, f"{request_type} is not a request of the OCI-P schema"
        assert schema.replacement(cls) is None, f"{request_type} is replaced by {schema.replacement(cls)}"
    refused = ExternalCall.objects.exclude(outcome="ok").values_list("operation", "error")
    assert list(refused) == [], "every request passed the schema and the platform's rules"
    partner = sim.state.snapshot()["service_providers"][NEW_PARTNER]
    assert NEW_GROUP not in partner["groups"]
    assert all(partner["dns"][ON_BROADWORKS[n]] is None for n in POOL), "back on the partner's pool"
    assert PARTNER in sim.state.snapshot()["service_providers"], "the demo partner is still there"
