"""What a real BroadWorks refuses, the simulator refuses: one table of malformed or forbidden OCI-P
requests sent raw on the wire, each answered by an ErrorResponse (never a success), and the
platform unchanged after them.

The schema rows are read against mercury-ocip-fast's request classes (element names, order,
required, repeats, enumerations, nil) and the lengths of OCISchemaDataTypes.xsd; the rule rows
are the provisioning rules our calls touch (integrations/broadworks/README.md)."""

import pytest

from integrations.broadworks.simulator import CLONE_SERVICE_PROVIDER_ID

from .ocip_client import CLONE, PARTNER, command, send_raw

SP = f"<serviceProviderId>{PARTNER}</serviceProviderId>"
TEMPLATE = f"<serviceProviderId>{CLONE_SERVICE_PROVIDER_ID}</serviceProviderId><groupId>{CLONE}</groupId>"
NEW_GROUP = f"{SP}<groupId>NEWCO</groupId><defaultDomain>hostedcomm.com</defaultDomain><userLimit>25</userLimit>"

# (what is wrong, request type, body, what the refusal's summary says)
REFUSED = [
    # -- the schema ---------------------------------------------------------------------------------
    (
        "unknown element",
        "GroupGetListInServiceProviderRequest",
        f"{SP}<colour>red</colour>",
        "colour is not an element",
    ),
    (
        "misspelt field",
        "ServiceProviderGetRequest22V4",
        f"<serviceProvidorId>{PARTNER}</serviceProvidorId>",
        "serviceProvidorId is not an element of ServiceProviderGetRequest22V4",
    ),
    ("required element missing", "GroupGetRequest24", SP, "groupId is required"),
    (
        "elements out of order",
        "GroupGetRequest24",
        f"<groupId>{CLONE}</groupId><serviceProviderId>{CLONE_SERVICE_PROVIDER_ID}</serviceProviderId>",
        "serviceProviderId must come before groupId",
    ),
    (
        "a single element twice",
        "GroupGetRequest24",
        f"{TEMPLATE}<groupId>{CLONE}</groupId>",
        "groupId may appear only once",
    ),
    (
        "a service name the schema does not know",
        "GroupServiceAssignListRequest",
        f"{TEMPLATE}<serviceName>Voice Mail Deluxe</serviceName>",
        "“Voice Mail Deluxe” is not one of the values serviceName allows",
    ),
    (
        "a user service where a group service belongs",
        "GroupServiceAssignListRequest",
        f"{TEMPLATE}<serviceName>Call Recording</serviceName>",
        "“Call Recording” is not one of the values serviceName allows",
    ),
    (
        "not a boolean",
        "GroupVoiceMessagingGroupModifyVoicePortalRequest",
        f"{TEMPLATE}<isActive>yes</isActive>",
        "isActive must be true or false",
    ),
    (
        "not a whole number",
        "GroupGetListInServiceProviderRequest",
        f"{SP}<responseSizeLimit>ten</responseSizeLimit>",
        "responseSizeLimit must be a whole number",
    ),
    (
        "a number out of the type's range",
        "GroupConsolidatedAddRequest",
        NEW_GROUP.replace("<userLimit>25</userLimit>", "<userLimit>0</userLimit>"),
        "userLimit must be from 1 to 999999",
    ),
    (
        "longer than the type allows",
        "GroupGetRequest24",
        f"{SP}<groupId>{'G' * 31}</groupId>",
        "groupId must be 1 to 30 characters long",
    ),
    (
        "empty where text is required",
        "ServiceProviderGetRequest22V4",
        "<serviceProviderId></serviceProviderId>",
        "1 to 30",
    ),
    (
        "nil where the schema does not allow it",
        "GroupGetRequest24",
        f'{SP}<groupId xsi:nil="true"/>',
        "groupId cannot be nil",
    ),
    (
        "elements inside a text element",
        "ServiceProviderGetRequest22V4",
        "<serviceProviderId><id>ACME01</id></serviceProviderId>",
        "serviceProviderId holds text, not elements",
    ),
    (
        "a required element missing inside a complex one",
        "GroupServiceModifyAuthorizationListRequest",
        f"{TEMPLATE}<groupServiceAuthorization><unauthorized>true</unauthorized></groupServiceAuthorization>",
        "groupServiceAuthorization: serviceName is required",
    ),
    (
        "an xsi:type that is not derived from the declared type",
        "GroupGetListInServiceProviderRequest",
        f'{SP}<searchCriteriaGroupId xsi:type="SearchCriteriaGroupName"><mode>Starts With</mode>'
        "<value>A</value><isCaseInsensitive>true</isCaseInsensitive></searchCriteriaGroupId>",
        "SearchCriteriaGroupName is not a kind of SearchCriteriaGroupId",
    ),
    ("a request type the schema does not have", "GroupFrobnicateRequest", SP, "Request not supported"),
    ("a response sent as a request", "GroupGetResponse24", SP, "Request not supported"),
    # -- the provisioning rules -----------------------------------------------------------------------
    (
        "a group ID already used in its service provider",
        "GroupConsolidatedAddRequest",
        f"{TEMPLATE}<defaultDomain>hostedcomm.com</defaultDomain><userLimit>25</userLimit>",
        f"Group already exists: {CLONE}",
    ),
    (
        "a group in a domain its service provider does not have",
        "GroupConsolidatedAddRequest",
        NEW_GROUP.replace("hostedcomm.com", "elsewhere.example"),
        "Domain not assigned: elsewhere.example",
    ),
    (
        "a service assigned before it is authorised",
        "GroupServiceAssignListRequest",
        f"{TEMPLATE}<serviceName>Group Paging</serviceName>",
        "Service not authorized: Group Paging",
    ),
    (
        "a number that is not in the service provider",
        "GroupDnAssignListRequest",
        f"{TEMPLATE}<phoneNumber>+44-2079469999</phoneNumber>",
        "DN not available in service provider",
    ),
    (
        "a calling line ID that is not one of the group's numbers",
        "GroupModifyRequest",
        f"{TEMPLATE}<callingLineIdPhoneNumber>+44-2079460001</callingLineIdPhoneNumber>",
        "Calling line ID phone number must be one of the group's phone numbers",
    ),
    (
        "an administrator ID taken anywhere in the system",
        "GroupAdminAddRequest",
        f"{TEMPLATE}<userId>{CLONE}_VMR@hostedcomm.com</userId>",
        "User ID already exists",
    ),
    (
        "a request the schema says is replaced",
        "GroupGetRequest22",
        TEMPLATE,
        "Request replaced: GroupGetRequest22 is replaced by GroupGetRequest22V2",
    ),
    (
        "a number in plain E.164, without the dash BroadWorks writes",
        "ServiceProviderDnAddListRequest",
        f"{SP}<phoneNumber>+441134960001</phoneNumber>",
        "Invalid phone number: +441134960001",
    ),
    (
        "a number in national digits",
        "ServiceProviderDnAddListRequest",
        f"{SP}<phoneNumber>01134960001</phoneNumber>",
        "Invalid phone number: 01134960001",
    ),
    (
        "a group authorised for a service its service provider does not have",
        "GroupServiceModifyAuthorizationListRequest",
        f"{TEMPLATE}<groupServiceAuthorization><serviceName>Group Paging</serviceName>"
        "<authorizedQuantity><unlimited>true</unlimited></authorizedQuantity></groupServiceAuthorization>",
        f"Service not authorized for service provider {CLONE_SERVICE_PROVIDER_ID}: Group Paging",
    ),
    (
        "a new group given a service pack its service provider has not defined",
        "GroupConsolidatedAddRequest",
        f"{NEW_GROUP}<servicePackAuthorization><servicePackName>Gold</servicePackName>"
        "<authorizedQuantity><unlimited>true</unlimited></authorizedQuantity></servicePackAuthorization>",
        f"Service pack not found in service provider {PARTNER}: Gold",
    ),
    (
        "a service pack made of a service its service provider does not have",
        "ServiceProviderServicePackAddRequest",
        f"{SP}<servicePackName>Gold</servicePackName><isAvailableForUse>true</isAvailableForUse>"
        "<servicePackQuantity><unlimited>true</unlimited></servicePackQuantity><serviceName>Video Add-On</serviceName>",
        f"Service not authorized for service provider {PARTNER}: Video Add-On",
    ),
    (
        "a service taken from a service provider whose group still has it",
        "ServiceProviderServiceModifyAuthorizationListRequest",
        f"<serviceProviderId>{CLONE_SERVICE_PROVIDER_ID}</serviceProviderId><groupServiceAuthorization>"
        "<serviceName>Call Park</serviceName><unauthorized>true</unauthorized></groupServiceAuthorization>",
        "Service is authorized in a group and cannot be unauthorized: Call Park",
    ),
    (
        "a service provider administrator with a domain in its user ID",
        "ServiceProviderAdminAddRequest14",
        f"{SP}<userId>ada@hostedcomm.com</userId><administratorType>Normal</administratorType>",
        "a service provider administrator's userId has no domain",
    ),
    (
        "users presenting a group number the group does not have",
        "GroupCallingLineIdModifyRequest",
        f"{TEMPLATE}<useGroupNumber>true</useGroupNumber>",
        "The group has no calling line ID phone number to present",
    ),
    (
        "a service provider that does not exist",
        "GroupGetListInServiceProviderRequest",
        "<serviceProviderId>NOPE</serviceProviderId>",
        "Service Provider not found: NOPE",
    ),
]


@pytest.mark.parametrize(("wrong", "request_type", "body", "says"), REFUSED, ids=[row[0] for row in REFUSED])
def test_a_request_a_real_broadworks_refuses_gets_an_error_response_and_changes_nothing(
    sim, wrong, request_type, body, says
):
    before = sim.state.snapshot()
    (reply,) = send_raw(sim, command(request_type, body))
    assert reply.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "c:ErrorResponse", wrong
    summary = reply.findtext("summary") or ""
    assert says in summary and summary.startswith("[Error "), summary
    assert sim.state.snapshot() == before


def test_the_table_covers_at_least_twenty_refusals_and_the_well_formed_twin_of_a_refused_request_succeeds(sim):
    assert len(REFUSED) >= 20
    (reply,) = send_raw(sim, command("GroupGetRequest24", TEMPLATE))
    assert reply.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "GroupGetResponse24"
