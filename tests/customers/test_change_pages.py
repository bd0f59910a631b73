"""The pages and the API of the changes to a built customer beyond its numbers (#15): what each
person is offered, passwords shown once and kept out of pages, decommissioning confirmed by typing
the group ID, and the API answering with the same checks and messages as the pages."""

import re

import pytest
from django.urls import reverse

from accounts.choices import Role
from customers.models import GroupAdmin, ServiceBuild

pytestmark = pytest.mark.django_db


def change_url(group, kind):
    return reverse("customers:group_change", args=[group.pk, kind])


def offered(client, group) -> list[str]:
    return re.findall(r'data-testid="start-([a-z_]+)"', client.get(group.get_absolute_url()).content.decode())


def test_page_staff_are_offered_every_change_and_partners_all_but_decommissioning(client, world, built):
    client.force_login(world.user(Role.COORDINATOR))
    staff = offered(client, built)
    assert staff[-1] == "decommission" and {"add_admin", "akixi_sync", "callcabinet_admin"} <= set(staff)
    client.force_login(world.user(Role.PARTNER_USER))
    assert offered(client, built) == staff[:-1]
    assert client.get(change_url(built, "decommission")).status_code == 403
    client.force_login(world.user(Role.TRAINER))
    assert offered(client, built) == [] and client.get(change_url(built, "add_admin")).status_code == 403


def test_A2_page_a_typed_password_never_reaches_the_page_and_a_generated_one_is_shown_once(
    client, world, built, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.PARTNER_USER))
    url = change_url(built, "add_admin")
    typed = {"first_name": "Grace", "last_name": "Hopper", "password": "Typed-secret-2026"}
    preview = client.post(url, typed).content.decode()
    assert "Add the group administrator" in preview and "Typed-secret-2026" not in preview
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"first_name": "Grace", "last_name": "Hopper", "confirm": "1"})
    assert done.status_code == 302, "a typed password: nothing to show"
    assert GroupAdmin.objects.get(user_id="grace.hopper@hostedcomm.com").password_generated is False

    client.post(url, {"first_name": "Alan", "last_name": "Turing"})
    with django_capture_on_commit_callbacks(execute=True):
        shown = client.post(url, {"first_name": "Alan", "last_name": "Turing", "confirm": "1"})
    page = shown.content.decode()
    (password,) = re.findall(r'data-testid="password">([^<]+)<', page)
    assert "alan.turing@hostedcomm.com" in page and shown["Cache-Control"].startswith("max-age=0")
    assert password not in client.get(built.get_absolute_url()).content.decode()


def test_V2_page_a_bad_value_is_refused_beside_its_field_with_the_rules_message(client, world, built):
    client.force_login(world.user(Role.COORDINATOR))
    page = client.post(
        change_url(built, "voice_portal"), {"number": "", "extension": "8001", "external_dial_in": "on"}
    ).content.decode()
    assert (
        "needs a voice portal number." in page
        and 'aria-label="About the rule: V2"' in page
        and 'data-testid="change-plan"' not in page
    )


def test_page_decommissioning_asks_for_the_group_id_then_shows_every_removal_and_ends_the_customer(
    client, world, built, platforms, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    url = change_url(built, "decommission")
    wrong = client.post(url, {"confirm_group_id": "Alpha"}).content.decode()
    assert "Type the group ID, AlphaWidgets, exactly, to confirm." in wrong
    preview = client.post(url, {"confirm_group_id": "AlphaWidgets"}).content.decode()
    operations = re.findall(r"<strong>([^<]+)</strong>", preview.split('data-testid="change-plan"')[1])
    assert operations == [
        "Delete the customer",
        "Delete the reporting users",
        "Delete the partition",
        "Delete the group administrators",
        "Turn the voice portal off",
        "Take every number off the group",
        "Delete the group",
    ]
    assert not ServiceBuild.objects.filter(kind="change").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm_group_id": "AlphaWidgets", "confirm": "1"})
    page = client.get(built.get_absolute_url()).content.decode()
    assert 'data-testid="decommissioned"' in page and offered(client, built) == []


# -- the API ------------------------------------------------------------------------------------------
def changes_url(group):
    return f"/api/v1/customer-groups/{group.pk}/changes/"


def test_A2_api_a_generated_password_is_in_the_response_that_made_it_only(
    api_as, world, built, django_capture_on_commit_callbacks
):
    client = api_as(world.user(Role.PARTNER_USER))
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(
            changes_url(built), {"change": "add_admin", "first_name": "Grace", "last_name": "Hopper"}, format="json"
        )
    assert made.status_code == 201, made.content
    body = made.json()
    assert set(body["generated_passwords"]) == {"grace.hopper@hostedcomm.com"}
    assert body["details"]["admin"]["user_id"] == "grace.hopper@hostedcomm.com"
    listed = client.get(changes_url(built)).content.decode()
    assert body["generated_passwords"]["grace.hopper@hostedcomm.com"] not in listed
    assert "generated_passwords" not in listed


def test_B1_api_answers_with_the_pages_checks_field_by_field(api_as, world, built):
    client = api_as(world.user(Role.PARTNER_USER))
    bad = client.post(changes_url(built), {"change": "business_profile", "number": "+442079460009"}, format="json")
    assert bad.status_code == 400 and "number" in bad.json()
    unknown = client.post(changes_url(built), {"change": "rename"}, format="json")
    assert unknown.status_code == 400 and "change" in unknown.json()
    sync = client.post(changes_url(built), {"change": "akixi_sync"}, format="json")
    assert sync.status_code == 201 and sync.json()["steps"][0]["name"] == "akixi_resync"


def test_api_decommissioning_is_staff_only(api_as, world, built):
    partner = api_as(world.user(Role.PARTNER_USER))
    body = {"change": "decommission", "confirm_group_id": "AlphaWidgets"}
    assert partner.post(changes_url(built), body, format="json").status_code == 403
    staff = api_as(world.user(Role.COORDINATOR))
    mistyped = staff.post(changes_url(built), {**body, "confirm_group_id": "alphawidgets"}, format="json")
    assert mistyped.status_code == 400 and mistyped.json() == {
        "confirm_group_id": ["Type the group ID, AlphaWidgets, exactly, to confirm."]
    }
