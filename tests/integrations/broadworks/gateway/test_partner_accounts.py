"""The BroadWorks gateway's partner accounts (O2) against the simulator: the enterprise, what it is
authorised for (without it BroadWorks refuses the partner's first group), its portal login, and
G3's look across every service provider."""

import logging

import pytest

from integrations.base import PermanentError
from integrations.broadworks.simulator import CLONE_SERVICE_PROVIDER_ID, preload_partner
from integrations.choices import CallOutcome
from integrations.models import ExternalCall

from .support import (
    CLONE,
    PARTNER,
    new_group,
    request_types,
    stored_calls_text,
)

pytestmark = pytest.mark.django_db


# -- partner accounts (O2) --------------------------------------------------------------------------


def test_O2_a_partner_enterprise_with_both_domains_and_its_clone_group(sim, gw):
    assert gw.service_provider_exists(PARTNER) is True
    assert gw.service_provider_exists("GAMMA03") is False
    not_found = ExternalCall.objects.order_by("-id").first()
    assert not_found.outcome == CallOutcome.OK and not_found.response["not_found"] is True

    gw.add_service_provider("GAMMA03", "Gamma Comms", "exponential-e.com")
    assert gw.service_provider_exists("GAMMA03") is True
    sp = sim.state.snapshot()["service_providers"]["GAMMA03"]
    assert (sp["name"], sp["default_domain"], sp["is_enterprise"]) == ("Gamma Comms", "exponential-e.com", True)
    assert sorted(sp["domains"]) == ["exponential-e.com", "hostedcomm.com"]  # G5
    added = ExternalCall.objects.get(operation="add_service_provider")
    assert added.request["requests"][0]["type"] == "ServiceProviderConsolidatedAddRequest"  # current, not 13mp2
    with pytest.raises(PermanentError, match="Service Provider already exists: GAMMA03"):
        gw.add_service_provider("GAMMA03", "Gamma Comms", "exponential-e.com")

    assert gw.group_exists(CLONE_SERVICE_PROVIDER_ID, "GAMMA03-CLONE") is False
    gw.add_clone_group("GAMMA03-CLONE", template_group_id=CLONE, name="Gamma Comms clone template")
    assert gw.group_template(CLONE_SERVICE_PROVIDER_ID, "GAMMA03-CLONE") == gw.group_template(
        CLONE_SERVICE_PROVIDER_ID, CLONE
    )
    # A service provider authorised for nothing: BroadWorks refuses its first customer group.
    with pytest.raises(PermanentError, match=r"Service not authorized for service provider GAMMA03: "):
        new_group(gw, "GAMMA-CAFE", partner="GAMMA03", clone="GAMMA03-CLONE", domain="exponential-e.com")

    added = gw.authorise_service_provider("GAMMA03", template_group_id="GAMMA03-CLONE")
    wanted = gw.group_template(CLONE_SERVICE_PROVIDER_ID, "GAMMA03-CLONE")
    authorised = gw.service_provider_authorisations("GAMMA03")
    assert set(authorised["group_services"]) == set(wanted["group_services"])
    assert set(wanted["user_services"]) <= set(authorised["user_services"])
    assert sorted(authorised["service_packs"]) == sorted(wanted["service_packs"])
    assert set(wanted["service_packs"]) <= set(added)
    packs = sim.state.snapshot()["service_providers"]["GAMMA03"]["service_packs"]
    assert packs["Call Recording"]["services"] == ["Call Recording"]  # defined as where the template lives
    ExternalCall.objects.all().delete()
    assert gw.authorise_service_provider("GAMMA03", template_group_id="GAMMA03-CLONE") == []
    assert "ServiceProviderServiceModifyAuthorizationListRequest" not in request_types(), "read first: no write"

    # The partner's first customer group, cloned from it.
    new_group(gw, "GAMMA-CAFE", partner="GAMMA03", clone="GAMMA03-CLONE", domain="exponential-e.com")
    assert gw.group_exists("GAMMA03", "GAMMA-CAFE")


def test_O2_the_partners_portal_login_is_a_service_provider_administrator_and_its_password_stays_on_broadworks(
    sim, gw, caplog
):
    caplog.set_level(logging.DEBUG)
    canary = "Portal-Canary-5d2b!"
    assert gw.portal_login_exists("ACME01-admin") is False
    gw.add_portal_login(PARTNER, user_id="ACME01-admin", first_name="Ada", last_name="Lovelace", password=canary)
    assert gw.portal_login_exists("ACME01-admin") is True
    user = sim.state.snapshot()["users"]["ACME01-admin"]
    assert (user["kind"], user["service_provider_id"], user["administrator_type"]) == (
        "service_provider_admin",
        PARTNER,
        "Normal",
    )
    gw.reset_portal_login_password("ACME01-admin", password=canary + "2")
    with pytest.raises(PermanentError, match="has no domain"):
        gw.add_portal_login(PARTNER, user_id="ada@hostedcomm.com", first_name="A", last_name="L", password=canary)
    for secret in (canary, canary + "2"):
        assert secret not in stored_calls_text() and secret not in caplog.text
        assert secret not in sim.state.path.read_text()


def test_G3_a_group_id_is_looked_up_across_every_service_provider(sim, gw):
    assert gw.group_id_owners("ACME-BAKERY") == []
    new_group(gw)
    preload_partner(sim.state, "BETA02", "BETA02-CLONE")
    new_group(gw, "acme-bakery", partner="BETA02", clone="BETA02-CLONE")  # BroadWorks allows it in another SP
    assert gw.group_id_owners("ACME-BAKERY") == ["ACME01", "BETA02"]  # the portal compares ignoring case
    assert request_types()[-1] == "GroupGetListInSystemRequest"
