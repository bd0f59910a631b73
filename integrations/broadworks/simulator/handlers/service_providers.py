"""Service providers (O2) and their number pools (N1, N2)."""

import xml.etree.ElementTree as ET

from ..dns import dns_of
from ..errors import refusal
from ..protocol import SUCCESS, boolean, data_command, required, table, tag, text, texts
from ..state import BroadWorksState, new_service_provider
from .lookup import service_provider_of


def get(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderGetRequest22"""
    _, sp = service_provider_of(state, el)
    body = (
        tag("isEnterprise", sp["is_enterprise"])
        + tag("defaultDomain", sp["default_domain"])
        + tag("serviceProviderName", sp["name"])
        + tag("supportEmail", sp["support_email"])
        + tag("useServiceProviderLanguages", False)
    )
    return data_command("ServiceProviderGetResponse22", body)


def add(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderAddRequest13mp2"""
    sp_id = required(el, "serviceProviderId")
    if len(sp_id) > 30:
        raise refusal("invalid_request", reason="serviceProviderId must be 1 to 30 characters")
    if sp_id in state.data["service_providers"]:
        raise refusal("service_provider_exists", service_provider_id=sp_id)
    default_domain = required(el, "defaultDomain")
    sp = new_service_provider(
        name=text(el, "serviceProviderName") or sp_id,
        is_enterprise=bool(boolean(el, "isEnterprise")),
        default_domain=default_domain,
        domains=(),
    )
    sp["support_email"] = text(el, "supportEmail")
    state.data["service_providers"][sp_id] = sp
    return SUCCESS


def assign_domains(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderDomainAssignListRequest"""
    _, sp = service_provider_of(state, el)
    for domain in texts(el, "domain"):
        if domain and domain not in sp["domains"]:
            sp["domains"].append(domain)
    return SUCCESS


def add_numbers(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderDnAddListRequest: N1, a number already on any pool is refused."""
    sp_id, _ = service_provider_of(state, el)
    numbers = dns_of(el)
    for number in numbers:
        if state.owner_of(number) is not None:
            raise refusal("dn_exists", phone_number=number)
    state.put_on_pool(sp_id, numbers)
    return SUCCESS


def delete_numbers(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderDnDeleteListRequest: only numbers on this pool that no group holds."""
    sp_id, _ = service_provider_of(state, el)
    numbers = dns_of(el)
    for number in numbers:
        if state.pool_holder(sp_id, number) is not None:
            raise refusal("dn_in_use", phone_number=number)
    state.take_off_pool(sp_id, numbers)
    return SUCCESS


def available_numbers(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderDnGetAvailableListRequest"""
    _, sp = service_provider_of(state, el)
    free = sorted(number for number, group_id in sp["dns"].items() if group_id is None)
    return data_command("ServiceProviderDnGetAvailableListResponse", "".join(tag("availableDn", n) for n in free))


def number_summary(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderDnGetSummaryListRequest"""
    _, sp = service_provider_of(state, el)
    rows = [(number, group_id or "", group_id is None) for number, group_id in sorted(sp["dns"].items())]
    return data_command(
        "ServiceProviderDnGetSummaryListResponse",
        table("dnSummaryTable", ("Phone Numbers", "Group Id", "Can Delete"), rows),
    )
