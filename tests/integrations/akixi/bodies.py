"""Request bodies the Akixi tests send: the documented `POST /admin/user` shape (Akixi's field names,
K4's values) and our assumed partition shape (K2), each with overrides."""

import copy
from types import SimpleNamespace

from integrations.akixi.simulator.contract import DEFAULT_CM_ENVIRONMENT_ID, DEFAULT_TELSYS_ID

PASSWORD_CANARY = "M9zGAGR3nINFNAZKIMC0IA=="  # the documented example's own value


def partition_body(**overrides):
    body = {
        "Description": "Alpha Dental",
        "BillingId": "CUST-0042",
        "LicensedFor": "Reporting Standard",
        "TelephonyServerType": "Service Provider Group",
        "EnterpriseOrProviderId": "ACME01",
        "GroupId": "alpha-dental",
        "SynchronisationType": "By Service Pack",
        "MaintainParity": True,
    }
    return {**body, **overrides}


def user_body(partition, *, scope=None, drop=(), **overrides):
    """`POST /admin/user` as the documentation's example, for a K4 reporting user of `partition`.
    `scope` overrides Scope fields; `drop` names fields to leave out ("Scope.X" for a Scope one)."""
    body = {
        "FullName": "Ada Lovelace",
        "EmailAddr": "ada@alpha.invalid",
        "Username": "ada.lovelace",
        "DefaultLang": "en_GB",
        "Password": PASSWORD_CANARY,
        "PasswordChgRequired": True,
        "LockOut": False,
        "SendWelcomeEmail": True,
        "EnableMFA": True,
        "SynchroniseSupervisorPermissions": False,
        "TimeZone": None,
        "Scope": {
            "CMEnvironmentID": DEFAULT_CM_ENVIRONMENT_ID,
            "TelSysID": [DEFAULT_TELSYS_ID],
            "PartIDInTelSys": [partition],
            "DeviceNumber": "All",
            "AgentNumber": "All",
            "ReportingAccess": "All",
            "CallRecIntID": None,
            "CXILicenseType": "NONE",
            **(scope or {}),
        },
        "Role": "Reporting Only User",
        "ReportingLevel": "1000 Supervisor",
        "DefaultReports": "Standard Reports",
    }
    body = {**copy.deepcopy(body), **overrides}
    for name in drop:
        if name.startswith("Scope."):
            del body["Scope"][name.removeprefix("Scope.")]
        else:
            del body[name]
    return body


class FakeUsers:
    """A group's `akixi_users`, as much of the related manager as the build steps use."""

    def __init__(self, users):
        self.users = users

    def order_by(self, *_):
        return self.users

    def count(self):
        return len(self.users)


def alpha_dental_group() -> SimpleNamespace:
    """A customer group as the Akixi build steps read it: one reporting user, ACME01's."""
    users = [SimpleNamespace(username="ada.lovelace", full_name="Ada Lovelace", email="ada@alpha.invalid")]
    return SimpleNamespace(
        group_id="alpha-dental",
        name="Alpha Dental",
        akixi_licence="Reporting Standard",
        partner=SimpleNamespace(partner_id="ACME01"),
        akixi_users=FakeUsers(users),
    )
