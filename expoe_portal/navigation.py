"""The navigation follows the role: each item says which permission (or role) shows it."""

from django.urls import reverse


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    if user.is_partner_user:
        items.append(("My partner", reverse("onboarding:my_partner")))
        items.append(("Numbers", reverse("number_pool:number_list")))
        items.append(("Customers", reverse("customers:group_list")))
        if user.has_perm("porting.view_portrequest"):
            items.append(("Ports", reverse("porting:list")))
    else:
        # No "Home" item: the brand is the link home, and the bar must fit one line at 1400 px.
        if user.has_perm("partners.view_partner"):
            items.append(("Partners", reverse("partners:partner_list")))
        if user.has_perm("onboarding.view_onboardingorder"):
            items.append(("Onboarding", reverse("onboarding:order_list")))
        if user.has_perm("number_pool.view_number"):
            items.append(("Numbers", reverse("number_pool:number_list")))
        if user.has_perm("customers.view_customergroup"):
            items.append(("Customers", reverse("customers:group_list")))
        if user.has_perm("porting.view_portrequest"):
            items.append(("Ports", reverse("porting:list")))
        if user.has_perm("porting.view_port_dashboard"):
            items.append(("Port lead times", reverse("porting:dashboard")))
        if user.has_perm("escalations.view_escalation_dashboard"):
            items.append(("Escalations", reverse("escalations:dashboard")))
    if user.has_perm("accounts.view_auditevent"):
        items.append(("Audit", reverse("accounts:audit_list")))
    items.append(("Escalation matrix", reverse("escalations:contact_list")))
    items.append(("API", reverse("api-docs")))
    path = request.path
    # The most specific item wins: /ports/dashboard/ is "Port lead times", not also "Ports".
    matches = [url for _, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return {"nav_items": [{"label": label, "url": url, "active": url == current} for label, url in items]}
