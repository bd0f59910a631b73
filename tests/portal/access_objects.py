"""The objects the access matrix points at (tests/portal/test_access_matrix.py): each builds a URL's
arguments from the test world, partner B's object for the expectation, partner A's for a partner
user's own."""

from accounts.choices import Role


def partner_b_pk(world):
    return {"pk": world.partner_b.pk}


def partner_a_pk(world):
    return {"pk": world.partner_a.pk}


def order_b_pk(world):
    return {"pk": world.order_b.pk}


def order_a_pk(world):
    return {"pk": world.order_a.pk}


def order_b_transition(world):
    return {"pk": world.order_b.pk, "name": "confirm"}


def order_a_transition(world):
    return {"pk": world.order_a.pk, "name": "confirm"}


def order_b_account(world):
    return {"pk": world.order_b.pk, "platform": "akixi"}


def order_a_account(world):
    return {"pk": world.order_a.pk, "platform": "akixi"}


def number_b_pk(world):
    return {"pk": world.number_b.pk}


def number_a_pk(world):
    return {"pk": world.number_a.pk}


def group_b_pk(world):
    return {"pk": world.group_b.pk}


def group_a_pk(world):
    return {"pk": world.group_a.pk}


def group_b_change(world):
    return {"pk": world.group_b.pk, "change": "add_numbers"}


def group_a_change(world):
    return {"pk": world.group_a.pk, "change": "add_numbers"}


def group_b_no_such_change(world):
    return {"pk": world.group_b.pk, "change_id": 999999, "act": "retry"}


def upload_b_pk(world):
    return {"pk": world.upload_b.pk}


def upload_a_pk(world):
    return {"pk": world.upload_a.pk}


def port_b_pk(world):
    return {"pk": world.port_b.pk}


def port_a_pk(world):
    return {"pk": world.port_a.pk}


def port_b_transition(world):
    return {"pk": world.port_b.pk, "name": "submit"}


def port_a_transition(world):
    return {"pk": world.port_a.pk, "name": "submit"}


def port_b_document(world):
    return {"pk": world.port_b.pk, "document_pk": world.document_b.pk}


def port_a_document(world):
    return {"pk": world.port_a.pk, "document_pk": world.document_a.pk}


def first_country_pk(world):
    from porting.models import PortingCountry

    return {"pk": PortingCountry.objects.order_by("pk").first().pk}


def first_rule_pk(world):
    from porting.models import LeadTimeRule

    return {"pk": LeadTimeRule.objects.order_by("pk").first().pk}


def a_provider_pk(world):
    from porting.models import Provider

    provider, _ = Provider.objects.get_or_create(name="Matrix Telecom")
    return {"pk": provider.pk}


def first_contact_pk(world):
    from accounts.models import EscalationContact

    return {"pk": EscalationContact.objects.get(level=0).pk}


def escalation_b_pk(world):
    return {"pk": world.escalation_b.pk}


def escalation_a_pk(world):
    return {"pk": world.escalation_a.pk}


def drift_b_pk(world):
    return {"pk": world.drift_b.pk}


def drift_a_pk(world):
    return {"pk": world.drift_a.pk}


def run_pk(world):
    return {"pk": world.run.pk}


def first_policy_pk(world):
    from escalations.models import SlaPolicy

    return {"pk": SlaPolicy.objects.first().pk}


def a_partner_user_pk(world):
    from accounts.models import User

    return {"pk": User.objects.filter(role=Role.PARTNER_USER).order_by("pk").first().pk}


def events_world(world):
    """Events and webhook endpoints (#18) of both partners, with one delivery each."""
    from events.models import Event, WebhookDelivery, WebhookEndpoint

    for name, partner in (("a", world.partner_a), ("b", world.partner_b)):
        event = Event.objects.create(type="port.submitted", partner=partner, object_type="port_request", object_id=1)
        endpoint = WebhookEndpoint.objects.create(
            partner=partner, url="https://hooks.example.com/x", events=["*"], secret_encrypted="not-used"
        )
        setattr(world, f"event_{name}", event)
        setattr(world, f"endpoint_{name}", endpoint)
        setattr(world, f"delivery_{name}", WebhookDelivery.objects.create(endpoint=endpoint, event=event))


def event_b_pk(world):
    return {"pk": world.event_b.pk}


def event_a_pk(world):
    return {"pk": world.event_a.pk}


def endpoint_b_pk(world):
    return {"pk": world.endpoint_b.pk}


def endpoint_a_pk(world):
    return {"pk": world.endpoint_a.pk}


def delivery_b(world):
    return {"pk": world.endpoint_b.pk, "delivery_id": world.delivery_b.pk}
