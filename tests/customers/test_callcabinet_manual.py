"""Call Cabinet in manual mode (C2-C5): the build's Call Cabinet step waits, shows the co-ordinator
exactly what to type (with the C2 warning), and completes when they confirm the customer reference."""

import pytest

from accounts.choices import Role
from accounts.models import AuditEvent
from customers import build_steps, builds
from customers.models import BuildStep, ServiceBuild
from customers.services import customer_group_create
from integrations.callcabinet.client import CallCabinetManualGateway, callcabinet_gateway
from integrations.platforms import Platforms

from .build_request_data import stock_pool, valid_request
from .fake_platforms import fake_platforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def platforms(monkeypatch, settings):
    settings.CALLCABINET_MODE = "manual"
    fake = fake_platforms()
    # BroadWorks and Akixi in memory; Call Cabinet is the real manual gateway, built per step as in
    # production, so it reads what the co-ordinator confirmed from the database.
    monkeypatch.setattr(
        build_steps, "get_platforms", lambda: Platforms(fake.broadworks, fake.akixi, callcabinet_gateway())
    )
    return fake


@pytest.fixture
def waiting_build(world, platforms, django_capture_on_commit_callbacks):
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.PARTNER_USER), partner=world.partner_a, data=valid_request())
    with django_capture_on_commit_callbacks(execute=True):
        build, _ = builds.build_start(by=world.user(Role.PARTNER_USER), group=group)
    build.refresh_from_db()
    return build


def test_the_manual_mode_gateway_is_chosen_by_settings(settings):
    settings.CALLCABINET_MODE = "manual"
    assert isinstance(callcabinet_gateway(), CallCabinetManualGateway)


def test_C2_in_manual_mode_the_step_waits_for_a_person_and_the_build_does_not_fail(waiting_build):
    step = waiting_build.steps.get(name="callcabinet_customer")
    assert waiting_build.status == "running"
    assert step.status == "waiting" and "by hand" in step.last_error
    assert (
        list(waiting_build.steps.exclude(name="callcabinet_customer").values_list("status", flat=True)) == ["done"] * 9
    )
    assert builds.build_run_next_step(build_id=waiting_build.pk) == "callcabinet_customer is waiting for a person"


def test_C2_C5_the_coordinator_sees_exactly_what_to_type_with_the_C2_warning(world, client, waiting_build):
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(waiting_build.group.get_absolute_url()).content.decode()
    assert 'data-testid="callcabinet-manual"' in page
    assert "Add New Essential Customer" in page and "never “Add New Customer”" in page and "breaks billing" in page
    for line in ("Dealer Code: AlphaWidgets", "Billing Code: AlphaWidgets", "BroadWorks Group ID: AlphaWidgets"):
        assert line in page
    assert "Provider ID: ACME01" in page and "ada@alpha.invalid" in page
    assert 'name="reference"' in page
    assert "hx-trigger" not in page, "the page stops polling so the form is not replaced while typing"


def test_the_partner_sees_that_expoe_is_doing_it_but_no_instructions_or_form(world, client, waiting_build):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(waiting_build.group.get_absolute_url()).content.decode()
    assert 'data-testid="callcabinet-waiting"' in page
    assert "Dealer Code" not in page and 'name="reference"' not in page


def test_confirming_the_reference_completes_the_step_and_the_build(
    world, client, waiting_build, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.COORDINATOR))
    url = f"/customers/{waiting_build.group.pk}/build/callcabinet/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reference": "  CC-778812 "}, follow=True)
    assert "Call Cabinet customer confirmed" in response.content.decode()
    waiting_build.refresh_from_db()
    step = waiting_build.steps.get(name="callcabinet_customer")
    assert waiting_build.status == "succeeded"
    assert (step.status, step.external_reference) == ("done", "CC-778812")
    assert waiting_build.group.__class__.objects.get(pk=waiting_build.group.pk).callcabinet_reference == "CC-778812"
    event = AuditEvent.objects.get(action="build.callcabinet_confirmed")
    assert event.actor == world.user(Role.COORDINATOR) and event.changes == {"callcabinet_reference": "CC-778812"}


def test_an_empty_reference_is_refused_with_a_message_and_the_step_keeps_waiting(world, client, waiting_build):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(f"/customers/{waiting_build.group.pk}/build/callcabinet/", {"reference": " "}, follow=True)
    assert "Enter the customer reference Call Cabinet showed." in response.content.decode()
    assert BuildStep.objects.get(build=waiting_build, name="callcabinet_customer").status == "waiting"


@pytest.mark.parametrize("role", [Role.PARTNER_USER, Role.TRAINER, Role.MANAGER])
def test_only_coordinators_and_administrators_confirm(world, client, waiting_build, role):
    client.force_login(world.user(role))
    response = client.post(f"/customers/{waiting_build.group.pk}/build/callcabinet/", {"reference": "CC-1"})
    assert response.status_code == 403
    assert BuildStep.objects.get(build=waiting_build, name="callcabinet_customer").status == "waiting"


def test_the_api_confirms_and_the_build_finishes(world, api_as, waiting_build, django_capture_on_commit_callbacks):
    api = api_as(world.user(Role.PROVISIONING_ADMIN))
    url = f"/api/v1/customer-groups/{waiting_build.group.pk}/callcabinet-confirmation/"
    assert api.post(url, {}, format="json").json() == {"reference": ["This field is required."]}
    with django_capture_on_commit_callbacks(execute=True):
        body = api.post(url, {"reference": "CC-42"}, format="json").json()
    # The answer is written before the step runs again (after commit): the step is queued.
    assert body["build"]["steps"][-1]["status"] == "pending"
    build = api.get(f"/api/v1/customer-groups/{waiting_build.group.pk}/").json()["build"]
    assert build["status"] == "succeeded"
    assert build["steps"][-1] == {"name": "callcabinet_customer", "status": "done", "attempts": 2, "error": ""}
    again = api.post(url, {"reference": "CC-43"}, format="json")
    assert again.status_code == 409 and "not waiting" in again.json()["detail"]
    assert api_as(world.user("partner_b_user")).post(url, {"reference": "CC-9"}, format="json").status_code == 404


def test_a_waiting_build_can_be_cancelled(world, waiting_build):
    builds.build_cancel(by=world.user(Role.COORDINATOR), build=waiting_build)
    assert ServiceBuild.objects.get(pk=waiting_build.pk).status == "cancelled"


def test_the_customer_list_finds_builds_waiting_for_a_coordinator_and_failed_ones(world, client, waiting_build):
    from customers.models import CustomerGroup

    client.force_login(world.user(Role.COORDINATOR))

    def shown(**params):
        response = client.get("/customers/", params)
        return [row.record.group_id for row in response.context["table"].paginated_rows], response

    assert shown(build="waiting")[0] == ["AlphaWidgets"]
    names, response = shown()
    assert "Waiting for a co-ordinator" in response.content.decode()
    assert shown(build="failed")[0] == []
    ServiceBuild.objects.filter(pk=waiting_build.pk).update(status="failed")
    BuildStep.objects.filter(build=waiting_build).update(status="failed")
    assert shown(build="failed")[0] == ["AlphaWidgets"]
    assert shown(build="not_started")[0] == []
    numbers = ["+442079460003", "+442079460004", "+442079460005"]
    customer_group_create(
        by=world.user(Role.PARTNER_USER),
        partner=world.partner_a,
        data=valid_request(
            group_id="GammaGoods",
            name="Gamma Goods Ltd",
            numbers=numbers,
            business_profile_number=numbers[0],
            voice_portal__number=numbers[1],
            admins=[{"first_name": "Grace", "last_name": "Hopper", "user_id": "", "password": ""}],
            akixi__users=[{"username": "gamma.reports", "full_name": "Grace Hopper", "email": "g@gamma.invalid"}],
        ),
    )
    assert shown(build="not_started")[0] == ["GammaGoods"]
    assert CustomerGroup.objects.count() == 2


def test_the_home_page_counts_builds_needing_a_person_and_links_to_them(world, client, waiting_build):
    def counts():
        lists = {work.key: work for work in client.get("/").context["lists"]}
        failed, waiting = lists["builds-failed"], lists["builds-waiting"]
        assert (failed.link, waiting.link) == ("/customers/?build=failed", "/customers/?build=waiting")
        return failed.count, waiting.count

    client.force_login(world.user(Role.COORDINATOR))
    assert counts() == (0, 1)
    ServiceBuild.objects.filter(pk=waiting_build.pk).update(status="failed")
    BuildStep.objects.filter(build=waiting_build).update(status="failed")
    assert counts() == (1, 0)


def test_the_api_filters_customer_groups_by_partner_group_id_and_build(world, api_as, waiting_build):
    api = api_as(world.user(Role.COORDINATOR))

    def ids(query):
        return [row["group_id"] for row in api.get(f"/api/v1/customer-groups/?{query}").json()["results"]]

    assert ids("partner=ACME01") == ["AlphaWidgets"] and ids("partner=BETA02") == []
    assert ids("group_id=alphawidgets") == ["AlphaWidgets"]
    assert ids("build=waiting") == ["AlphaWidgets"] and ids("build=failed") == []
    assert api.get("/api/v1/customer-groups/?build=exploded").status_code == 400
