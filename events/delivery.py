"""Webhook deliveries: a durable work queue (expoe_portal.work), one row per attempt.

An event's deliveries are queued in the transaction that records the event, and sent after it
commits. Each attempt is signed (API.md): `X-Expoe-Signature: v1=<hex HMAC-SHA256 of
"<timestamp>.<body>">` with the endpoint's secret. A 2xx answer delivers it; any other answer, a
timeout or a connection error is logged on the attempt with its code and queues the next attempt,
backing off exponentially, until WEBHOOK_RETRY_FOR after the event. Redelivering queues one more
attempt. A worker that dies mid-send is replaced by the sweeper (at least once: receivers dedupe on
the event's id)."""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import NamedTuple

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from expoe_portal import vault
from expoe_portal.work import WORKER_STOPPED_EACH_TIME, WorkQueue, new_token, retry_delay

from .addresses import AddressRefused, pinned
from .choices import DeliveryStatus
from .models import Event, WebhookDelivery, WebhookEndpoint

WEBHOOK_DELIVERIES = WorkQueue(
    name="webhook deliveries",
    model=WebhookDelivery,
    task="events.tasks.deliver_webhook",
    runnable=Q(status=DeliveryStatus.PENDING),
)
# Times one attempt may be taken by a worker that then died before it gives up as failed.
MAX_CLAIMS = 3


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """API.md's signature header value for `body` sent at `timestamp` (Unix seconds, as sent)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def body_of(event: Event) -> bytes:
    return json.dumps(event.as_payload(), separators=(",", ":"), sort_keys=True).encode()


def delivery_queue(
    *, endpoint: WebhookEndpoint, event: Event, attempt: int = 1, delay: int = 0, by: object = None
) -> WebhookDelivery:
    """Queue one attempt, sent after the current transaction commits (in `delay` seconds)."""
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=event,
        attempt=attempt,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        redelivered_by=by,
    )
    WEBHOOK_DELIVERIES.wake(delivery.pk, countdown=delay)
    return delivery


class Answer(NamedTuple):
    status_code: int | None
    error: str
    retry: bool = True

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _send(delivery: WebhookDelivery) -> Answer:
    endpoint, event = delivery.endpoint, delivery.event
    body = body_of(event)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "EXPO.e-portal-webhooks/1",
        "X-Expoe-Event": event.type,
        "X-Expoe-Delivery": str(delivery.pk),
        "X-Expoe-Timestamp": timestamp,
        "X-Expoe-Signature": signature(vault.decrypt(endpoint.secret_encrypted), timestamp, body),
    }
    try:
        target = pinned(endpoint.url)
        with httpx.Client(timeout=settings.WEBHOOK_TIMEOUT, follow_redirects=False, trust_env=False) as client:
            response = client.post(
                target.url, content=body, headers={**headers, "Host": target.host}, extensions=target.extensions
            )
    except AddressRefused as exc:
        return Answer(None, str(exc), retry=False)
    except httpx.TimeoutException:
        return Answer(None, f"No answer within {settings.WEBHOOK_TIMEOUT:g} s.")
    except httpx.HTTPError as exc:
        return Answer(None, f"Could not connect: {type(exc).__name__}: {exc}")
    code = response.status_code
    return Answer(code, "" if 200 <= code < 300 else f"The endpoint answered {code}.")


def webhook_deliver(*, delivery_id: int, delivery: str = "") -> str:
    """Make one attempt; record its answer, and queue the next attempt when it failed."""
    token = new_token(delivery)
    if not WEBHOOK_DELIVERIES.claim(delivery_id, token=token):
        return "nothing to do: sent, failed, or another worker has it"
    row = WebhookDelivery.objects.select_related("endpoint", "event__partner").get(pk=delivery_id)
    if row.event.partner_id != row.endpoint.partner_id:  # never another partner's events (defence in depth)
        answer = Answer(None, "Not this endpoint's partner's event.", retry=False)
    elif not row.endpoint.active:
        answer = Answer(None, "The endpoint was switched off.", retry=False)
    elif row.attempts > MAX_CLAIMS:
        answer = Answer(None, f"Gave up: {WORKER_STOPPED_EACH_TIME}")
    else:
        with WEBHOOK_DELIVERIES.heartbeat(delivery_id, token):
            answer = _send(row)
    return _record(row, answer, token)


def _record(row: WebhookDelivery, answer: Answer, token: str) -> str:
    now = timezone.now()
    outcome = {"status_code": answer.status_code, "error": answer.error, "at": now}
    with transaction.atomic():
        if answer.delivered:
            WEBHOOK_DELIVERIES.finish(
                row.pk, token=token, status=DeliveryStatus.SUCCEEDED, next_attempt_at=None, **outcome
            )
            return f"delivered: {answer.status_code}"
        delay = retry_delay(row.attempt, base=settings.WEBHOOK_RETRY_BASE_DELAY, cap=settings.WEBHOOK_RETRY_MAX_DELAY)
        next_at = now + timedelta(seconds=delay)
        # A redelivery is one attempt a person asked for; an event's own deliveries keep trying.
        retry = answer.retry and row.redelivered_by_id is None
        retry = retry and next_at <= row.event.at + timedelta(seconds=settings.WEBHOOK_RETRY_FOR)
        retry = retry and row.attempt < settings.WEBHOOK_MAX_ATTEMPTS
        finished = WEBHOOK_DELIVERIES.finish(
            row.pk, token=token, status=DeliveryStatus.FAILED, next_attempt_at=next_at if retry else None, **outcome
        )
        if finished and retry:
            delivery_queue(endpoint=row.endpoint, event=row.event, attempt=row.attempt + 1, delay=delay)
            return f"failed, retrying in {delay} s: {answer.error}"
    return f"failed: {answer.error}"
