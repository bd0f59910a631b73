"""A build says by email what happened to those who need to know: built (the hand-over, with the
partner's next step, C6), failed (the requester and the partner's co-ordinator, with the
platform's reason) or waiting for a co-ordinator (Call Cabinet by hand)."""

import pytest
from django.core import mail

from accounts.choices import Role
from customers import build_steps, builds
from customers.services import customer_group_create
from integrations.base import PermanentError
from integrations.callcabinet.client import callcabinet_gateway
from integrations.platforms import Platforms
from onboarding.models import OnboardingOrder

from .build_request_data import stock_pool, valid_request
from .fake_platforms import fake_platforms

pytestmark = pytest.mark.django_db

CANARY = "Canary-Email-Pass-41"
TEAM = "voiceprovisioning@exponential-e.com"  # E1 level 0, from the escalation matrix


@pytest.fixture
def platforms(monkeypatch):
    fake = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    return fake


@pytest.fixture
def group(world):
    stock_pool(world)
    group, _ = customer_group_create(
        by=world.user(Role.PARTNER_USER),
        partner=world.partner_a,
        data=valid_request(admins=[{"first_name": "Ada", "last_name": "Lovelace", "user_id": "", "password": CANARY}]),
    )
    return group


def start(world, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        builds.build_start(by=world.user(Role.PARTNER_USER), group=group)


def test_a_failed_build_tells_the_requester_and_the_team_why_with_a_link(
    world, group, platforms, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.invalid"
    platforms.faults.fail("add_essential_customer", PermanentError("Call Cabinet: dealer code suspended"))
    start(world, group, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [world.user(Role.PARTNER_USER).email, TEAM]
    assert message.subject == "Customer build failed: AlphaWidgets (ACME01)"
    assert "Call Cabinet: dealer code suspended" in message.body
    assert f"https://portal.example.invalid/customers/{group.pk}/" in message.body
    assert CANARY not in message.body


def test_the_partners_own_coordinator_is_told_rather_than_the_team_inbox(
    world, group, platforms, django_capture_on_commit_callbacks
):
    from tests.escalations.conftest import allocate_trainer  # an order for partner A

    allocate_trainer(world, world.partner_a)
    OnboardingOrder.objects.filter(partner=world.partner_a).update(coordinator=world.user(Role.COORDINATOR))
    platforms.faults.fail("add_group_from_template", PermanentError("[Error 4021] Group already exists"))
    start(world, group, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == [world.user(Role.PARTNER_USER).email, world.user(Role.COORDINATOR).email]


def test_a_step_waiting_for_a_coordinator_tells_the_team_not_the_partner(
    world, group, platforms, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CALLCABINET_MODE = "manual"
    monkeypatch.setattr(
        build_steps, "get_platforms", lambda: Platforms(platforms.broadworks, platforms.akixi, callcabinet_gateway())
    )
    start(world, group, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [TEAM]
    assert message.subject == "Customer build waiting for you: AlphaWidgets (ACME01)"
    assert "Call Cabinet by hand" in message.body


def test_C6_a_build_that_succeeds_hands_over_with_the_partners_next_step(
    world, group, platforms, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.invalid"
    start(world, group, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [world.user(Role.PARTNER_USER).email, TEAM]
    assert message.subject == "Customer built: AlphaWidgets (ACME01)"
    assert "apply call-recording licences to the users" in message.body  # the group records calls (C2-C5)
    assert settings.PARTNER_PORTAL_URL in message.body and settings.END_CUSTOMER_PORTAL_URL not in message.body  # O7
    assert f"https://portal.example.invalid/customers/{group.pk}/" in message.body
    assert CANARY not in message.body


def test_C6_a_group_that_records_no_calls_is_handed_over_without_the_call_recording_step(
    world, platforms, django_capture_on_commit_callbacks
):
    stock_pool(world)
    data = valid_request(callcabinet={"admin_name": "", "admin_email": ""})
    group, _ = customer_group_create(by=world.user(Role.PARTNER_USER), partner=world.partner_a, data=data)
    assert not group.has_callcabinet
    start(world, group, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject.startswith("Customer built") and "call-recording" not in message.body
