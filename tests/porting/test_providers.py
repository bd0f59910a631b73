"""Losing providers and range holders come from a list managers keep, with "other" typed
(issue #16, item 8): requests name a listed provider as the list spells it, the dashboard groups
by provider, the API still reads and writes the names as strings."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditEvent
from porting import services
from porting.dashboard import port_dashboard
from porting.forms import OTHER, PortRequestForm
from porting.models import PortRequest, Provider
from porting.providers import providers_load

from .walk import complete_data, new_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def listed(db):
    providers_load()


def test_a_request_names_a_listed_provider_as_the_list_spells_it_and_keeps_any_other_as_typed(world):
    listed = new_draft(world, losing_provider=" virgin media ", range_holder="bt wholesale")
    assert (listed.losing_provider, listed.losing_provider_listed.name) == ("Virgin Media", "Virgin Media")
    assert (listed.range_holder, listed.range_holder_listed.name) == ("BT Wholesale", "BT Wholesale")
    other = new_draft(world, losing_provider="Hull Phones Ltd")
    assert (other.losing_provider, other.losing_provider_listed) == ("Hull Phones Ltd", None)


def test_the_migration_matches_typed_names_ignoring_case_and_keeps_the_rest_as_other(world):
    typed = new_draft(world, losing_provider="Sky")
    PortRequest.objects.filter(pk=typed.pk).update(losing_provider="  sKY ", losing_provider_listed=None)
    odd = new_draft(world, losing_provider="Skye Telecom")
    migration = importlib.import_module("porting.migrations.0011_providers_seeded")
    migration.seed_and_match(apps, None)
    typed.refresh_from_db()
    odd.refresh_from_db()
    assert (typed.losing_provider, typed.losing_provider_listed.name) == ("Sky", "Sky")
    assert (odd.losing_provider, odd.losing_provider_listed) == ("Skye Telecom", None)
    assert {"BT", "Virgin Media", "TalkTalk", "Sky", "Vodafone", "Gamma", "Colt"} <= set(
        Provider.objects.values_list("name", flat=True)
    )


def test_the_form_chooses_from_the_list_or_types_another(world):
    user = world.user(Role.PARTNER_USER)
    base = {"country": "GB", "numbers": "0113 496 0700"}
    form = PortRequestForm(
        {**base, "losing_provider": "TalkTalk", "range_holder": OTHER, "range_holder_other": "X"}, user=user
    )
    assert form.is_valid(), form.errors
    assert form.service_data()["losing_provider"] == "TalkTalk" and form.service_data()["range_holder"] == "X"
    assert "Colt" in dict(form.fields["losing_provider"].widget.choices)
    renamed_meanwhile = PortRequestForm({**base, "losing_provider": "Gone Telecom"}, user=user)
    assert renamed_meanwhile.is_valid() and renamed_meanwhile.service_data()["losing_provider"] == "Gone Telecom"
    missing = PortRequestForm({**base, "losing_provider": OTHER}, user=user)
    assert not missing.is_valid() and "losing_provider_other" in missing.errors


def test_the_edit_form_shows_a_listed_provider_chosen_and_another_as_other(world):
    from porting.forms import initial_for

    assert initial_for(new_draft(world, losing_provider="gamma"))["losing_provider"] == "Gamma"
    other = initial_for(new_draft(world, losing_provider="Hull Phones Ltd"))
    assert (other["losing_provider"], other["losing_provider_other"]) == (OTHER, "Hull Phones Ltd")


def test_managers_keep_the_list_add_rename_and_take_off_audited(client, world):
    draft = new_draft(world, losing_provider="BT")
    client.force_login(world.user(Role.COORDINATOR))
    assert client.get(reverse("porting:providers")).status_code == 403
    client.force_login(world.user(Role.MANAGER))
    page = client.get(reverse("porting:providers")).content.decode()
    assert "Virgin Media" in page and "1 request" in page
    assert client.post(reverse("porting:providers"), {"add-name": "Hull Phones"}).status_code == 302
    again = client.post(reverse("porting:providers"), {"add-name": "hull phones"}).content.decode()
    assert "is already on the list" in again
    bt = Provider.objects.get(name="BT")
    response = client.post(reverse("porting:provider_edit", args=[bt.pk]), {"name": "BT Openreach", "active": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.losing_provider == "BT Openreach", "a request follows its provider's new name"
    form = PortRequestForm(user=world.user(Role.PARTNER_USER))
    assert "BT Openreach" not in dict(form.fields["losing_provider"].widget.choices), "taken off the form's list"
    actions = list(AuditEvent.objects.filter(target_type="porting.provider").values_list("action", flat=True))
    assert sorted(actions) == ["provider.created", "provider.updated"]


def test_the_dashboard_groups_by_provider_whatever_the_spelling(world):
    for spelling in ("BT", "bt", " Bt "):
        new_draft(world, losing_provider=spelling)
    rows = port_dashboard(PortRequest.objects.all())["by_losing_provider"]
    assert [(row["losing_provider"], row["total"]) for row in rows] == [("BT", 3)]


def test_the_api_reads_and_writes_the_names_as_strings(world, api_as):
    api = api_as(world.user(Role.PARTNER_USER))
    data = {**complete_data(losing_provider="talktalk", range_holder="Someone Else")}
    response = api.post("/api/v1/port-requests/", data, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["losing_provider"], response.data["range_holder"]) == ("TalkTalk", "Someone Else")
    port_request = PortRequest.objects.get(pk=response.data["id"])
    assert port_request.losing_provider_listed.name == "TalkTalk" and port_request.range_holder_listed is None


def test_services_keep_the_request_editable_fields_binding():
    assert {"losing_provider", "range_holder"} <= set(services.EDITABLE_FIELDS)
