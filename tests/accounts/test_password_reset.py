"""#17: "Forgot your password?" emails a link that works once, within PASSWORD_RESET_TIMEOUT; the
page never tells whether an address has an account; requests are limited and audited."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import AuditEvent
from expoe_portal.models import OutboundEmail
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "amber-lantern-quietly-47"


def ask(client, email, **extra):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def reset_link(email_row) -> str:
    return re.search(r"https?://\S+", email_row.body).group(0)


@pytest.fixture
def trainer(world):
    return world.user(Role.TRAINER)


def test_the_login_page_offers_a_reset(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{RESET}"' in page and "Forgot your password?" in page


def test_an_address_with_or_without_an_account_gets_the_same_answer(client, trainer):
    known = ask(client, trainer.email)
    unknown = ask(client, "nobody@nowhere.invalid")
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("accounts:password_reset_done")
    (email,) = OutboundEmail.objects.filter(kind="account.password_reset")
    assert email.to == [trainer.email]


def test_the_email_goes_through_the_outbox_and_its_link_starts_with_the_portal_s_address(
    client, trainer, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.invalid"
    settings.ALLOWED_HOSTS = ["other-name.invalid"]  # even a name the portal answers to chooses nothing
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, trainer.email.upper(), HTTP_HOST="other-name.invalid")
    (email,) = OutboundEmail.objects.filter(kind="account.password_reset")
    assert reset_link(email).startswith("https://portal.example.invalid/accounts/password/reset/")
    assert email.status == "sent" and len(mail.outbox) == 1
    assert "60 minutes" in mail.outbox[0].body and "other-name" not in mail.outbox[0].body


def test_the_link_sets_a_new_password_once_and_the_old_one_stops_working(client, trainer):
    ask(client, trainer.email)
    link = reset_link(OutboundEmail.objects.get(kind="account.password_reset"))
    form = client.get(link, follow=True)  # Django swaps the token for a session key, then shows the form
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    trainer.refresh_from_db()
    assert trainer.check_password(NEW_PASSWORD) and not trainer.check_password(TEST_PASSWORD)
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_a_new_password_from_a_link_must_pass_the_validators(client, trainer):
    ask(client, trainer.email)
    form = client.get(reset_link(OutboundEmail.objects.get(kind="account.password_reset")), follow=True)
    refused = client.post(
        form.redirect_chain[-1][0], {"new_password1": "trainertrainer", "new_password2": "trainertrainer"}
    )
    assert refused.status_code == 200 and "too easy to guess" in refused.content.decode()
    trainer.refresh_from_db()
    assert trainer.check_password(TEST_PASSWORD)


def test_the_link_expires_after_password_reset_timeout(client, trainer, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    ask(client, trainer.email)
    link = reset_link(OutboundEmail.objects.get(kind="account.password_reset"))
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        page = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in page and "60 minutes" in page


def test_requests_and_resets_are_in_the_audit_log_without_the_link(client, trainer):
    ask(client, trainer.email)
    ask(client, "nobody@nowhere.invalid")
    email = OutboundEmail.objects.get(kind="account.password_reset")
    form = client.get(reset_link(email), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    requested = AuditEvent.objects.filter(action="password.reset_requested").order_by("id")
    assert [(event.target_id, event.target_label) for event in requested] == [
        (str(trainer.pk), trainer.username),
        ("", "nobody@nowhere.invalid"),
    ]
    assert requested[0].changes == {"address": "127.0.0.1", "emails_sent": 1}
    completed = AuditEvent.objects.get(action="password.reset_completed")
    assert completed.actor == trainer and completed.target_id == str(trainer.pk)
    token = reset_link(email).rstrip("/").rsplit("/", 1)[-1]
    assert not AuditEvent.objects.filter(changes__icontains=token).exists()


def test_more_than_three_requests_for_one_email_in_an_hour_send_nothing_more_and_say_the_same(client, trainer):
    answers = [ask(client, trainer.email, REMOTE_ADDR=f"192.0.2.{n}") for n in range(5)]
    assert {answer.status_code for answer in answers} == {302}
    assert OutboundEmail.objects.filter(kind="account.password_reset").count() == 3
    held_back = AuditEvent.objects.filter(action="password.reset_requested", changes__emails_sent=0)
    assert held_back.count() == 2 and "not_sent" in held_back.first().changes


def test_one_address_asking_too_often_is_told_to_wait(client, world, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = 3
    for n in range(3):
        assert ask(client, f"someone{n}@nowhere.invalid").status_code == 302
    refused = ask(client, "someone-else@nowhere.invalid")
    assert refused.status_code == 429 and "Too many password-reset requests" in refused.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert ask(client, "someone-else@nowhere.invalid").status_code == 302
