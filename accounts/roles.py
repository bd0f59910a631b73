"""Which permissions each role's group holds. The single source of truth for authorisation data.

Scoping (which partner's rows a user sees) is separate: see scoping.py.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from .choices import Role

_EVERYONE = [
    "partners.view_partner",
    "onboarding.view_onboardingorder",
    "number_pool.view_number",
    "customers.view_customergroup",
    "accounts.view_escalationcontact",
]
# E2: staff read escalations and SLA policies; partner users read their own partner's escalations
# (API only); staff who run the work acknowledge breaches; managers see the dashboard and tune policies.
_ESCALATIONS_STAFF = ["escalations.view_escalation", "escalations.view_slapolicy"]
_ACKNOWLEDGE = ["escalations.acknowledge_escalation"]
# N1: the Voice Provisioning team puts numbers in a partner's pool; customer groups (and the
# numbers assigned to them) are built by co-ordinators and administrators, and by the partner's
# own users for their own partner.
_NUMBERS_AND_GROUPS = [
    "number_pool.add_number",
    "customers.add_customergroup",
    "customers.change_customergroup",
]

# Who may run each onboarding transition is decided per order in onboarding/models.py (O1-O6).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.PROVISIONING_ADMIN: [
        *_EVERYONE,
        "partners.add_partner",
        "partners.change_partner",
        "onboarding.add_onboardingorder",
        *_NUMBERS_AND_GROUPS,
        *_ESCALATIONS_STAFF,
        *_ACKNOWLEDGE,
    ],
    Role.COORDINATOR: [
        *_EVERYONE,
        "partners.add_partner",
        "partners.change_partner",
        *_NUMBERS_AND_GROUPS,
        *_ESCALATIONS_STAFF,
        *_ACKNOWLEDGE,
    ],
    Role.TRAINER: [*_EVERYONE, *_ESCALATIONS_STAFF],
    Role.MANAGER: [
        *_EVERYONE,
        "accounts.change_escalationcontact",
        *_ESCALATIONS_STAFF,
        *_ACKNOWLEDGE,
        "escalations.view_escalation_dashboard",
        "escalations.change_slapolicy",
    ],
    Role.PARTNER_USER: [
        *_EVERYONE,
        "customers.add_customergroup",
        "customers.change_customergroup",
        "escalations.view_escalation",
    ],
}


# Port requests (P1): partner users ask for ports for their own partner; co-ordinators and
# administrators lodge them and record the carrier's events; managers and the team read the
# lead-time dashboard; managers and administrators edit the lead-time rules (P4). Kept as one
# block so the porting permissions read together; merged into ROLE_PERMISSIONS below.
_PORTING_VIEW = ["porting.view_portrequest", "porting.view_leadtimerule", "porting.view_portingcountry"]
_PORTING_REQUEST = [
    "porting.add_portrequest",
    "porting.change_portrequest",
    "porting.add_portdocument",
    "porting.add_portcomment",
]
PORTING_PERMISSIONS: dict[str, list[str]] = {
    Role.PROVISIONING_ADMIN: [
        *_PORTING_VIEW,
        *_PORTING_REQUEST,
        "porting.view_port_dashboard",
        "porting.change_leadtimerule",
    ],
    Role.COORDINATOR: [*_PORTING_VIEW, *_PORTING_REQUEST, "porting.view_port_dashboard"],
    Role.TRAINER: [*_PORTING_VIEW],
    Role.MANAGER: [
        *_PORTING_VIEW,
        "porting.add_portcomment",
        "porting.view_port_dashboard",
        "porting.change_leadtimerule",
        # The providers' list a port request chooses from (issue #16): managers keep it.
        "porting.view_provider",
        "porting.add_provider",
        "porting.change_provider",
    ],
    Role.PARTNER_USER: [*_PORTING_VIEW, *_PORTING_REQUEST],
}
for _role, _perms in PORTING_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *_perms]

# The portal's users and their second factors (#17): provisioning administrators list them and reset
# a lost factor.
ROLE_PERMISSIONS[Role.PROVISIONING_ADMIN] = [
    *ROLE_PERMISSIONS[Role.PROVISIONING_ADMIN],
    "accounts.view_user",
    "accounts.change_user",
]

# The audit log (who changed what) is for the team that runs the portal, not trainers or partners.
for _role in (Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.MANAGER):
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], "accounts.view_auditevent"]

# API tokens (#17): everyone keeps their own; administrators list and revoke anyone's.
ROLE_PERMISSIONS[Role.PROVISIONING_ADMIN].append("accounts.manage_all_apitokens")


def group_name(role: str) -> str:
    return str(role)


def sync_role_groups(sender=None, app_config=None, using="default", apps=None, **kwargs):
    """Make each role's group hold exactly the permissions listed above (idempotent)."""
    # Permissions are created per app by their own post_migrate handler; create any missing ones
    # here so that the order in which apps' handlers run does not matter.
    from django.apps import apps as global_apps

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name(role))
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.append(Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


# --- Who may run a state machine's transition (django-fsm's `permission=`) ----------------------


class MayRun:
    """A transition's `permission=`: the roles that run it; for the roles named in `own`, only the
    person the object names (an order's co-ordinator, its trainer) and not every holder of the role."""

    def __init__(self, *roles, own=None):
        self.roles = frozenset(roles)
        self.own = own or {}

    def role_may(self, user) -> bool:
        return bool(user and user.is_authenticated and user.is_active and user.role in self.roles)

    def __call__(self, instance, user) -> bool:
        if not self.role_may(user):
            return False
        field = self.own.get(user.role)
        return field is None or getattr(instance, f"{field}_id") == user.pk
