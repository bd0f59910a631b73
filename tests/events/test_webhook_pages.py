"""The webhooks page (#18): add an endpoint and see its secret once; its deliveries with their
codes; redeliver."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from events.models import WebhookDelivery, WebhookEndpoint
from tests.porting.walk import new_draft, run

pytestmark = pytest.mark.django_db


def test_a_partner_user_adds_an_endpoint_and_sees_its_secret_once(client, world, receiver):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.post(reverse("events:webhooks"), {"url": receiver.url, "events": ["port.accepted", "port.rejected"]})
    assert page.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.partner == world.partner_a and endpoint.events == ["port.accepted", "port.rejected"]
    secret = page.context["secret"]
    assert secret.startswith("whsec_") and secret in page.content.decode()
    again = client.get(reverse("events:webhooks")).content.decode()
    assert secret not in again and receiver.url in again


def test_a_bad_address_is_refused_beside_the_field(client, world, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.post(reverse("events:webhooks"), {"url": "http://hooks.example.com/x", "events": ["*"]})
    assert page.context["form"].errors == {"url": ["The address must start with https://."]}
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_show_their_codes_and_can_be_redelivered(
    client, world, receiver, later_attempts, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.PARTNER_USER))
    client.post(reverse("events:webhooks"), {"url": receiver.url, "events": ["*"]})
    endpoint = WebhookEndpoint.objects.get()
    receiver.answer = 410
    with django_capture_on_commit_callbacks(execute=True):
        run(world, new_draft(world, signed_loa=True), "cancel", Role.COORDINATOR, reason="Duplicate")
    page = client.get(reverse("events:webhook_endpoint", args=[endpoint.pk])).content.decode()
    assert "port.cancelled" in page and "410" in page

    receiver.answer = 204
    first = WebhookDelivery.objects.get(attempt=1)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("events:webhook_redeliver", args=[endpoint.pk, first.pk]))
    assert answer.status_code == 302
    assert WebhookDelivery.objects.filter(status_code=204, redelivered_by=world.user(Role.PARTNER_USER)).exists()


def test_another_partners_endpoint_is_404(client, world, receiver):
    client.force_login(world.user("partner_b_user"))
    client.post(reverse("events:webhooks"), {"url": receiver.url, "events": ["*"]})
    endpoint = WebhookEndpoint.objects.get()
    client.force_login(world.user(Role.PARTNER_USER))
    assert client.get(reverse("events:webhook_endpoint", args=[endpoint.pk])).status_code == 404
    assert receiver.url not in client.get(reverse("events:webhooks")).content.decode()
