"""Every state change of an onboarding order, a build or a port becomes an Event, from one place.

Each of those state machines changes state only through django-fsm transitions (expoe_portal.
transitions.logged_transition), so listening to django-fsm's `post_transition` hears them all,
including transitions added later, with no edit to the services that run them. The transition only
changes the object in memory: the event is written when the object is saved (`post_save`), in the
saving transaction, so a change that is never saved, or is rolled back, leaves no event, and a saved
one always has its event. Partners' webhooks are queued in that same transaction (events.delivery).

No domain app is imported: the objects are known by their model label, and each event's partner
is found through the model's PARTNER_SCOPE, as scoping finds it.
"""

from datetime import date
from typing import Any, NamedTuple

from django.apps import apps
from django.db.models import Model
from django.db.models.signals import post_save
from django_fsm.signals import post_transition

PENDING = "_events_pending"


class Source(NamedTuple):
    noun: str  # the event type's first part
    object_type: str  # what `object.type` says
    fields: dict[str, str]  # the object's fields `data` carries besides the change: attribute -> key


# Only what the partner already sees of the object through the API; never a note (it may be internal).
SOURCES: dict[str, Source] = {
    "onboarding.onboardingorder": Source("onboarding", "onboarding_order", {}),
    "customers.servicebuild": Source("build", "build", {"group_id": "customer_group", "kind": "kind"}),
    "porting.portrequest": Source("port", "port_request", {"port_date": "port_date", "accepted_on": "accepted_on"}),
}


def event_type(source: Source, target: str) -> str:
    if source.noun == "onboarding":
        return "onboarding.stage_changed"  # API.md: one type, the stages in `data`
    if target == "draft":
        return f"{source.noun}.returned_to_draft"  # P7: cancelled by the losing provider, to submit again
    return f"{source.noun}.{target}"


def _heard_transition(sender: Any, instance: Model, name: str, source: Any, target: Any, **kwargs: Any) -> None:
    if kwargs.get("exception") is not None or instance._meta.label_lower not in SOURCES:
        return
    pending = instance.__dict__.setdefault(PENDING, [])
    pending.append({"transition": name, "from": str(source), "to": str(target)})


def _saved(sender: Any, instance: Model, **kwargs: Any) -> None:
    pending = instance.__dict__.pop(PENDING, None)
    if not pending:
        return
    from .services import event_record

    source = SOURCES[instance._meta.label_lower]
    fields = {key: _plain(getattr(instance, attribute, None)) for attribute, key in source.fields.items()}
    for change in pending:
        event_record(
            instance=instance,
            type=event_type(source, change["to"]),
            object_type=source.object_type,
            data={**change, **fields},
        )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def connect() -> None:
    post_transition.connect(_heard_transition, dispatch_uid="events.transition")
    for label in SOURCES:
        post_save.connect(_saved, sender=apps.get_model(label), dispatch_uid=f"events.saved.{label}")
