"""The navigation follows the role: each item says which permission (or kind of user) shows it.

The bar must fit one row at 1400 px for every role (#16): the day-to-day lists stand in the bar,
the rest sits in two menus, "Reports" and "Reference". A menu left with one item shows as that
item's plain link. `nav_items` stays the flat list of every entry (tests and templates read it);
`nav_menu` is what the bar draws.
"""

from dataclasses import dataclass

from django.urls import reverse

STAFF, PARTNER, ANYONE = "staff", "partner", "anyone"
REPORTS, REFERENCE = "Reports", "Reference"


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    who: str  # STAFF, PARTNER or ANYONE signed in
    permission: str | None = None
    menu: str | None = None  # None: in the bar itself


# In this order, the bar's links first, then each menu's items.
ENTRIES = [
    Entry("My partner", "onboarding:my_partner", PARTNER),
    Entry("Partners", "partners:partner_list", STAFF, "partners.view_partner"),
    Entry("Onboarding", "onboarding:order_list", STAFF, "onboarding.view_onboardingorder"),
    Entry("Numbers", "number_pool:number_list", ANYONE, "number_pool.view_number"),
    Entry("Customers", "customers:group_list", ANYONE, "customers.view_customergroup"),
    Entry("Ports", "porting:list", ANYONE, "porting.view_portrequest"),
    Entry("Escalations", "escalations:dashboard", STAFF, "escalations.view_escalation_dashboard"),
    Entry("Drift", "reconciliation:drift_list", ANYONE, "customers.view_customergroup", REPORTS),
    Entry("Port lead times", "porting:dashboard", STAFF, "porting.view_port_dashboard", REPORTS),
    Entry("Audit", "accounts:audit_list", ANYONE, "accounts.view_auditevent", REPORTS),
    Entry("Users", "accounts:user_list", STAFF, "accounts.view_user", REPORTS),
    Entry("Escalation matrix", "escalations:contact_list", ANYONE, None, REFERENCE),
    Entry("SLA policies", "escalations:policy_list", STAFF, "escalations.view_slapolicy", REFERENCE),
    Entry("Lead-time rules", "porting:rules", ANYONE, "porting.view_leadtimerule", REFERENCE),
    Entry("API", "api-docs", ANYONE, None, REFERENCE),
    Entry("Webhooks", "events:webhooks", ANYONE, None, REFERENCE),
]


def _shown(entry: Entry, user) -> bool:
    if entry.who == STAFF and user.is_partner_user or entry.who == PARTNER and not user.is_partner_user:
        return False
    return entry.permission is None or user.has_perm(entry.permission)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": []}
    entries = [entry for entry in ENTRIES if _shown(entry, user)]
    urls = [reverse(entry.url_name) for entry in entries]
    path = request.path
    # The most specific item wins: /ports/dashboard/ is "Port lead times", not also "Ports".
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    items = [
        {"label": entry.label, "url": url, "active": url == current, "menu": entry.menu}
        for entry, url in zip(entries, urls, strict=True)
    ]
    menu: list[dict] = [item for item in items if not item["menu"]]
    for name in (REPORTS, REFERENCE):
        children = [item for item in items if item["menu"] == name]
        if len(children) == 1:
            menu.append(children[0])
        elif children:
            slug = name.lower()
            active = any(child["active"] for child in children)
            menu.append({"label": name, "slug": slug, "children": children, "active": active})
    return {"nav_items": items, "nav_menu": menu}
