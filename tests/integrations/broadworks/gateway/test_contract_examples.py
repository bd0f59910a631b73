"""Contract examples: request/response pairs taken from the OCI-P schema and from what real servers
were seen to send. The gateway must produce exactly these requests, and the simulator must answer
them in the documented shape. Sources (docs/integrations.md):

- element order, required elements and table column headings: Cisco's XSD as shipped in
  github.com/nigelm/broadworks_ocip, ocip_schema/ (OCISchemaGroup.xsd, OCISchemaServiceProvider.xsd,
  OCISchemaDataTypes.xsd);
- numbers as `+<country code>-<number>`: a live server's UserGetListInGroupResponse
  (github.com/hyperioxx/broadsoft tests) and Odin's documentation ("+{country code}-{number}");
- the ErrorResponse: `<command type="Error" echo="" xsi:type="c:ErrorResponse" ...>` with
  `<summary>[Error N] text</summary>` (fixtures in nigelm/broadworks_ocip and Fourteen-IP/mercury-ocip-fast).
"""

import xml.etree.ElementTree as ET

import pytest

from integrations.broadworks.gateway import BroadWorksGateway

from .. import ocip_client
from ..ocip_client import command
from .support import ADMIN, CLONE, PARTNER, PASSWORD

pytestmark = pytest.mark.django_db


def send_raw(sim, *commands):
    return ocip_client.send_raw(sim, *commands, user=ADMIN, password=PASSWORD)


XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
SP = f"<serviceProviderId>{PARTNER}</serviceProviderId>"

# (what is asked, the gateway call, the request it must send, to the letter)
REQUESTS = [
    (
        "N1, N2: numbers to a group, in the dash form; elements in the XSD's sequence",
        lambda gw: gw.assign_numbers(PARTNER, "ACME-BAKERY", ["+441134960001"]),
        '<command xmlns="" xsi:type="GroupDnAssignListRequest"><serviceProviderId>ACME01</serviceProviderId>'
        "<groupId>ACME-BAKERY</groupId><phoneNumber>+44-1134960001</phoneNumber></command>",
    ),
    (
        "O2: an enterprise with both system domains (isEnterprise is fixed at true in the XSD's choice)",
        lambda gw: gw.add_service_provider("DELTA04", "Delta Telecom", "hostedcomm.com"),
        '<command xmlns="" xsi:type="ServiceProviderConsolidatedAddRequest"><isEnterprise>true</isEnterprise>'
        "<serviceProviderId>DELTA04</serviceProviderId><defaultDomain>hostedcomm.com</defaultDomain>"
        "<serviceProviderName>Delta Telecom</serviceProviderName><domain>hostedcomm.com</domain>"
        "<domain>exponential-e.com</domain></command>",
    ),
    (
        "G3: a group ID looked up across the system (SearchCriteriaGroupId: mode, value, isCaseInsensitive)",
        lambda gw: gw.group_id_owners("ACME-BAKERY"),
        '<command xmlns="" xsi:type="GroupGetListInSystemRequest"><searchCriteriaGroupId><mode>Equal To</mode>'
        "<value>ACME-BAKERY</value><isCaseInsensitive>true</isCaseInsensitive></searchCriteriaGroupId></command>",
    ),
    (
        "O2: the partner's portal login, a service provider administrator (administratorType last)",
        lambda gw: gw.add_portal_login(
            "ACME01", user_id="ACME01-admin", first_name="Ada", last_name="Lo", password="Pw-1!"
        ),
        '<command xmlns="" xsi:type="ServiceProviderAdminAddRequest14"><serviceProviderId>ACME01</serviceProviderId>'
        "<userId>ACME01-admin</userId><firstName>Ada</firstName><lastName>Lo</lastName><password>Pw-1!</password>"
        "<administratorType>Normal</administratorType></command>",
    ),
]


@pytest.fixture
def sent(monkeypatch):
    """The commands the gateway puts on the wire, as the library writes them."""
    commands: list[str] = []
    real_send = BroadWorksGateway._send

    def recording(self, library, requests):
        for request in requests if isinstance(requests, list) else [requests]:
            commands.append(request.to_xml())
        return real_send(self, library, requests)

    monkeypatch.setattr(BroadWorksGateway, "_send", recording)
    return commands


@pytest.mark.parametrize(("what", "call", "expected"), REQUESTS, ids=[r[0].split(":")[0] for r in REQUESTS])
def test_the_gateway_sends_the_documented_request(sim, gw, sent, what, call, expected):
    if "N1" in what:
        gw.add_group_from_template(
            service_provider_id=PARTNER,
            template_group_id=CLONE,
            group_id="ACME-BAKERY",
            name="Acme Bakery",
            domain="hostedcomm.com",
            extension_length=4,
        )
        gw.add_numbers_to_service_provider(PARTNER, ["+441134960001"])
        sent.clear()
    call(gw)
    assert expected in sent, sent


# (what is asked, the request sent raw, the response type, the table and its documented headings)
RESPONSES = [
    (
        "GroupGetListInSystemResponse",
        command("GroupGetListInSystemRequest", ""),
        "groupTable",
        ["Group Id", "Group Name", "User Limit", "Organization Id", "Organization Type", "Reseller Id"],
    ),
    (
        "ServiceProviderServiceGetAuthorizationListResponse",
        command("ServiceProviderServiceGetAuthorizationListRequest", SP),
        "userServicesAuthorizationTable",
        [
            "Service Name", "Authorized", "Assigned", "Limited", "Quantity", "Allocated", "Licensed",
            "Service Pack Allocation", "User Assignable", "Service Pack Assignable",
        ],
    ),
    (
        "ServiceProviderServicePackGetDetailListResponse",
        command(
            "ServiceProviderServicePackGetDetailListRequest",
            f"<serviceProviderId>{PARTNER}</serviceProviderId><servicePackName>UC Essentials</servicePackName>",
        ),
        "userServiceTable",
        ["Service", "Authorized", "Allocated", "Available"],
    ),
    (
        "ServiceProviderDnGetSummaryListResponse",
        command("ServiceProviderDnGetSummaryListRequest", SP),
        "dnSummaryTable",
        ["Phone Numbers", "Group Id", "Can Delete"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("response_type", "request_xml", "table", "headings"), RESPONSES, ids=[r[0] for r in RESPONSES]
)
def test_the_simulator_answers_in_the_documented_shape(sim, response_type, request_xml, table, headings):
    (reply,) = send_raw(sim, request_xml)
    assert reply.get(XSI_TYPE) == response_type
    assert [h.text for h in reply.find(table).findall("colHeading")] == headings


def summary_rows(sim) -> list[list[str]]:
    (reply,) = send_raw(sim, command("ServiceProviderDnGetSummaryListRequest", SP))
    return [[col.text or "" for col in row.findall("col")] for row in reply.find("dnSummaryTable").findall("row")]


def test_numbers_come_back_as_a_live_server_writes_them(sim):
    first = summary_rows(sim)[0][0]
    assert first.startswith("+44-2079460000 - +44-20794600"), "the demo pool's first run of free numbers"


def test_a_pool_is_listed_in_runs_of_consecutive_numbers_of_one_group(sim):
    """As BroadWorks lists a pool: "first - last" for each run (Odin's API over this request answers
    min/max pairs with the group and whether they can be deleted)."""
    pool = sim.state.data["service_providers"][PARTNER]["dns"]
    pool.clear()
    pool.update(
        {
            "+44-1614960000": "Alpha",
            "+44-1614960001": "Alpha",
            "+44-1614960002": None,
            "+44-1614960003": None,
            "+44-1614960004": "Beta",
            "+44-1614960005": None,
            "+44-16149600099": None,  # one digit longer: not the next number
        }
    )
    assert summary_rows(sim) == [
        ["+44-1614960000 - +44-1614960001", "Alpha", "false"],
        ["+44-1614960002 - +44-1614960003", "", "true"],
        ["+44-1614960004", "Beta", "false"],
        ["+44-1614960005", "", "true"],
        ["+44-16149600099", "", "true"],
    ]


def test_a_refusal_is_the_documented_error_response(sim):
    (reply,) = send_raw(
        sim, command("GroupGetRequest24", f"<serviceProviderId>{PARTNER}</serviceProviderId><groupId>NOPE</groupId>")
    )
    assert (reply.get("type"), reply.get(XSI_TYPE)) == ("Error", "c:ErrorResponse")
    summary = reply.findtext("summary")
    assert summary.startswith("[Error ") and "] Group not found: NOPE" in summary
    assert reply.findtext("summaryEnglish") == summary
    assert ET.tostring(reply).count(b"<errorCode>") == 1
