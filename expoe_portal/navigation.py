"""The navigation follows the role: each item says which permission (or role) shows it."""

from django.urls import reverse

# Staff see an item when they hold its permission, in this order.
STAFF_ITEMS = [
    ("partners.view_partner", "Partners", "partners:partner_list"),
    ("onboarding.view_onboardingorder", "Onboarding", "onboarding:order_list"),
    ("number_pool.view_number", "Numbers", "number_pool:number_list"),
    ("customers.view_customergroup", "Customers", "customers:group_list"),
    ("customers.view_customergroup", "Drift", "reconciliation:drift_list"),
    ("porting.view_portrequest", "Ports", "porting:list"),
    ("porting.view_port_dashboard", "Port lead times", "porting:dashboard"),
    ("escalations.view_escalation_dashboard", "Escalations", "escalations:dashboard"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if user.is_partner_user:
        items.append(("My partner", reverse("onboarding:my_partner")))
        items.append(("Numbers", reverse("number_pool:number_list")))
        items.append(("Customers", reverse("customers:group_list")))
        items.append(("Drift", reverse("reconciliation:drift_list")))
        if user.has_perm("porting.view_portrequest"):
            items.append(("Ports", reverse("porting:list")))
    else:
        # No "Home" item: the brand is the link home, and the bar must fit one line at 1400 px.
        items.extend((label, reverse(url_name)) for perm, label, url_name in STAFF_ITEMS if user.has_perm(perm))
    if user.has_perm("accounts.view_auditevent"):
        items.append(("Audit", reverse("accounts:audit_list")))
    items.append(("Escalation matrix", reverse("escalations:contact_list")))
    items.append(("API", reverse("api-docs")))
    path = request.path
    # The most specific item wins: /ports/dashboard/ is "Port lead times", not also "Ports".
    matches = [url for _, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return {"nav_items": [{"label": label, "url": url, "active": url == current} for label, url in items]}
