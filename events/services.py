"""Use cases of events and webhooks: recording an event, registering endpoints, redelivering."""

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Model

from accounts.choices import PLATFORM_OPERATORS
from accounts.models import User
from accounts.services import audit_record, partner_id_of
from expoe_portal import vault
from partners.models import Partner

from .addresses import url_problem
from .choices import ALL_EVENTS, EVENT_TYPES
from .delivery import delivery_queue
from .models import Event, WebhookDelivery, WebhookEndpoint

ENDPOINT_FIELDS = ("url", "events", "active")


def event_record(*, instance: Model, type: str, object_type: str, data: dict[str, Any]) -> Event | None:
    """Write the event of a change to `instance` in the caller's transaction (events.recording),
    and queue its delivery to each of the partner's active endpoints that asked for its type."""
    partner_id = partner_id_of(instance)
    if partner_id is None:
        return None
    event = Event.objects.create(
        type=type, partner_id=partner_id, object_type=object_type, object_id=instance.pk, data=data
    )
    for endpoint in WebhookEndpoint.objects.filter(partner_id=partner_id, active=True):
        if endpoint.wants(type):
            delivery_queue(endpoint=endpoint, event=event)
    return event


def may_manage_endpoints(user: User, partner_id: int) -> bool:
    """A partner's own users, and the provisioning team on its behalf."""
    if user.is_partner_user:
        return user.partner_id == partner_id
    return user.role in PLATFORM_OPERATORS


def _check(*, url: str, events: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        problem = "Enter the whole address, such as https://hooks.example.com/expoe."
    else:
        problem = url_problem(url)
    if problem:
        errors["url"] = [problem]
    unknown = [name for name in events if name != ALL_EVENTS and name not in EVENT_TYPES]
    if not events:
        errors["events"] = ["Choose at least one event type, or * for all of them."]
    elif unknown:
        errors["events"] = [f"Unknown event type: {', '.join(unknown)}. Known: {', '.join(EVENT_TYPES)}, or *."]
    if errors:
        raise ValidationError(errors)


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def webhook_endpoint_create(
    *, by: User, partner: Partner, url: str, events: list[str], active: bool = True
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret, which is shown this once."""
    if not may_manage_endpoints(by, partner.pk):
        raise PermissionDenied("Only the partner's own users and the provisioning team can add webhook endpoints.")
    events = list(dict.fromkeys(events))
    _check(url=url, events=events)
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            partner=partner,
            url=url,
            events=events,
            active=active,
            secret_encrypted=vault.encrypt(secret),
            created_by=by,
        )
        audit_record(
            actor=by, action="webhook_endpoint.created", target=endpoint, changes={"url": url, "events": events}
        )
    return endpoint, secret


def webhook_endpoint_update(*, by: User, endpoint: WebhookEndpoint, **fields: Any) -> WebhookEndpoint:
    if not may_manage_endpoints(by, endpoint.partner_id):
        raise PermissionDenied("Only the partner's own users and the provisioning team can change webhook endpoints.")
    changes = {
        name: [getattr(endpoint, name), value]
        for name, value in fields.items()
        if name in ENDPOINT_FIELDS and getattr(endpoint, name) != value
    }
    if "events" in fields:
        fields["events"] = list(dict.fromkeys(fields["events"]))
    _check(url=fields.get("url", endpoint.url), events=fields.get("events", endpoint.events))
    with transaction.atomic():
        for name in ENDPOINT_FIELDS:
            if name in fields:
                setattr(endpoint, name, fields[name])
        endpoint.save(update_fields=[name for name in ENDPOINT_FIELDS if name in fields] or None)
        if changes:
            audit_record(actor=by, action="webhook_endpoint.updated", target=endpoint, changes=changes)
    return endpoint


def webhook_endpoint_delete(*, by: User, endpoint: WebhookEndpoint) -> None:
    if not may_manage_endpoints(by, endpoint.partner_id):
        raise PermissionDenied("Only the partner's own users and the provisioning team can remove webhook endpoints.")
    with transaction.atomic():
        audit_record(actor=by, action="webhook_endpoint.deleted", target=endpoint, changes={"url": endpoint.url})
        endpoint.delete()


def webhook_redeliver(*, by: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """One more attempt at delivering the event of `delivery` to its endpoint, now."""
    endpoint = delivery.endpoint
    if not may_manage_endpoints(by, endpoint.partner_id):
        raise PermissionDenied("Only the partner's own users and the provisioning team can redeliver events.")
    with transaction.atomic():
        last = (
            WebhookDelivery.objects.filter(endpoint=endpoint, event_id=delivery.event_id).order_by("-attempt").first()
        )
        attempt = (last.attempt if last else delivery.attempt) + 1
        again = delivery_queue(endpoint=endpoint, event=delivery.event, attempt=attempt, by=by)
        audit_record(actor=by, action="webhook_delivery.redelivered", target=again)
    return again
