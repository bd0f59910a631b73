"""Every page each role may open, on the demo's data (#16): the access matrix names the pages and who
gets 200; `seed_demo` fills the lists; one object of each kind stands in for its detail pages.

Used by the browser tests that visit every page (width at 390 px, axe-core, no rule id on partner
pages, the navigation at 1400 px).
"""

import os
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.demo import DEMO_PASSWORD
from tests.portal.test_access_matrix import ANON, EXPECTATIONS

# The demo's login for each kind of user the access matrix knows; a partner user's pages are
# visited for a live partner (ACME01) and for one still onboarding (BETA02).
DEMO_LOGINS = {
    Role.PROVISIONING_ADMIN: "admin",
    Role.COORDINATOR: "coordinator",
    Role.TRAINER: "trainer",
    Role.MANAGER: "manager",
    "acme": "acme",
    "betacom": "betacom",
}
PARTNER_LOGINS = {"acme": "ACME01", "betacom": "BETA02"}
PASSWORD = DEMO_PASSWORD

# Not pages: files to download, and the fragments htmx polls into a page.
DOWNLOADS = {
    "accounts:audit_export_csv",
    "customers:bulk_errors",
    "customers:bulk_template",
    "escalations:export_csv",
    "otp_webauthn:js-i18n-catalog",  # the passkey scripts' wording, a script file (#17)
    "porting:document_download",
    "porting:loa_download",  # the letter of authority, a PDF
    "porting:export_csv",
}
FRAGMENTS = {"customers:group_build_status", "customers:group_changes_status"}
# Pages outside an app's namespace; the rest without one are the API's and /healthz, /metrics.
UNNAMESPACED_PAGES = {"home", "system_health", "platforms", "api-docs"}
# The access matrix's trainer is allocated to no order; the demo's trainer runs BETA02's training.
TRAINER_ORDER_PAGES = {"onboarding:order_detail"}


@dataclass(frozen=True)
class Page:
    name: str
    url: str


def is_page(name: str) -> bool:
    return (":" in name or name in UNNAMESPACED_PAGES) and name not in DOWNLOADS | FRAGMENTS


def seed(settings, tmp_path) -> None:
    """The demo's data, plus what it leaves out: a bulk upload, a port document, drift and a run."""
    from customers.models import BulkUpload, CustomerGroup
    from porting.models import PortDocument, PortRequest
    from reconciliation.models import Drift, ReconciliationRun

    settings.PORTING_DOCUMENT_ROOT = str(tmp_path)  # uploaded documents stay out of the repository
    # Overridden settings (the live server's, the line above) name no SETTINGS_MODULE, which
    # seed_demo reads to refuse production: named again, last.
    settings.SETTINGS_MODULE = os.environ["DJANGO_SETTINGS_MODULE"]
    call_command("seed_demo", stdout=StringIO())
    now = timezone.now()
    ReconciliationRun.objects.create(started_at=now, finished_at=now)
    for partner_id in PARTNER_LOGINS.values():
        BulkUpload.objects.create(partner_id=_partner(partner_id).pk, filename="customers.csv")
        group = CustomerGroup.objects.filter(partner__partner_id=partner_id).order_by("pk").first()
        if group:
            Drift.objects.create(
                group=group,
                platform="broadworks",
                aspect="bw_numbers",
                ours=["+442079460001"],
                theirs=[],
                first_seen_at=now,
                last_seen_at=now,
            )
        port = PortRequest.objects.filter(partner__partner_id=partner_id).order_by("pk").first()
        if port:
            document = PortDocument(
                port_request=port,
                kind="latest_bill",
                original_name="bill.pdf",
                content_type="application/pdf",
                size=9,
            )
            document.file.save("bill.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
            document.save()


def _partner(partner_id):
    from partners.models import Partner

    return Partner.objects.get(partner_id=partner_id)


def _objects(partner_id: str | None, login: str) -> SimpleNamespace:
    """One object of each kind, under both the matrix's names (`_a`: the partner user's own, `_b`:
    another partner's, which staff see): a partner user's from their partner, staff's from ACME01."""
    from customers.models import BulkUpload, CustomerGroup
    from escalations.models import Escalation
    from number_pool.models import Number
    from onboarding.models import OnboardingOrder
    from porting.models import PortDocument, PortRequest
    from reconciliation.models import Drift, ReconciliationRun

    partner = _partner(partner_id or "ACME01")

    def first(queryset):
        return queryset.order_by("pk").first()

    orders = OnboardingOrder.objects.filter(partner=partner)
    if login == "trainer":
        orders = OnboardingOrder.objects.filter(trainer__username="trainer")
    escalations = Escalation.objects.filter(closed_at__isnull=True)
    found = {
        "partner": partner,
        "order": first(orders),
        "number": first(Number.objects.filter(partner=partner)),
        "group": first(CustomerGroup.objects.filter(partner=partner)),
        "upload": first(BulkUpload.objects.filter(partner=partner)),
        "port": first(PortRequest.objects.filter(partner=partner)),
        "document": first(PortDocument.objects.filter(port_request__partner=partner)),
        "escalation": first(escalations.filter(partner=partner) if partner_id else escalations),
        "drift": first(Drift.objects.filter(group__partner=partner)),
    }
    world = SimpleNamespace(run=first(ReconciliationRun.objects.all()))
    for kind, obj in found.items():
        setattr(world, f"{kind}_a", obj)
        setattr(world, f"{kind}_b", obj)
    return world


def pages_for(who) -> list[Page]:
    """The pages `who` (a key of DEMO_LOGINS, or ANON) opens with 200, in the matrix's order."""
    login = DEMO_LOGINS.get(who)
    partner_id = PARTNER_LOGINS.get(who)
    role = Role.PARTNER_USER if partner_id else (ANON if who == ANON else who)
    world = _objects(partner_id, login or "")
    pages = []
    for name, expect in sorted(EXPECTATIONS.items()):
        if not is_page(name):
            continue
        if partner_id and expect.own_kwargs:
            wanted, kwargs = expect.own_partner == 200, expect.own_kwargs
        else:
            wanted, kwargs = expect.statuses[role] == 200, expect.kwargs
        if role == Role.TRAINER and name in TRAINER_ORDER_PAGES:
            wanted = world.order_a is not None
        if not wanted:
            continue
        try:
            url = reverse(name, kwargs=kwargs(world) if kwargs else None)
        except AttributeError:  # this partner has no such object yet (BETA02 has no port, say)
            continue
        pages.append(Page(name, url))
    return pages


def log_in(page, username: str | None, password: str = PASSWORD) -> None:
    if username is None:
        return
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


@contextmanager
def page_of(browser, base_url: str, username: str | None, *, width: int, height: int = 900, password: str = PASSWORD):
    """A browser context signed in as `username` (None: nobody) at the given width; fails, as the
    `page` fixture does, on any console error (a script or style the CSP blocked, say)."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []

    def console(message):
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", console)
    try:
        log_in(page, username, password)
        yield page
    finally:
        context.close()
    assert not errors, f"browser console errors for {username}: {errors}"
