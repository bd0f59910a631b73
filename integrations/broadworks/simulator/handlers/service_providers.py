"""Service providers (O2): the enterprise itself, its domains and number pool (N1, N2), what it is
authorised for and the service packs defined in it, and its administrators (the partner's login to
the Partner Self-Service Portal)."""

import xml.etree.ElementTree as ET

from ..dns import as_ranges, check_dn, dns_of, expand_range, shown
from ..errors import refusal
from ..protocol import SUCCESS, boolean, data_command, quantity, required, table, tag, text, texts
from ..state import BroadWorksState, Record, new_service_pack, new_service_provider
from .lookup import service_provider_of, user_of_kind

# Column headings of ServiceProviderServiceGetAuthorizationListResponse (OCISchemaServiceProvider.xsd).
GROUP_SERVICE_COLUMNS = (
    "Service Name", "Authorized", "Assigned", "Limited", "Quantity", "Allocated", "Licensed", "Service Pack Allocation",
)  # fmt: skip
USER_SERVICE_COLUMNS = (*GROUP_SERVICE_COLUMNS, "User Assignable", "Service Pack Assignable")
PACK_SERVICE_COLUMNS = ("Service", "Authorized", "Allocated", "Available")
AUTHORISATION_ELEMENTS = (
    ("group_services", "groupServiceAuthorization"),
    ("user_services", "userServiceAuthorization"),
)


def _limit(amount: int | None) -> tuple[str, str]:
    return ("Unlimited", "-1") if amount is None else ("Limited", str(amount))


def _quantity_xml(name: str, amount: int | None) -> str:
    inner = tag("unlimited", True) if amount is None else tag("quantity", amount)
    return f"<{name}>{inner}</{name}>"


def get(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderGetRequest22V4"""
    sp_id, sp = service_provider_of(state, el)
    body = (
        tag("isEnterprise", sp["is_enterprise"])
        + tag("defaultDomain", sp["default_domain"])
        + tag("serviceProviderName", sp["name"])
        + tag("supportEmail", sp["support_email"])
        + tag("useServiceProviderLanguages", False)
        + tag("serviceProviderId", sp_id)
    )
    return data_command("ServiceProviderGetResponse22V4", body)


def consolidated_add(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderConsolidatedAddRequest: the enterprise with its domains, administrators,
    service authorisations, service packs and numbers, all or nothing ("Should any of the following
    elements be rejected ... the service provider will not be added")."""
    sp_id = text(el, "serviceProviderId")
    if sp_id is None:
        raise refusal("invalid_request", reason="serviceProviderId is required (external IDs are not supported)")
    if sp_id in state.data["service_providers"]:
        raise refusal("service_provider_exists", service_provider_id=sp_id)
    default_domain = required(el, "defaultDomain")
    sp = new_service_provider(
        name=text(el, "serviceProviderName") or sp_id,
        is_enterprise=bool(boolean(el, "isEnterprise")),
        default_domain=default_domain,
        domains=texts(el, "domain"),
    )
    sp["support_email"] = text(el, "supportEmail")
    sp["group_services"] = _authorisations(el, "groupServiceAuthorization")
    sp["user_services"] = _authorisations(el, "userServiceAuthorization")
    for item in el.findall("servicePack"):
        name, pack = _pack(item)
        if name in sp["service_packs"]:
            raise refusal("service_pack_exists", service_pack=name)
        _check_pack_services(sp_id, sp, pack)
        sp["service_packs"][name] = pack
    numbers = [check_dn(n) for n in texts(el, "phoneNumber")]
    for rng in el.findall("dnRange"):
        numbers.extend(expand_range(required(rng, "minPhoneNumber"), required(rng, "maxPhoneNumber")))
    for number in numbers:
        if state.owner_of(number) is not None:
            raise refusal("dn_exists", phone_number=number)
    admins = [_admin(item) for item in el.findall("admin")]
    taken: list[str] = []
    for user_id, *_ in admins:
        state.check_new_user_id(user_id, None, taken=taken)
        taken.append(user_id)
    # Everything checked: now change.
    state.data["service_providers"][sp_id] = sp
    state.put_on_pool(sp_id, dict.fromkeys(numbers))
    for user_id, first, last, language, kind in admins:
        state.add_admin(sp_id, None, user_id, first, last, language, kind)
    return SUCCESS


def _authorisations(el: ET.Element, item_name: str) -> dict[str, int | None]:
    return {required(item, "serviceName"): quantity(item.find("authorizedQuantity")) for item in el.findall(item_name)}


def _pack(item: ET.Element) -> tuple[str, Record]:
    """A ServicePack (or ServiceProviderServicePackAddRequest): its name and definition."""
    return required(item, "servicePackName"), new_service_pack(
        description=text(item, "servicePackDescription"),
        available=bool(boolean(item, "isAvailableForUse")),
        quantity=quantity(item.find("servicePackQuantity")),
        services=texts(item, "serviceName"),
    )


def _check_pack_services(sp_id: str, sp: Record, pack: Record) -> None:
    """A service pack is made of user services its service provider is authorised for."""
    for service in pack["services"]:
        if service not in sp["user_services"]:
            raise refusal("sp_service_not_authorized", service_provider_id=sp_id, service=service)


def _admin(item: ET.Element) -> tuple[str, str | None, str | None, str | None, str]:
    """A ServiceProviderAdmin (or ServiceProviderAdminAddRequest14): the password is read past and
    never kept."""
    return (
        required(item, "userId"),
        text(item, "firstName"),
        text(item, "lastName"),
        text(item, "language"),
        required(item, "administratorType"),
    )


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
    # Consecutive numbers of the same group come as one row, "first - last", as BroadWorks lists a
    # pool (Odin's API over this request answers min/max pairs: docs/integrations.md).
    by_group: dict[str | None, list[str]] = {}
    for number, group_id in sorted(sp["dns"].items()):
        by_group.setdefault(group_id, []).append(number)
    rows = sorted(
        (shown(first, last), group_id or "", group_id is None)
        for group_id, numbers in by_group.items()
        for first, last in as_ranges(numbers)
    )
    return data_command(
        "ServiceProviderDnGetSummaryListResponse",
        table("dnSummaryTable", ("Phone Numbers", "Group Id", "Can Delete"), rows),
    )


# -- authorisations and service packs ---------------------------------------------------------------


def authorisations(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderServiceGetAuthorizationListRequest: the services the service provider is
    authorised for (one row each; the simulator lists only authorised ones)."""
    _, sp = service_provider_of(state, el)

    def rows(services: dict[str, int | None], extra: tuple[object, ...]) -> list[tuple[object, ...]]:
        return [(name, True, False, *_limit(q), "0", True, "0", *extra) for name, q in sorted(services.items())]

    body = table("groupServicesAuthorizationTable", GROUP_SERVICE_COLUMNS, rows(sp["group_services"], ())) + table(
        "userServicesAuthorizationTable", USER_SERVICE_COLUMNS, rows(sp["user_services"], (True, True))
    )
    return data_command("ServiceProviderServiceGetAuthorizationListResponse", body)


def modify_authorisations(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderServiceModifyAuthorizationListRequest: a service one of its groups is
    authorised for (or one of its packs holds) cannot be taken away."""
    sp_id, sp = service_provider_of(state, el)
    changes: list[tuple[str, str, int | None, bool]] = []
    for kind, item_name in (
        ("group_services", "groupServiceAuthorization"),
        ("user_services", "userServiceAuthorization"),
    ):
        for item in el.findall(item_name):
            name = required(item, "serviceName")
            remove = bool(boolean(item, "unauthorized"))
            if remove and _in_use(sp, kind, name):
                raise refusal("service_in_use", service=name)
            changes.append((kind, name, quantity(item.find("authorizedQuantity")), remove))
    for kind, name, amount, remove in changes:
        if remove:
            sp[kind].pop(name, None)
        else:
            sp[kind][name] = amount
    return SUCCESS


def _in_use(sp: Record, kind: str, name: str) -> bool:
    if any(name in group[kind] for group in sp["groups"].values()):
        return True
    return kind == "user_services" and any(name in pack["services"] for pack in sp["service_packs"].values())


def add_service_pack(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderServicePackAddRequest"""
    sp_id, sp = service_provider_of(state, el)
    name, pack = _pack(el)
    if name in sp["service_packs"]:
        raise refusal("service_pack_exists", service_pack=name)
    _check_pack_services(sp_id, sp, pack)
    sp["service_packs"][name] = pack
    return SUCCESS


def service_packs(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderServicePackGetListRequest"""
    _, sp = service_provider_of(state, el)
    body = "".join(tag("servicePackName", name) for name in sorted(sp["service_packs"]))
    return data_command("ServiceProviderServicePackGetListResponse", body)


def service_pack_detail(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderServicePackGetDetailListRequest"""
    sp_id, sp = service_provider_of(state, el)
    name = required(el, "servicePackName")
    pack = sp["service_packs"].get(name)
    if pack is None:
        raise refusal("service_pack_not_found", service_provider_id=sp_id, service_pack=name)
    rows = [(service, True, "Unlimited", "Unlimited") for service in pack["services"]]
    body = (
        tag("servicePackName", name)
        + tag("servicePackDescription", pack["description"])
        + tag("isAvailableForUse", pack["available"])
        + _quantity_xml("servicePackQuantity", pack["quantity"])
        + "<assignedQuantity><quantity>0</quantity></assignedQuantity>"
        + _quantity_xml("allowedQuantity", pack["quantity"])
        + table("userServiceTable", PACK_SERVICE_COLUMNS, rows)
    )
    return data_command("ServiceProviderServicePackGetDetailListResponse", body)


# -- administrators ---------------------------------------------------------------------------------


def add_admin(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderAdminAddRequest14"""
    sp_id, _ = service_provider_of(state, el)
    user_id, first, last, language, kind = _admin(el)
    state.check_new_user_id(user_id, None)
    state.add_admin(sp_id, None, user_id, first, last, language, kind)
    return SUCCESS


def _sp_admin(state: BroadWorksState, user_id: str) -> Record:
    return user_of_kind(state, user_id, "service_provider_admin")


def modify_admin(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderAdminModifyRequest: names and language; a new password is accepted and, like
    every password, dropped."""
    record = _sp_admin(state, required(el, "userId"))
    for name, key in (("firstName", "first_name"), ("lastName", "last_name"), ("language", "language")):
        value = text(el, name)
        if value is not None:
            record[key] = value
    return SUCCESS


def get_admin(state: BroadWorksState, el: ET.Element) -> str:
    """ServiceProviderAdminGetRequest22V3"""
    record = _sp_admin(state, required(el, "userId"))
    body = (
        tag("serviceProviderId", record["service_provider_id"])
        + tag("firstName", record["first_name"])
        + tag("lastName", record["last_name"])
        + tag("language", record["language"] or "English")
        + tag("administratorType", record["administrator_type"] or "Normal")
        + tag("locale", "en_US")
        + tag("encoding", "ISO-8859-1")
        + tag("accountDisabled", False)
        + tag("lastAuthenticatedDate", "1970-01-01T00:00:00.000Z")
        + tag("hasPassword", True)
    )
    return data_command("ServiceProviderAdminGetResponse22V3", body)
