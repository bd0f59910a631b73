"""The build on the customer group page: live progress, steps, errors, retry and cancel."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from customers import build_steps
from customers.build_request import build_plan
from customers.services import customer_group_create
from integrations.base import PermanentError

from .build_request_data import stock_pool, valid_request
from .fake_platforms import fake_platforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def platforms(monkeypatch):
    fake = fake_platforms()
    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    return fake


@pytest.fixture
def group(world):
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.PARTNER_USER), partner=world.partner_a, data=valid_request())
    return group


def test_confirming_runs_the_build_and_the_page_shows_every_step_done(
    client, world, group, platforms, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.PARTNER_USER))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:group_submit", args=[group.pk]))
    page = client.get(reverse("customers:group_detail", args=[group.pk]))
    assert page.context["summary"]["progress"] == 100 and page.context["build"].status == "succeeded"
    body = page.content.decode()
    operations = len(build_plan(group))  # the preview's, each done but the partner's own (C6)
    assert body.count('data-status="done"') == operations - 1 and "hx-trigger" not in body, "no polling once finished"
    assert page.context["calls"] == [], "platform calls are shown to staff only"


def test_a_running_build_polls_for_progress(client, world, group, platforms, django_capture_on_commit_callbacks):
    from customers import builds

    with django_capture_on_commit_callbacks(execute=False):
        builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    client.force_login(world.user(Role.COORDINATOR))
    partial = client.get(reverse("customers:group_build_status", args=[group.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in partial and "Queued" in partial


def test_a_failed_build_shows_the_reason_and_retry_resumes(
    client, world, group, platforms, django_capture_on_commit_callbacks
):
    platforms.faults.fail("add_group_admin", PermanentError("[Error 4500] User already exists"))
    client.force_login(world.user(Role.COORDINATOR))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:group_submit", args=[group.pk]))
    body = client.get(reverse("customers:group_detail", args=[group.pk])).content.decode()
    assert "Add group administrators: [Error 4500] User already exists" in body  # the build's error
    assert "Retry from the failed step" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:group_submit", args=[group.pk]), follow=True)
    assert "Retrying the build of AlphaWidgets from its failed step." in response.content.decode()
    group.build.refresh_from_db()
    assert group.build.status == "succeeded"


def test_staff_see_the_platform_calls_of_a_build(client, world, group, django_capture_on_commit_callbacks, monkeypatch):
    from integrations.base import recorded_call

    fake = fake_platforms()

    def recording_clone_group(*, group, platforms):
        with recorded_call(platform="broadworks", operation="add_group_from_template", target=group.group_id):
            return "ok"

    monkeypatch.setattr(build_steps, "get_platforms", lambda: fake)
    monkeypatch.setitem(build_steps.STEPS, "clone_group", recording_clone_group)
    client.force_login(world.user(Role.COORDINATOR))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:group_submit", args=[group.pk]))
    calls = client.get(reverse("customers:group_detail", args=[group.pk])).context["calls"]
    assert [(c.operation, c.context) for c in calls] == [
        ("add_group_from_template", f"build:{group.build.pk}/step:clone_group")
    ]


def test_cancel_from_the_page(client, world, group, platforms, django_capture_on_commit_callbacks):
    from customers import builds

    with django_capture_on_commit_callbacks(execute=False):
        builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post(reverse("customers:group_build_cancel", args=[group.pk]), follow=True)
    assert "The build stops before its next step." in response.content.decode()
    group.build.refresh_from_db()
    assert group.build.status == "cancelled"


def test_staff_see_which_steps_rest_on_an_assumed_contract_and_the_partners_next_step(
    client, world, group, platforms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(world.user(Role.PARTNER_USER))
        client.post(reverse("customers:group_submit", args=[group.pk]))
    partner_page = client.get(reverse("customers:group_detail", args=[group.pk])).content.decode()
    assert 'data-testid="assumed"' not in partner_page, "a partner is not told about our contracts"
    assert "apply call-recording licences" in partner_page  # C6: the partner's next step

    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("customers:group_detail", args=[group.pk]))
    marked = [step.name for step in page.context["steps"] if step.assumptions]
    # Akixi documents users but not partitions or synchronisation; Call Cabinet publishes no API.
    assert marked == ["akixi_partition", "akixi_sync", "akixi_users", "callcabinet_customer"]
    body = page.content.decode()
    assert body.count('data-testid="assumed"') == 4
    assert "Call Cabinet publishes no partner API" in body
