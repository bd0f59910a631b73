"""The BroadWorks OCI-P simulator's requests and the rules it enforces (G1-G5, N1, N2, B1, V1, V2,
A1, A2), driven by the real client library over TCP."""

from mercury_ocip_fast.commands import commands as c
from mercury_ocip_fast.commands.base_command import OCINil, SuccessResponse

from integrations.broadworks.simulator import CLONE_SERVICE_PROVIDER_ID, preload_partner

from .ocip_client import (
    CLONE,
    PARTNER,
    add_numbers,
    clone_group,
    group_key,
    oci,
    ok,
    read_clone_template,
    refused,
    unlimited,
)

# -- the clone group and the new group --------------------------------------------------------------


def test_G2_the_partners_clone_template_group_reads_back(sim):
    profile, lengths, domains, services = read_clone_template(sim)
    assert profile.default_domain == "hostedcomm.com"
    assert (lengths.min_extension_length, lengths.max_extension_length, lengths.default_extension_length) == (2, 6, 4)
    assert domains.group_default_domain == "hostedcomm.com"
    authorized = {
        r["service_name"] for r in services.group_services_authorization_table.to_dict() if r["authorized"] == "true"
    }
    assert "Voice Messaging Group" in authorized
    unknown = oci(sim, c.GroupGetRequest24(service_provider_id=CLONE_SERVICE_PROVIDER_ID, group_id="NO-SUCH-CLONE"))
    refused(unknown, "Group not found: NO-SUCH-CLONE")
    refused(oci(sim, c.GroupGetRequest24(service_provider_id="NOPE", group_id=CLONE)), "Service Provider not found")


def test_G3_G4_G5_a_group_is_created_from_the_template_and_a_duplicate_group_id_is_refused(sim):
    assert isinstance(ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd")), SuccessResponse)
    group = ok(oci(sim, c.GroupGetRequest24(**group_key())))
    assert (group.group_name, group.default_domain) == ("Acme Bakery Ltd", "hostedcomm.com")
    lengths = ok(oci(sim, c.GroupExtensionLengthGetRequest22(**group_key())))
    assert (lengths.min_extension_length, lengths.max_extension_length, lengths.default_extension_length) == (2, 6, 4)

    refused(clone_group(sim, "ACME-BAKERY", "Another name"), "Group already exists: ACME-BAKERY")

    other_domain = c.GroupConsolidatedAddRequest(
        service_provider_id=PARTNER, group_id="ACME-X", default_domain="example.com", user_limit=5
    )
    refused(oci(sim, other_domain), "Domain not assigned: example.com")


# -- numbers (N1, N2), CLID (B1) --------------------------------------------------------------------


def test_N1_N2_numbers_go_to_the_partner_pool_then_to_the_group_and_only_from_that_pool(sim):
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    pool = ["+44-1134960001", "+44-1134960002"]
    ok(oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=pool)))
    ok(
        oci(
            sim,
            c.ServiceProviderDnAddListRequest(
                service_provider_id=PARTNER,
                dn_range=[c.DNRange(min_phone_number="+44-1134960010", max_phone_number="+44-1134960012")],
            ),
        )
    )
    available = ok(oci(sim, c.ServiceProviderDnGetAvailableListRequest(service_provider_id=PARTNER))).available_dn
    assert {*pool, "+44-1134960010", "+44-1134960011", "+44-1134960012"} <= set(available)
    assert "+44-2079460099" in available and len(available) == 105  # the demo's pool is preloaded too

    ok(oci(sim, c.GroupDnAssignListRequest(**group_key(), phone_number=pool)))
    ok(oci(sim, c.GroupDnActivateListRequest(**group_key(), phone_number=pool)))
    assert ok(oci(sim, c.GroupDnGetListRequest(**group_key()))).phone_number == pool
    table = ok(oci(sim, c.GroupDnGetAssignmentListRequest18(**group_key()))).dn_table.to_dict()
    assert [(r["phone_numbers"], r["activated"]) for r in table] == [(n, "true") for n in pool]

    stranger = oci(sim, c.GroupDnAssignListRequest(**group_key(), phone_number=["+44-1134969999"]))
    refused(stranger, "DN not available in service provider ACME01: +44-1134969999")

    # N2: a number on another partner's pool cannot be assigned to this partner's group.
    preload_partner(sim.state, "BETA02", "BETA02-CLONE", numbers=["+44-1614960000"])
    refused(oci(sim, c.GroupDnAssignListRequest(**group_key(), phone_number=["+44-1614960000"])), "not available")
    refused(
        oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=["+44-1614960000"])),
        "DN already exists",
    )


def test_B1_the_group_clid_must_be_one_of_the_groups_numbers(sim):
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    add_numbers(sim, "ACME-BAKERY", ["+44-1134960001"])
    ok(oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=["+44-1134960099"])))

    not_ours = oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="+44-1134960099"))
    refused(not_ours, "must be one of the group's phone numbers: +44-1134960099")

    ok(oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="+44-1134960001")))
    assert ok(oci(sim, c.GroupGetRequest24(**group_key()))).calling_line_id_phone_number == "+44-1134960001"


def test_clearing_a_value_needs_an_OCINil_instance_because_the_library_mangles_empty_strings(sim):
    """Library quirks: "" becomes the text "<class '...OCINil'>"; OCINil() becomes C:nil="true" (an
    unbound prefix, which the simulator reads as xsi:nil)."""
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    add_numbers(sim, "ACME-BAKERY", ["+44-1134960001"])
    ok(oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="+44-1134960001")))

    refused(oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="")), "Invalid phone number")
    ok(oci(sim, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number=OCINil())))
    assert ok(oci(sim, c.GroupGetRequest24(**group_key()))).calling_line_id_phone_number is None


# -- voice portal (V1, V2) --------------------------------------------------------------------------


def test_V1_V2_the_voice_portal_needs_voice_messaging_group_a_group_number_and_an_extension_in_range(sim):
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))  # authorised, not assigned
    add_numbers(sim, "ACME-BAKERY", ["+44-1134960001"])
    enable = c.GroupVoiceMessagingGroupModifyVoicePortalRequest(
        **group_key(),
        service_instance_profile=c.ServiceInstanceModifyProfile(phone_number="+44-1134960001", extension="8000"),
        is_active=True,
    )
    refused(oci(sim, enable), "Service not assigned: Voice Messaging Group")
    refused(oci(sim, c.GroupVoiceMessagingGroupGetVoicePortalRequest21sp1(**group_key())), "Service not assigned")

    ok(
        oci(
            sim,
            c.GroupServiceModifyAuthorizationListRequest(
                **group_key(),
                group_service_authorization=[
                    c.GroupServiceAuthorization(service_name="Voice Messaging Group", authorized_quantity=unlimited())
                ],
            ),
        )
    )
    ok(oci(sim, c.GroupServiceAssignListRequest(**group_key(), service_name=["Voice Messaging Group"])))

    too_long = c.GroupVoiceMessagingGroupModifyVoicePortalRequest(
        **group_key(), service_instance_profile=c.ServiceInstanceModifyProfile(extension="1234567")
    )
    refused(oci(sim, too_long), "Invalid extension length: 1234567 must have 2 to 6 digits")
    not_ours = c.GroupVoiceMessagingGroupModifyVoicePortalRequest(
        **group_key(), service_instance_profile=c.ServiceInstanceModifyProfile(phone_number="+44-1134960077")
    )
    refused(oci(sim, not_ours), "DN not assigned to group ACME-BAKERY: +44-1134960077")

    ok(oci(sim, enable))
    portal = ok(oci(sim, c.GroupVoiceMessagingGroupGetVoicePortalRequest21sp1(**group_key())))
    assert portal.is_active is True
    assert (portal.service_instance_profile.phone_number, portal.service_instance_profile.extension) == (
        "+44-1134960001",
        "8000",
    )
    assert portal.service_user_id.endswith("@hostedcomm.com")


def test_a_service_must_be_authorised_before_it_is_assigned(sim):
    ok(
        oci(
            sim,
            c.GroupConsolidatedAddRequest(
                service_provider_id=PARTNER, group_id="BARE", default_domain="hostedcomm.com", user_limit=5
            ),
        )
    )
    assign = c.GroupServiceAssignListRequest(**group_key("BARE"), service_name=["Voice Messaging Group"])
    refused(oci(sim, assign), "Service not authorized: Voice Messaging Group")


# -- admins (A1, A2) --------------------------------------------------------------------------------


def test_A1_A2_admin_user_ids_are_unique_system_wide_and_case_sensitive(sim):
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    ok(clone_group(sim, "ACME-DAIRY", "Acme Dairy Ltd"))

    def admin(group_id, user_id):
        return c.GroupAdminAddRequest(
            **group_key(group_id), user_id=user_id, first_name="Jane", last_name="Doe", password="Gen3rated!pw"
        )

    ok(oci(sim, admin("ACME-BAKERY", "jane.doe@hostedcomm.com")))
    refused(oci(sim, admin("ACME-BAKERY", "jane.doe@hostedcomm.com")), "User ID already exists")
    refused(oci(sim, admin("ACME-DAIRY", "jane.doe@hostedcomm.com")), "User ID already exists")  # system-wide
    ok(oci(sim, admin("ACME-DAIRY", "Jane.Doe@hostedcomm.com")))  # differs only in case: another user
    refused(oci(sim, admin("ACME-DAIRY", "jane.doe@example.com")), "Domain not assigned: example.com")

    table = ok(oci(sim, c.GroupAdminGetListRequest(**group_key()))).group_admin_table.to_dict()
    assert [(r["administrator_id"], r["first_name"], r["last_name"]) for r in table] == [
        ("jane.doe@hostedcomm.com", "Jane", "Doe")
    ]
    assert "Gen3rated!pw" not in sim.state.path.read_text()  # A2: passwords are never kept


# -- number activation (port-day readiness, #18) ----------------------------------------------------


def test_N1_an_assigned_number_waits_inactive_and_only_the_groups_numbers_can_be_activated(sim):
    """The simulated system uses number activation ("Group And User Activation Enabled"), as the
    readiness step needs: assigned is not yet active; activating (or deactivating) a number twice is
    not an error (the schema's descriptions); one the group does not have is refused, changing nothing."""
    mode = ok(oci(sim, c.SystemNumberActivationGetRequest21()))
    assert mode.number_activation_mode == "Group And User Activation Enabled"
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    pool = ["+44-1134960001", "+44-1134960002"]
    ok(oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=pool)))
    ok(oci(sim, c.GroupDnAssignListRequest(**group_key(), phone_number=pool[:1])))

    def activated():
        table = ok(oci(sim, c.GroupDnGetAssignmentListRequest18(**group_key()))).dn_table.to_dict()
        return {r["phone_numbers"]: r["activated"] for r in table}

    assert activated() == {pool[0]: "false"}
    refused(oci(sim, c.GroupDnActivateListRequest(**group_key(), phone_number=pool)), "DN not assigned to group")
    refused(oci(sim, c.GroupDnDeactivateListRequest(**group_key(), phone_number=pool[1:])), "not assigned")
    assert activated() == {pool[0]: "false"}, "the refused request activated nothing"
    for _ in range(2):
        ok(oci(sim, c.GroupDnActivateListRequest(**group_key(), phone_number=pool[:1])))
    assert activated() == {pool[0]: "true"}
    for _ in range(2):
        ok(oci(sim, c.GroupDnDeactivateListRequest(**group_key(), phone_number=pool[:1])))
    assert activated() == {pool[0]: "false"}
    # The pool keeps a number a group holds: off the group first, then off the pool.
    refused(oci(sim, c.ServiceProviderDnDeleteListRequest(service_provider_id=PARTNER, phone_number=pool)), "in use")
    ok(oci(sim, c.GroupDnUnassignListRequest(**group_key(), phone_number=pool[:1])))
    ok(oci(sim, c.ServiceProviderDnDeleteListRequest(service_provider_id=PARTNER, phone_number=pool)))
    assert activated() == {}


def test_N1_with_number_activation_off_an_assigned_number_is_active_at_once(sim):
    sim.state.data["system"] = {"number_activation_mode": "Off"}
    assert ok(oci(sim, c.SystemNumberActivationGetRequest21())).number_activation_mode == "Off"
    ok(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"))
    ok(oci(sim, c.ServiceProviderDnAddListRequest(service_provider_id=PARTNER, phone_number=["+44-1134960001"])))
    ok(oci(sim, c.GroupDnAssignListRequest(**group_key(), phone_number=["+44-1134960001"])))
    table = ok(oci(sim, c.GroupDnGetAssignmentListRequest18(**group_key()))).dn_table.to_dict()
    assert [(r["phone_numbers"], r["activated"]) for r in table] == [("+44-1134960001", "true")]
