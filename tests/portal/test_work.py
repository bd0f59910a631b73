"""The durable work engine (expoe_portal.work) and the email outbox on it (issue #11): claims,
heartbeats that keep a live worker's lease, the sweeper, retries due in the database."""

import time
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from expoe_portal.models import OutboundEmail
from expoe_portal.outbox import EMAILS, email_queue, email_send
from expoe_portal.work import retry_delay

pytestmark = pytest.mark.django_db


def queued_email(**fields) -> OutboundEmail:
    """A pending email whose message is not sent (the tests play the worker)."""
    fields = {"next_attempt_at": timezone.now(), **fields}
    return OutboundEmail.objects.create(
        kind="test", subject="Hello", body="Body", from_email="from@x.invalid", to=["to@x.invalid"], **fields
    )


def test_a_row_is_claimed_once_and_a_redelivered_message_takes_back_its_own_claim():
    email = queued_email()
    assert EMAILS.claim(email.pk, token="msg-1")
    assert not EMAILS.claim(email.pk, token="msg-2"), "held by a live claim"
    assert EMAILS.claim(email.pk, token="msg-1"), "the same message again: its worker died"
    assert OutboundEmail.objects.get(pk=email.pk).attempts == 2


def test_a_lapsed_lease_frees_the_row_and_its_old_holder_can_no_longer_record_an_outcome():
    email = queued_email()
    assert EMAILS.claim(email.pk, token="msg-1")
    OutboundEmail.objects.filter(pk=email.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert EMAILS.claim(email.pk, token="msg-2")
    assert not EMAILS.finish(email.pk, token="msg-1", status="sent")
    assert EMAILS.finish(email.pk, token="msg-2", status="sent")


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_a_live_workers_lease_beyond_its_length(settings):
    settings.WORK_LEASE_SECONDS = 0.6  # renewed every 0.2 s
    email = queued_email()
    assert EMAILS.claim(email.pk, token="msg-1")
    with EMAILS.heartbeat(email.pk, "msg-1"):
        time.sleep(1.5)  # a slow platform call, longer than two leases
        assert OutboundEmail.objects.get(pk=email.pk).lease_until > timezone.now()
    time.sleep(0.8)  # stopped beating (the work ended, or the worker died): the lease lapses
    assert OutboundEmail.objects.get(pk=email.pk).lease_until < timezone.now()
    assert [row.pk for row in EMAILS.stuck()] == [email.pk]


@pytest.mark.django_db(transaction=True)
def test_a_run_hung_past_the_task_time_limit_stops_renewing_and_is_taken_back(settings):
    # The worker's thread pool kills nothing at the time limit; the heartbeat stops instead.
    settings.WORK_LEASE_SECONDS, settings.CELERY_TASK_TIME_LIMIT = 0.6, 1
    email = queued_email()
    assert EMAILS.claim(email.pk, token="msg-1")
    with EMAILS.heartbeat(email.pk, "msg-1"):
        time.sleep(0.9)
        assert OutboundEmail.objects.get(pk=email.pk).lease_until > timezone.now(), "renewed within the limit"
        time.sleep(1.6)  # hung: past the limit, then past one more lease
        assert OutboundEmail.objects.get(pk=email.pk).lease_until < timezone.now()
        assert EMAILS.claim(email.pk, token="msg-2"), "another worker takes it back"
    assert not EMAILS.finish(email.pk, token="msg-1", status="sent"), "the hung run's outcome is dropped"


def test_retry_delays_double_up_to_their_cap_and_stay_under_the_visibility_timeout(settings):
    settings.WORK_RETRY_BASE_DELAY, settings.WORK_RETRY_MAX_DELAY = 5, 300
    assert [retry_delay(n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]
    settings.CELERY_REDIS_VISIBILITY_TIMEOUT = 400
    assert retry_delay(8) == 100


def test_an_email_is_sent_after_commit_and_stamps_what_it_tells_of(world, django_capture_on_commit_callbacks):
    from onboarding.models import OnboardingOrder
    from tests.onboarding.walk import new_order

    order = new_order(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = email_queue(
            EmailMessage("Confirmed", "Body", "from@x.invalid", ["ops@x.invalid"]),
            kind="onboarding.confirmation",
            stamp=(order, "confirmation_email_sent_at"),
        )
    assert mail.outbox == [] and email.status == "pending"
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == ["Confirmed"]
    email.refresh_from_db()
    assert email.status == "sent" and email.sent_at is not None and email.lease_until is None
    assert OnboardingOrder.objects.get(pk=order.pk).confirmation_email_sent_at == email.sent_at


def test_an_email_whose_retry_message_was_lost_is_sent_by_the_sweeper(settings, django_capture_on_commit_callbacks):
    email = queued_email(next_attempt_at=timezone.now() - timedelta(seconds=settings.WORK_REQUEUE_AFTER + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert EMAILS.sweep() == [(email.pk,)]
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get(pk=email.pk).status == "sent"


def test_an_email_that_never_goes_gives_up_visibly(settings, monkeypatch):
    settings.EMAIL_MAX_ATTEMPTS = 2

    def broken(self, *args, **kwargs):
        raise SMTPServerDisconnected("mail server gone")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    email = queued_email()
    assert email_send(email_id=email.pk).startswith("retrying in 30 s")
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_send(email_id=email.pk).startswith("failed")
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 2) and "Gave up: SMTPServerDisconnected" in email.last_error
    assert email_send(email_id=email.pk).startswith("nothing to do")
    assert EMAILS.stuck().count() == 0, "a failed email is not swept again"


def test_an_email_with_nobody_to_go_to_is_not_kept():
    assert email_queue(EmailMessage("Hello", "Body", "from@x.invalid", []), kind="test") is None
    assert not OutboundEmail.objects.exists()
