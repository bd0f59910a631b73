"""O1's confirmation and O6's go-live emails; O7: partner users get the Partner Portal URL only."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied

from accounts.choices import Role
from expoe_portal.models import OutboundEmail
from expoe_portal.outbox import email_send
from onboarding.choices import OrderStatus
from onboarding.emails import order_email_queue
from onboarding.models import OnboardingOrder
from onboarding.services import onboarding_order_transition
from tests.factories import PartnerContactFactory

from .walk import order_in_state, record_remaining_training

pytestmark = pytest.mark.django_db


def _assert_only_partner_portal_url(message):
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for body in (message.body, html):
        assert settings.PARTNER_PORTAL_URL in body
        assert settings.END_CUSTOMER_PORTAL_URL not in body


def test_O1_confirmation_goes_to_the_partners_contacts_after_commit(world, django_capture_on_commit_callbacks):
    PartnerContactFactory(partner=world.partner_b, email="billing@betacom.invalid")
    order = order_in_state(world, OrderStatus.RECEIVED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        onboarding_order_transition(by=world.user(Role.PROVISIONING_ADMIN), order=order, name="confirm")
    assert mail.outbox == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["ops@betacom.invalid", "billing@betacom.invalid"]
    assert message.subject == "Your EXPO.e onboarding order is confirmed (BETA02)"
    _assert_only_partner_portal_url(message)
    assert OnboardingOrder.objects.get(pk=order.pk).confirmation_email_sent_at is not None


def test_O6_go_live_email_goes_to_the_partners_users(world, django_capture_on_commit_callbacks):
    order = record_remaining_training(world, order_in_state(world, OrderStatus.TRAINING))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_order_transition(by=world.user(Role.COORDINATOR), order=order, name="go_live")
    (message,) = mail.outbox
    assert message.to == [world.user("partner_b_user").email]
    assert message.subject == "You are live on EXPO.e (BETA02)"
    _assert_only_partner_portal_url(message)


def test_O7_the_portal_urls_come_from_settings(world, settings, django_capture_on_commit_callbacks):
    settings.PARTNER_PORTAL_URL = "https://partners.example.invalid/portal"
    order = order_in_state(world, OrderStatus.RECEIVED)
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_order_transition(by=world.user(Role.PROVISIONING_ADMIN), order=order, name="confirm")
    assert "https://partners.example.invalid/portal" in mail.outbox[0].body
    assert "ucaasprov.hostedcomm.com" not in mail.outbox[0].body


def test_an_email_task_run_twice_sends_once(world, django_capture_on_commit_callbacks):
    order = order_in_state(world, OrderStatus.RECEIVED)
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_order_transition(by=world.user(Role.PROVISIONING_ADMIN), order=order, name="confirm")
    (email,) = OutboundEmail.objects.filter(kind="onboarding.confirmation")
    assert email_send(email_id=email.pk).startswith("nothing to do")  # a redelivered task
    assert order_email_queue(OnboardingOrder.objects.get(pk=order.pk), "confirmation") is False, "sent already"
    assert len(mail.outbox) == 1


def test_a_refused_transition_sends_nothing(world, django_capture_on_commit_callbacks):
    order = order_in_state(world, OrderStatus.RECEIVED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        onboarding_order_transition(by=world.user(Role.MANAGER), order=order, name="confirm")
    assert mail.outbox == []


def test_a_failing_mail_server_leaves_the_email_due_for_a_retry(world, monkeypatch, django_capture_on_commit_callbacks):
    from smtplib import SMTPServerDisconnected

    order = order_in_state(world, OrderStatus.RECEIVED)

    def broken(self, *args, **kwargs):
        raise SMTPServerDisconnected("gone")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", broken)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            onboarding_order_transition(by=world.user(Role.PROVISIONING_ADMIN), order=order, name="confirm")
        (email,) = OutboundEmail.objects.filter(kind="onboarding.confirmation")
        assert email_send(email_id=email.pk).startswith("retrying in 30 s: SMTPServerDisconnected")
    email.refresh_from_db()
    assert (email.status, email.attempts, email.lease_until) == ("pending", 1, None)
    assert email.next_attempt_at > email.created_at and "gone" in email.last_error
    assert OnboardingOrder.objects.get(pk=order.pk).confirmation_email_sent_at is None
    assert len(callbacks) == 1, "the send was queued once, after commit"
