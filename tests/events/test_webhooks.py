"""Webhooks (#18, API.md): signed deliveries to a partner's endpoints, retried with backoff for 24
hours, never carrying another partner's events, never to a private address outside local settings."""

import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.choices import Role
from events import addresses
from events.choices import DeliveryStatus
from events.delivery import WEBHOOK_DELIVERIES, webhook_deliver
from events.models import Event, WebhookDelivery, WebhookEndpoint
from tests.porting.walk import new_draft, run

pytestmark = pytest.mark.django_db


def register(api, url, events=("*",), **extra):
    answer = api.post("/api/v1/webhook-endpoints/", {"url": url, "events": list(events), **extra}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a partner's receiver does with API.md's scheme."""
    timestamp = headers["X-Expoe-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Expoe-Signature"], f"v1={expected}")


def test_a_delivery_to_a_loopback_receiver_is_signed_as_documented(
    world, api_as, receiver, django_capture_on_commit_callbacks
):
    endpoint = register(api_as(world.user(Role.PARTNER_USER)), receiver.url, events=["port.submitted"])
    assert endpoint["secret"].startswith("whsec_")

    with django_capture_on_commit_callbacks(execute=True):
        port = run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)

    [got] = receiver.received
    assert verify(endpoint["secret"], got.headers, got.body)
    assert not verify(endpoint["secret"] + "x", got.headers, got.body)
    body = json.loads(got.body)
    event = Event.objects.get()
    assert body == {
        "id": event.pk,
        "at": body["at"],
        "type": "port.submitted",
        "partner": "ACME01",
        "object": {"type": "port_request", "id": port.pk},
        "data": body["data"],
    }
    assert got.headers["X-Expoe-Event"] == "port.submitted"
    delivery = WebhookDelivery.objects.get()
    assert got.headers["X-Expoe-Delivery"] == str(delivery.pk)
    assert (delivery.status, delivery.status_code, delivery.attempt) == (DeliveryStatus.SUCCEEDED, 200, 1)


def test_the_secret_is_shown_once_and_kept_encrypted(world, api_as, receiver):
    api = api_as(world.user(Role.PARTNER_USER))
    created = register(api, receiver.url)
    listed = api.get("/api/v1/webhook-endpoints/").json()["results"]
    assert "secret" not in listed[0]
    assert "secret" not in api.get(f"/api/v1/webhook-endpoints/{created['id']}/").json()
    assert created["secret"] not in WebhookEndpoint.objects.get().secret_encrypted


def test_only_chosen_event_types_are_delivered(world, api_as, receiver, django_capture_on_commit_callbacks):
    register(api_as(world.user(Role.PARTNER_USER)), receiver.url, events=["port.accepted"])
    with django_capture_on_commit_callbacks(execute=True):
        port = run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)
        run(world, port, "accept", Role.COORDINATOR)
    assert [r.headers["X-Expoe-Event"] for r in receiver.received] == ["port.accepted"]


def test_a_receiver_answering_500_gets_the_retry_with_backoff(
    world, api_as, receiver, later_attempts, django_capture_on_commit_callbacks
):
    register(api_as(world.user(Role.PARTNER_USER)), receiver.url)
    receiver.answer = 500
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)

        first = WebhookDelivery.objects.get(attempt=1)
        assert (first.status, first.status_code) == (DeliveryStatus.FAILED, 500)
        assert first.error == "The endpoint answered 500."
        second = WebhookDelivery.objects.get(attempt=2)
        assert second.status == DeliveryStatus.PENDING
        assert first.next_attempt_at == second.next_attempt_at == timezone.now() + timedelta(seconds=30)
        assert [countdown for _name, _args, countdown in later_attempts] == [30]

        # Not yet due: the sweeper leaves it to its countdown message.
        assert WEBHOOK_DELIVERIES.sweep() == []
        receiver.answer = 200
        clock.shift(timedelta(seconds=31))
        with django_capture_on_commit_callbacks(execute=True):
            webhook_deliver(delivery_id=second.pk)
    second.refresh_from_db()
    assert (second.status, second.status_code) == (DeliveryStatus.SUCCEEDED, 200)
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body  # the same event, signed again


def test_retries_back_off_and_stop_24_hours_after_the_event(
    world, api_as, receiver, later_attempts, django_capture_on_commit_callbacks
):
    register(api_as(world.user(Role.PARTNER_USER)), receiver.url)
    receiver.answer = 503
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)
        delays = []
        while (pending := WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).first()) is not None:
            delays.append((pending.next_attempt_at - timezone.now()).total_seconds())
            clock.move_to(pending.next_attempt_at)
            with django_capture_on_commit_callbacks(execute=True):
                webhook_deliver(delivery_id=pending.pk)
        event = Event.objects.get()
        assert timezone.now() <= event.at + timedelta(hours=24)
    assert delays[:6] == [30, 60, 120, 240, 480, 900]  # doubling, up to the cap
    last = WebhookDelivery.objects.order_by("attempt").last()
    assert last.status == DeliveryStatus.FAILED and last.next_attempt_at is None
    assert last.next_attempt_at is None and last.at + timedelta(seconds=900) > event.at + timedelta(hours=24)
    assert WebhookDelivery.objects.filter(status_code=503).count() == len(delays) + 1


def test_a_connection_refused_is_logged_and_retried(world, api_as, later_attempts, django_capture_on_commit_callbacks):
    with socket.socket() as spare:  # a port nobody listens on
        spare.bind(("127.0.0.1", 0))
        port_number = spare.getsockname()[1]
    register(api_as(world.user(Role.PARTNER_USER)), f"http://127.0.0.1:{port_number}/hook")
    with django_capture_on_commit_callbacks(execute=True):
        run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)
    first = WebhookDelivery.objects.get(attempt=1)
    assert first.status == DeliveryStatus.FAILED and first.status_code is None
    assert first.error.startswith("Could not connect")
    assert WebhookDelivery.objects.filter(attempt=2, status=DeliveryStatus.PENDING).exists()


def test_partner_a_endpoint_never_receives_partner_b_events(
    world, api_as, receiver, django_capture_on_commit_callbacks
):
    from .receiver import start_receiver

    b_receiver, b_server = start_receiver()
    try:
        register(api_as(world.user(Role.PARTNER_USER)), receiver.url)
        register(api_as(world.user("partner_b_user")), b_receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            a = run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)
            b = run(world, new_draft(world, partner=world.partner_b, signed_loa=True), "submit", "partner_b_user")
            run(world, b, "accept", Role.COORDINATOR)
            run(world, a, "accept", Role.COORDINATOR)
    finally:
        b_server.shutdown()
        b_server.server_close()
    a_bodies = [json.loads(r.body) for r in receiver.received]
    b_bodies = [json.loads(r.body) for r in b_receiver.received]
    assert [(x["partner"], x["object"]["id"]) for x in a_bodies] == [("ACME01", a.pk), ("ACME01", a.pk)]
    assert [(x["partner"], x["object"]["id"]) for x in b_bodies] == [("BETA02", b.pk), ("BETA02", b.pk)]
    assert not WebhookDelivery.objects.exclude(event__partner=world.partner_a).filter(endpoint__partner=world.partner_a)


def test_partner_user_cannot_see_or_redeliver_another_partners_endpoint(world, api_as, receiver):
    created = register(api_as(world.user("partner_b_user")), receiver.url)
    api = api_as(world.user(Role.PARTNER_USER))
    assert api.get(f"/api/v1/webhook-endpoints/{created['id']}/").status_code == 404
    assert api.get(f"/api/v1/webhook-endpoints/{created['id']}/deliveries/").status_code == 404
    assert api.get("/api/v1/webhook-endpoints/").json()["results"] == []
    # Naming another partner when registering reads as unknown.
    answer = api.post(
        "/api/v1/webhook-endpoints/", {"url": receiver.url, "events": ["*"], "partner": "BETA02"}, format="json"
    )
    assert answer.status_code == 400 and "partner" in answer.json()


def test_staff_register_for_a_partner_and_redeliver(world, api_as, receiver, django_capture_on_commit_callbacks):
    api = api_as(world.user(Role.COORDINATOR))
    assert api.post("/api/v1/webhook-endpoints/", {"url": receiver.url, "events": ["*"]}, format="json").json() == {
        "partner": ["This field is required."]
    }
    endpoint = register(api, receiver.url, partner="ACME01")
    with django_capture_on_commit_callbacks(execute=True):
        run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)
    deliveries = api.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/").json()["results"]
    assert [(d["attempt"], d["status_code"]) for d in deliveries] == [(1, 200)]
    assert deliveries[0]["event"]["type"] == "port.submitted"

    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/{deliveries[0]['id']}/redeliver/")
    assert answer.status_code == 201 and answer.json()["attempt"] == 2
    assert len(receiver.received) == 2
    listed = api.get(f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/").json()["results"]
    assert [(d["attempt"], d["status_code"]) for d in listed] == [(2, 200), (1, 200)]

    # Managers and trainers see the endpoints but do not change them.
    refused = api_as(world.user(Role.MANAGER)).post(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries/{deliveries[0]['id']}/redeliver/"
    )
    assert refused.status_code == 403


def test_an_unknown_event_type_is_refused_naming_it(world, api_as, receiver):
    answer = api_as(world.user(Role.PARTNER_USER)).post(
        "/api/v1/webhook-endpoints/", {"url": receiver.url, "events": ["port.exploded"]}, format="json"
    )
    assert answer.status_code == 400 and "events" in answer.json()


@pytest.fixture
def production_rules(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_ALLOW_HTTP = False


def resolving(monkeypatch, table: dict[str, str]):
    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror("not found")
        family = socket.AF_INET6 if ":" in table[host] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (table[host], port))]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://internal.partner.example/hook",
    ],
)
def test_a_private_address_endpoint_is_refused_under_production_settings(
    world, api_as, production_rules, monkeypatch, url
):
    resolving(monkeypatch, {"internal.partner.example": "10.0.0.7"})
    answer = api_as(world.user(Role.PARTNER_USER)).post(
        "/api/v1/webhook-endpoints/", {"url": url, "events": ["*"]}, format="json"
    )
    assert answer.status_code == 400
    assert "private, loopback or link-local" in answer.json()["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_is_refused_under_production_settings(world, api_as, production_rules, monkeypatch):
    resolving(monkeypatch, {"hooks.partner.example": "93.184.216.34"})
    answer = api_as(world.user(Role.PARTNER_USER)).post(
        "/api/v1/webhook-endpoints/", {"url": "http://hooks.partner.example/x", "events": ["*"]}, format="json"
    )
    assert answer.json() == {"url": ["The address must start with https://."]}


def test_a_name_that_later_resolves_to_a_private_address_is_refused_at_delivery(
    world, api_as, receiver, production_rules, monkeypatch, django_capture_on_commit_callbacks
):
    resolving(monkeypatch, {"hooks.partner.example": "93.184.216.34"})
    register(api_as(world.user(Role.PARTNER_USER)), "https://hooks.partner.example/expoe")
    resolving(monkeypatch, {"hooks.partner.example": "127.0.0.1"})  # DNS rebinding
    with django_capture_on_commit_callbacks(execute=True):
        run(world, new_draft(world, signed_loa=True), "submit", Role.PARTNER_USER)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.status_code is None
    assert "private, loopback or link-local" in delivery.error
    assert delivery.next_attempt_at is None  # refused for good, not retried
    assert receiver.received == []


def test_delivery_connects_to_the_checked_address_naming_the_host(production_rules, monkeypatch):
    resolving(monkeypatch, {"hooks.partner.example": "93.184.216.34"})
    target = addresses.pinned("https://hooks.partner.example:8443/in?x=1")
    assert target.url == "https://93.184.216.34:8443/in?x=1"
    assert target.host == "hooks.partner.example:8443"
    assert target.extensions == {"sni_hostname": "hooks.partner.example"}
