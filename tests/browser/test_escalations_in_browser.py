"""E2 in a real browser: a manager opens the escalation dashboard, follows the oldest breach to
its item, comes back and acknowledges it (with the confirmation dialog)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.choices import Role
from escalations.models import Escalation
from escalations.services import escalation_evaluate
from onboarding.services import onboarding_order_create
from tests.factories import TEST_PASSWORD, PartnerContactFactory, PartnerFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def breaches(world):
    """Two late O1 confirmations: BETA02's signed order arrived 100 hours ago (level 3), GAMMA03's 50 (level 0)."""
    gamma = PartnerFactory(partner_id="GAMMA03", name="Gammacom")
    PartnerContactFactory(partner=gamma)
    admin = world.user(Role.PROVISIONING_ADMIN)
    oldest = onboarding_order_create(
        by=admin, partner=world.partner_b, signed_order_received_at=timezone.now() - timedelta(hours=100)
    )
    onboarding_order_create(by=admin, partner=gamma, signed_order_received_at=timezone.now() - timedelta(hours=50))
    escalation_evaluate()
    return oldest


def test_E2_manager_follows_the_oldest_breach_to_its_item_and_acknowledges_it(page, log_in, world, breaches):
    log_in(Role.MANAGER.value, TEST_PASSWORD)
    page.get_by_role("link", name="Escalations", exact=True).click()
    expect(page.get_by_role("heading", name="Escalations", exact=True)).to_be_visible()
    expect(page.get_by_test_id("total-breached")).to_have_text("2")
    expect(page.get_by_test_id("total-level-3")).to_have_text("1")
    expect(page.get_by_test_id("breach-trend").locator("rect")).to_have_count(12)

    rows = page.get_by_test_id("breach-row")
    expect(rows).to_have_count(2)
    oldest = rows.first
    expect(oldest).to_contain_text("Onboarding of BETA02 (Betacom)")
    expect(oldest.get_by_test_id("escalation-level")).to_have_text("L3")

    # Follow it to its item: the onboarding order's own page.
    oldest.get_by_test_id("breach-item").click()
    expect(page).to_have_url(re.compile(rf"/onboarding/{breaches.pk}/$"))
    expect(page.get_by_role("heading", name="Onboarding of Betacom")).to_be_visible()

    # Back on the dashboard, acknowledge it; the browser asks for confirmation first.
    page.go_back()
    page.get_by_test_id("breach-row").first.get_by_role("link", name="Acknowledge").click()
    expect(page.get_by_role("heading", name="Order confirmation")).to_be_visible()
    page.get_by_label("Note").fill("Called Betacom's admin; confirmation goes out this afternoon.")
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    with page.expect_navigation():
        page.get_by_role("button", name="Acknowledge").click()
    assert dialogs and dialogs[0].startswith("Acknowledge this breach? It stays at level 3")
    expect(page.get_by_role("alert")).to_contain_text("Acknowledged: Onboarding of BETA02 (Betacom) stays at level 3.")
    expect(page.get_by_test_id("acknowledged")).to_contain_text("Called Betacom's admin")
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)

    escalation = Escalation.objects.get(subject_id=breaches.pk, policy__key="O1-order-confirmation")
    assert escalation.acknowledged_by == world.user(Role.MANAGER)
    page.goto("/escalations/")
    expect(page.get_by_test_id("breach-row").first).to_contain_text("acknowledged")
