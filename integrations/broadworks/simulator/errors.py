"""How the simulated BroadWorks refuses: an `OCIError`, answered as one ErrorResponse command.

Real BroadWorks puts "[Error NNNN] text" in <summary> (and <summaryEnglish>). The shape is
BroadWorks'; the codes are our assumption (not checked against a live system) and kept here, in one
table, so they can be corrected in one place. Clients should not branch on the numbers.
"""

ERRORS: dict[str, tuple[int, str]] = {
    "invalid_document": (4000, "Invalid OCI document: {reason}"),
    "invalid_request": (4001, "Invalid request: {reason}"),
    "unsupported_request": (4002, "Request not supported: {request}"),
    "request_replaced": (4003, "Request replaced: {request} is replaced by {replacement}"),
    "not_logged_in": (4960, "Not logged in"),
    "invalid_session": (4961, "Invalid session ID"),
    "login_failed": (4962, "Invalid password"),
    "user_not_found": (4008, "User not found: {user_id}"),
    "user_exists": (4100, "User ID already exists: {user_id}"),
    "service_provider_not_found": (4010, "Service Provider not found: {service_provider_id}"),
    "service_provider_exists": (4011, "Service Provider already exists: {service_provider_id}"),
    "group_not_found": (4020, "Group not found: {group_id}"),
    "group_exists": (4021, "Group already exists: {group_id}"),
    "domain_not_assigned": (4030, "Domain not assigned: {domain}"),
    "invalid_phone_number": (4200, "Invalid phone number: {phone_number}"),
    "invalid_dn_range": (4201, "Invalid DN range: {min_phone_number} - {max_phone_number}"),
    "dn_exists": (4202, "DN already exists in the system: {phone_number}"),
    "dn_not_in_pool": (4203, "DN not available in service provider {service_provider_id}: {phone_number}"),
    "dn_assigned_elsewhere": (4204, "DN already assigned to another group: {phone_number}"),
    "dn_not_in_group": (4205, "DN not assigned to group {group_id}: {phone_number}"),
    "dn_in_use": (4206, "DN in use: {phone_number}"),
    "clid_not_in_group": (
        4300,
        "Calling line ID phone number must be one of the group's phone numbers: {phone_number}",
    ),
    "no_group_clid": (4301, "The group has no calling line ID phone number to present"),
    "service_not_authorized": (4400, "Service not authorized: {service}"),
    "service_not_assigned": (4401, "Service not assigned: {service}"),
    "service_assigned": (4402, "Service is assigned and cannot be unauthorized: {service}"),
    "sp_service_not_authorized": (4403, "Service not authorized for service provider {service_provider_id}: {service}"),
    "service_pack_not_found": (
        4404,
        "Service pack not found in service provider {service_provider_id}: {service_pack}",
    ),
    "service_pack_exists": (4405, "Service pack already exists: {service_pack}"),
    "service_in_use": (4406, "Service is authorized in a group and cannot be unauthorized: {service}"),
    "invalid_extension": (4500, "Invalid extension: {extension}"),
    "extension_length": (4501, "Invalid extension length: {extension} must have {min} to {max} digits"),
    "extension_lengths": (4502, "Invalid extension length settings: {reason}"),
    "internal": (5000, "Internal error"),
    "injected": (9000, "Simulated permanent failure"),
}


class OCIError(Exception):
    """A request the platform refuses: becomes one ErrorResponse command."""

    def __init__(self, code: int, text: str, detail: str | None = None, summary: str | None = None) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.detail = detail
        self.summary = summary or f"[Error {code}] {text}"


def refusal(name: str, **values: object) -> OCIError:
    """The ERRORS entry `name`, its text filled in with `values`."""
    code, template = ERRORS[name]
    return OCIError(code, template.format(**values))
