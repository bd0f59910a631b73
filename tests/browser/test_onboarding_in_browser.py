"""O1-O6 end to end in a real browser: an administrator logs and confirms BETA02's order, a
co-ordinator walks it to live with a trainer, and the partner user watches each stage on their page."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

# The stepper's stages, in order (onboarding.choices.ORDER_STAGES), with their labels.
STAGES = [
    ("received", "Signed order received"),
    ("confirmed", "Order confirmed"),
    ("coordinator_assigned", "Co-ordinator assigned"),
    ("accounts_created", "Partner accounts created"),
    ("kickoff_arranged", "Kickoff arranged"),
    ("training", "Training"),
    ("live", "Live"),
]
ACCOUNT_PLATFORMS = {
    "broadworks": "BroadWorks service provider and clone group",
    "akixi": "Akixi reseller account",
    "callcabinet": "Call Cabinet reseller account",
}
TRAINING_PLATFORMS = ["partner_portal", "akixi", "callcabinet"]


@pytest.fixture
def session_as(browser, live_server):
    """A logged-in page for one user, in a browser context of its own (its own cookies)."""
    contexts, errors = [], []

    def open_as(username):
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda msg: errors.append(f"{username}: {msg.text}") if msg.type == "error" else None)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_test_id("current-user")).to_contain_text(username)
        return page

    yield open_as
    for context in contexts:
        context.close()
    # As in the `page` fixture: a fresh context's /favicon.ico is the one expected 404.
    unexpected = [e for e in errors if "status of 404" not in e]
    assert not unexpected, f"browser console errors: {unexpected}"


def open_transition(page, name, label):
    """Open a transition's collapse on the order page, and wait until Bootstrap has finished
    showing it (a click while it still grows lands on whatever is beneath the clipped button)."""
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(f"#form-{name}")).to_have_class(re.compile(r"\bshow\b"))


def submit(page, label):
    """Press a transition's confirm button and wait for the order page it redirects to."""
    with page.expect_navigation():
        page.get_by_role("button", name=f"Confirm: {label}", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=f"Done: {label}.")).to_be_visible()


def run(page, name, label):
    open_transition(page, name, label)
    submit(page, label)


def stage_states(stage):
    """What the stepper shows for each stage when the order is at `stage`."""
    values = [value for value, _ in STAGES]
    reached = values.index(stage)
    if stage == "live":
        return dict.fromkeys(values, "done")
    return {v: "done" if i < reached else "current" if i == reached else "todo" for i, v in enumerate(values)}


def expect_stepper(page, stage):
    stepper = page.get_by_test_id("stepper")
    for value, state in stage_states(stage).items():
        expect(stepper.locator(f'li[data-stage="{value}"]')).to_have_attribute("data-state", state)
    current = stepper.locator('li[data-state="current"]')
    if stage == "live":
        expect(current).to_have_count(0)
    else:
        expect(current).to_have_count(1)
        expect(current).to_contain_text(dict(STAGES)[stage])
        expect(current).to_have_attribute("aria-current", "step")


def partner_sees(page, stage, next_step, owner):
    """The partner user's own page: the stage, the next step and its owner, and nothing to press."""
    page.goto("/my-partner/")
    expect(page.get_by_test_id("partner-heading")).to_have_text("Betacom")
    onboarding = page.get_by_test_id("onboarding")
    expect_stepper(onboarding, stage)
    expect(onboarding.get_by_test_id("next-step")).to_contain_text(f"Next step: {next_step}")
    expect(onboarding.get_by_test_id("next-step")).to_contain_text(owner)
    main = page.locator("main")
    expect(main.locator("form")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("link", name="Log signed order")).to_have_count(0)
    expect(main.get_by_role("link", name="Edit")).to_have_count(0)

    # The order page it links to is read-only for them too.
    page.get_by_role("link", name="Open onboarding order").click()
    expect(page.get_by_role("heading", name="Onboarding of Betacom")).to_be_visible()
    expect_stepper(page, stage)
    expect(page.get_by_test_id("next-step")).to_contain_text(next_step)
    expect(main.get_by_text("What you can do now")).to_have_count(0)
    expect(main.locator("form")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("textbox")).to_have_count(0)


def test_order_walks_to_live_and_the_partner_user_sees_each_stage_O1_O2_O4_O5_O6(page, log_in, session_as, world):
    partner = session_as("beta_user")
    partner.goto("/my-partner/")  # (their home is a work list; the onboarding has its own page)
    expect(partner.get_by_test_id("onboarding")).to_contain_text("No onboarding order yet.")
    expect(partner.locator("main form")).to_have_count(0)

    # 1. O1: the administrator logs the signed order and sends the confirmation.
    admin = page
    log_in("provisioning_admin", TEST_PASSWORD)
    admin.get_by_role("link", name="Onboarding", exact=True).click()
    admin.get_by_role("link", name="Log signed order").click()
    admin.get_by_label("Partner").select_option(label="BETA02 — Betacom")
    expect(admin.get_by_label("Signed order received")).not_to_have_value("")
    admin.get_by_role("button", name="Log signed order").click()
    expect(admin.get_by_role("heading", name="Onboarding of Betacom")).to_be_visible()
    expect(admin.get_by_role("alert")).to_contain_text("Signed order logged for BETA02")
    expect_stepper(admin, "received")
    order_url = admin.url
    partner_sees(partner, "received", "EXPO.e confirms your order", "UC Provisioning administrator")

    open_transition(admin, "confirm", "Send order confirmation")
    admin.locator("#id_confirm-note").fill("Confirmation emailed to ops@betacom.invalid")
    submit(admin, "Send order confirmation")
    expect_stepper(admin, "confirmed")
    expect(admin.get_by_test_id("history")).to_contain_text("Confirmation emailed to ops@betacom.invalid")
    partner_sees(partner, "confirmed", "A co-ordinator is assigned to you", "UC Provisioning Team")

    # O2: assigning the co-ordinator (administrators and managers may).
    open_transition(admin, "assign_coordinator", "Assign co-ordinator")
    admin.locator("#id_assign_coordinator-coordinator").select_option("coordinator")
    submit(admin, "Assign co-ordinator")
    expect(admin.get_by_test_id("coordinator")).to_have_text("coordinator")
    expect_stepper(admin, "coordinator_assigned")
    # The accounts are the co-ordinator's to record, not the administrator's.
    expect(admin.locator("#id_account-broadworks-reference")).to_have_count(0)
    partner_sees(
        partner,
        "coordinator_assigned",
        "Your partner accounts are created on BroadWorks, Akixi and Call Cabinet",
        "coordinator",
    )

    # 2. O2: the co-ordinator records the three partner accounts, then completes the stage.
    coordinator = session_as("coordinator")
    coordinator.get_by_role("link", name="Onboarding", exact=True).click()
    coordinator.get_by_role("link", name="BETA02", exact=True).click()
    expect(coordinator).to_have_url(order_url)
    accounts_done = coordinator.get_by_role("button", name="Partner accounts created", exact=True)
    expect(accounts_done).to_be_disabled()  # blocked until all three exist
    for platform, label in ACCOUNT_PLATFORMS.items():
        reference = coordinator.get_by_label(f"Reference for {label}")
        expect(reference).to_have_id(f"id_account-{platform}-reference")
        reference.fill(f"BETA02-{platform}")
        with coordinator.expect_navigation():
            reference.locator("xpath=..").get_by_role("button", name="Record").click()
        expect(coordinator.get_by_role("alert")).to_have_text(f"{label} recorded as created.")
        expect(coordinator.get_by_test_id("accounts")).to_contain_text(f"BETA02-{platform}")
        expect(coordinator.locator(f"#id_account-{platform}-reference")).to_have_count(0)
    expect(coordinator.get_by_test_id("accounts").get_by_text("Done", exact=True)).to_have_count(3)
    expect(accounts_done).to_be_enabled()
    run(coordinator, "complete_accounts", "Partner accounts created")
    expect_stepper(coordinator, "accounts_created")
    partner_sees(
        partner,
        "accounts_created",
        "Your kickoff call is arranged and your trainer introduced",
        "coordinator",
    )

    # O4: the kickoff call, with its date and time and the allocated trainer.
    kickoff = (datetime.now() + timedelta(days=1)).replace(hour=10, minute=30)
    open_transition(coordinator, "arrange_kickoff", "Arrange kickoff")
    coordinator.locator("#id_arrange_kickoff-kickoff_at").fill(kickoff.strftime("%Y-%m-%dT%H:%M"))
    coordinator.locator("#id_arrange_kickoff-trainer").select_option("trainer")
    submit(coordinator, "Arrange kickoff")
    expect(coordinator.get_by_test_id("trainer")).to_have_text("trainer")
    expect_stepper(coordinator, "kickoff_arranged")
    # Training is the trainer's to record, not the co-ordinator's.
    expect(coordinator.get_by_role("button", name="Record training session", exact=True)).to_have_count(0)
    partner_sees(partner, "kickoff_arranged", "Training on each platform", "trainer")
    kickoff_text = f"Kickoff {kickoff.day} {kickoff:%b %Y %H:%M}"
    partner.goto("/my-partner/")
    expect(partner.get_by_test_id("onboarding")).to_contain_text(kickoff_text)
    expect(partner.get_by_test_id("onboarding")).to_contain_text("Trainer: trainer")

    # 3. O5: the allocated trainer records one session per platform.
    trainer = session_as("trainer")
    trainer.goto(order_url)
    platform = trainer.locator("#id_record_training-platform")
    for number, value in enumerate(TRAINING_PLATFORMS, start=1):
        open_transition(trainer, "record_training", "Record training session")
        # Platforms already covered are no longer offered.
        expect(platform.locator("option")).to_have_count(len(TRAINING_PLATFORMS) - number + 1)
        platform.select_option(value)
        submit(trainer, "Record training session")
        expect(trainer.get_by_test_id("training").locator("li", has_text="✓")).to_have_count(number)
        expect_stepper(trainer, "training")
        if number == 1:
            partner_sees(partner, "training", "Training is completed, then your access goes live", "trainer")
            # O5 before O6: the co-ordinator cannot make the partner live with training outstanding.
            coordinator.reload()
            expect(coordinator.get_by_role("button", name="Go live", exact=True)).to_be_disabled()
            expect(coordinator.locator("#transition-go_live")).to_contain_text("Training still to be given")
    # Every platform is covered: nothing is left outstanding.
    expect(trainer.get_by_test_id("training").locator("li", has_text="○")).to_have_count(0)

    # 4. O6: the co-ordinator makes the partner live.
    coordinator.reload()
    expect(coordinator.get_by_role("button", name="Go live", exact=True)).to_be_enabled()
    run(coordinator, "go_live", "Go live")
    expect_stepper(coordinator, "live")
    expect(coordinator.get_by_test_id("history")).to_contain_text("Live")

    # 5. The partner user sees the order live and BETA02 live, still with nothing to press.
    partner_sees(partner, "live", "You can create customers and users in the Partner Portal", "you")
    partner.goto("/my-partner/")
    expect(partner.locator("main")).to_contain_text("Partner ID BETA02")
    expect(partner.locator("main .badge").first).to_have_text("Live")
    live_row = partner.locator("dt", has_text=re.compile(r"^Live$")).locator("xpath=following-sibling::dd[1]")
    expect(live_row).to_have_text("Yes")
    world.partner_b.refresh_from_db()
    assert world.partner_b.live
