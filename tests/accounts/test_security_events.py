"""#17: log-ins, failures, lockouts, log-outs and password changes in the audit log (never a
password); failed log-ins from one address are limited whatever the usernames."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.audit_words import audit_sentence
from accounts.choices import Role
from accounts.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def log_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_a_log_in_and_a_log_out_are_recorded_with_the_address(client, world):
    manager = world.user(Role.MANAGER)
    assert log_in(client, "manager", TEST_PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.post(reverse("accounts:logout"))
    (login,) = events("login.succeeded")
    assert (login.actor, login.target_id, login.changes) == (manager, str(manager.pk), {"address": "198.51.100.7"})
    (logout,) = events("login.logged_out")
    assert logout.actor == manager


def test_a_failed_log_in_names_the_user_or_the_name_tried_and_never_the_password(client, world):
    log_in(client, "manager", "wrong-guess-1")
    log_in(client, "no-such-person", "wrong-guess-2")
    known, unknown = events("login.failed")
    assert (known.actor, known.target_id, known.target_label) == (None, str(world.user(Role.MANAGER).pk), "manager")
    assert (unknown.target_type, unknown.target_id, unknown.target_label) == ("", "", "no-such-person")
    assert unknown.changes == {"address": "127.0.0.1"}
    assert not AuditEvent.objects.filter(changes__icontains="wrong-guess").exists()
    assert not AuditEvent.objects.filter(target_label__icontains="wrong-guess").exists()


def test_a_lockout_is_recorded_once_while_it_lasts(client, world):
    for _ in range(7):
        log_in(client, "trainer", "wrong-guess")
    (lockout,) = events("login.locked_out")
    assert lockout.target_label == "trainer" and lockout.changes == {"address": "127.0.0.1"}


def test_a_password_change_is_recorded(client, world):
    trainer = world.user(Role.TRAINER)
    client.force_login(trainer)
    new = "amber-lantern-quietly-47"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    (changed,) = events("password.changed")
    assert changed.actor == trainer and changed.changes == {}


def test_the_audit_page_and_csv_read_security_events_as_sentences(client, world):
    log_in(client, "nobody-here", "wrong-guess")
    log_in(client, "manager", TEST_PASSWORD)
    page = client.get(reverse("accounts:audit_list")).content.decode()
    assert "The portal refused a log-in as “nobody-here”: address 127.0.0.1" in page
    assert "manager logged in: address 127.0.0.1" in page
    response = client.get(reverse("accounts:audit_export_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    refused = next(row for row in rows if row["action"] == "login.failed")
    assert (refused["target_type"], refused["target_id"], refused["target"]) == ("", "", "nobody-here")


def test_every_security_event_reads_as_a_sentence():
    assert audit_sentence(
        actor="Ada Admin", action="password.reset_completed", target_label="admin", target_id="1", changes={}
    ) == ("Ada Admin set a new password with an emailed reset link")
    assert audit_sentence(
        actor="", action="login.locked_out", target_label="admin", target_id="1", changes={"address": "192.0.2.1"}
    ) == ("The portal locked out log-ins as “admin” from one address after repeated failures: address 192.0.2.1")


def test_failed_log_ins_from_one_address_are_limited_whatever_the_usernames(client, world, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    for n in range(4):
        assert log_in(client, f"guess-{n}", "wrong-guess").status_code == 200
    refused = log_in(client, "manager", TEST_PASSWORD)
    assert refused.status_code == 429 and "Too many failed log-ins from your address" in refused.content.decode()
    # Refused before the password is even looked at: neither a success nor a failure.
    assert not events("login.succeeded") and not [e for e in events("login.failed") if e.target_label == "manager"]
    # Another address is not held back, and the window ends.
    assert log_in(client, "manager", TEST_PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.LOGIN_FAILURES_WINDOW_MINUTES + 1)):
        assert log_in(client, "manager", TEST_PASSWORD).status_code == 302


def test_failed_token_requests_count_towards_the_address_limit(client, api_client, world, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        api_client.post("/api/v1/auth/token/", {"username": f"guess-{n}", "password": "wrong-guess"})
    assert log_in(client, "manager", TEST_PASSWORD).status_code == 429
