"""Changes to a built customer (#15, customers.changes): numbers added to and taken off a built
group, each change a run of steps on the build engine, one at a time, recorded and audited."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditEvent
from customers import build_steps, builds, changes
from customers.models import ServiceBuild
from customers.services import customer_group_create
from expoe_portal.transitions import TransitionConflict
from integrations.base import TransientError
from number_pool.models import Number
from number_pool.services import numbers_add

from .build_request_data import stock_pool, valid_request
from .conftest import run

pytestmark = pytest.mark.django_db

NEW = ["+442079460005", "+442079460006"]


def group_numbers(group):
    return sorted(Number.objects.filter(customer_group=group).values_list("e164", flat=True))


def test_N1_numbers_added_to_a_built_group_reach_its_pool_and_the_group(
    world, built, platforms, django_capture_on_commit_callbacks
):
    change = run(
        django_capture_on_commit_callbacks,
        changes.change_numbers_add,
        by=world.user(Role.COORDINATOR),
        group=built,
        numbers=NEW,
    )
    assert (change.kind, change.status, change.summary) == ("change", "succeeded", f"Add {NEW[0]}, {NEW[1]}")
    assert [s.name for s in change.steps.all()] == ["pool_numbers", "assign_numbers"]
    assert set(NEW) <= set(platforms.broadworks.sp_numbers["ACME01"])
    assert set(NEW) <= set(platforms.broadworks.group_numbers_["AlphaWidgets"])
    assert group_numbers(built) == ["+442079460000", "+442079460001", "+442079460002", *NEW]
    assert built.build.kind == "build" and built.latest_build == change
    assert AuditEvent.objects.filter(action="change.queued", target_id=str(change.pk)).exists()


def test_N2_numbers_taken_off_go_back_to_the_partners_pool_and_off_the_group(
    world, built, platforms, django_capture_on_commit_callbacks
):
    change = run(
        django_capture_on_commit_callbacks,
        changes.change_numbers_remove,
        by=world.user(Role.PARTNER_USER),  # the partner's own users manage their numbers (N1)
        group=built,
        numbers=["+442079460002"],
    )
    assert change.status == "succeeded", change.last_error
    assert "+442079460002" not in platforms.broadworks.group_numbers_["AlphaWidgets"]
    released = Number.objects.get(e164="+442079460002")
    assert (released.customer_group, released.status, released.partner) == (None, "available", world.partner_a)
    assert group_numbers(built) == ["+442079460000", "+442079460001"]


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        (["+442079460000"], "the business profile number (B1)"),
        (["+442079460001"], "the voice portal's number (V1)"),
        (["+442079460009"], "is not one of AlphaWidgets's numbers"),
        ([], "Choose at least one number"),
    ],
)
def test_B1_V1_a_change_refuses_numbers_the_group_needs_or_does_not_have(world, built, numbers, message):
    with pytest.raises(ValidationError) as refused:
        changes.change_numbers_remove(by=world.user(Role.COORDINATOR), group=built, numbers=numbers)
    assert message in str(refused.value.message_dict["numbers"])
    assert group_numbers(built) == ["+442079460000", "+442079460001", "+442079460002"], "nothing half-written"
    assert not ServiceBuild.objects.filter(kind="change").exists()


def test_N2_only_the_partners_own_available_numbers_can_be_added(world, built):
    theirs = "+442079461111"
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, numbers=[theirs])
    with pytest.raises(ValidationError, match="Not in ACME01's number pool"):
        changes.change_numbers_add(by=world.user(Role.COORDINATOR), group=built, numbers=[theirs])
    assert not ServiceBuild.objects.filter(kind="change").exists()


def test_a_customer_is_changed_only_once_its_build_has_succeeded(world, platforms):
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    with pytest.raises(TransitionConflict, match="once its build has succeeded"):
        changes.change_numbers_add(by=world.user(Role.COORDINATOR), group=group, numbers=NEW)
    assert group_numbers(group) == ["+442079460000", "+442079460001", "+442079460002"]


def test_one_change_at_a_time_a_failed_one_is_retried_or_cancelled_first(
    world, built, platforms, django_capture_on_commit_callbacks
):
    platforms.faults.fail("assign_numbers", *[TransientError("busy")] * 30)
    failed = run(
        django_capture_on_commit_callbacks,
        changes.change_numbers_add,
        by=world.user(Role.COORDINATOR),
        group=built,
        numbers=NEW[:1],
    )
    assert failed.status == "failed"
    with pytest.raises(TransitionConflict, match=r"The change “Add \+442079460005” failed: retry or cancel it before"):
        changes.change_numbers_add(by=world.user(Role.COORDINATOR), group=built, numbers=NEW[1:])
    # The database holds the rule too, whatever a caller checks first.
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceBuild.objects.create(group=built, kind="change", status="queued")


@pytest.mark.parametrize("role", [Role.TRAINER, Role.MANAGER])
def test_roles_that_do_not_build_cannot_change_a_customer(world, built, role):
    with pytest.raises(PermissionDenied):
        changes.change_numbers_add(by=world.user(role), group=built, numbers=NEW)
    assert not ServiceBuild.objects.filter(kind="change").exists()


def test_N2_another_partners_user_cannot_change_the_customer(world, built):
    outsider = world.user("partner_b_user")
    with pytest.raises(PermissionDenied):
        changes.change_numbers_remove(by=outsider, group=built, numbers=["+442079460002"])
    assert group_numbers(built) == ["+442079460000", "+442079460001", "+442079460002"]


def test_N2_a_change_step_retried_after_a_fault_takes_each_number_off_once(
    world, built, platforms, django_capture_on_commit_callbacks
):
    platforms.faults.fail("unassign_numbers", TransientError("connection reset"))
    change = run(
        django_capture_on_commit_callbacks,
        changes.change_numbers_remove,
        by=world.user(Role.COORDINATOR),
        group=built,
        numbers=["+442079460002"],
    )
    assert change.status == "succeeded"
    assert change.steps.get().attempts == 2
    assert platforms.calls.count("unassign_numbers") == 1  # the faulted attempt did nothing
    # Run again (a redelivered message): the number is already off, so nothing is sent.
    step = change.steps.get()
    build_steps.run_step(step=step, group=built, platforms=platforms)
    assert platforms.calls.count("unassign_numbers") == 1


# --- The API (API.md's conventions: 400 field errors, 403, 404 out of scope, 409 conflict) -------


def changes_url(group):
    return f"/api/v1/customer-groups/{group.pk}/changes/"


def test_api_a_partner_user_adds_numbers_given_as_a_range_and_follows_the_change(
    api_as, world, built, platforms, django_capture_on_commit_callbacks
):
    client = api_as(world.user(Role.PARTNER_USER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changes_url(built), {"change": "add_numbers", "numbers": ["020 7946 0005 - 020 7946 0006"]}, format="json"
        )
    assert response.status_code == 201, response.content
    assert response.json()["numbers"] == NEW and response.json()["change"] == "add_numbers"
    listed = client.get(changes_url(built)).json()
    assert listed["count"] == 1
    (change,) = listed["results"]
    asker = world.user(Role.PARTNER_USER).username
    assert (change["status"], change["progress"], change["requested_by"]) == ("succeeded", 100, asker)
    assert [s["name"] for s in change["steps"]] == ["pool_numbers", "assign_numbers"]
    assert client.get(f"/api/v1/customer-groups/{built.pk}/").json()["build"]["status"] == "succeeded"


def test_api_errors_name_the_field_and_a_second_open_change_is_a_conflict(
    api_as, world, built, platforms, django_capture_on_commit_callbacks
):
    client = api_as(world.user(Role.COORDINATOR))
    unreadable = client.post(changes_url(built), {"change": "add_numbers", "numbers": ["not a number"]}, format="json")
    assert unreadable.status_code == 400 and "“not a number”" in unreadable.json()["numbers"][0]
    clid = client.post(changes_url(built), {"change": "remove_numbers", "numbers": ["+442079460000"]}, format="json")
    assert clid.status_code == 400 and "(B1)" in clid.json()["numbers"][0]
    platforms.faults.fail("assign_numbers", *[TransientError("busy")] * 30)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changes_url(built), {"change": "add_numbers", "numbers": NEW[:1]}, format="json")
    second = client.post(changes_url(built), {"change": "add_numbers", "numbers": NEW[1:]}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "conflict"


def test_N2_api_another_partner_sees_no_such_customer(api_as, world, built):
    outsider = api_as(world.user("partner_b_user"))
    assert outsider.get(changes_url(built)).status_code == 404
    refused = outsider.post(changes_url(built), {"change": "add_numbers", "numbers": NEW}, format="json")
    assert refused.status_code == 404
    assert not ServiceBuild.objects.filter(kind="change").exists()


# --- The pages ----------------------------------------------------------------------------------


def test_page_a_coordinator_previews_every_operation_then_confirms_and_follows_the_change(
    client, world, built, platforms, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.COORDINATOR))
    detail = client.get(built.get_absolute_url()).content.decode()
    assert 'data-testid="start-add_numbers"' in detail and 'data-testid="start-remove_numbers"' in detail
    url = reverse("customers:group_change", args=[built.pk, "add_numbers"])
    assert "available in ACME01’s pool" in client.get(url).content.decode()
    preview = client.post(url, {"numbers": "020 7946 0005 - 020 7946 0006"}).content.decode()
    assert 'data-testid="change-plan"' in preview and "Assign and activate them on the group" in preview
    assert not ServiceBuild.objects.filter(kind="change").exists(), "a preview changes nothing"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"numbers": ", ".join(NEW), "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == built.get_absolute_url()
    page = client.get(built.get_absolute_url()).content.decode()
    assert "Add numbers: queued" in page
    assert re.search(r'data-testid="change-list">.*Add \+442079460005, \+442079460006.*Succeeded', page, re.S)
    assert group_numbers(built)[-2:] == NEW


def test_B1_V1_page_taking_off_offers_neither_the_business_profile_nor_the_voice_portal_number(client, world, built):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(reverse("customers:group_change", args=[built.pk, "remove_numbers"])).content.decode()
    offered = re.findall(r'name="numbers" value="([^"]+)"', page)
    assert offered == ["+442079460002"], "B1 (…0000) and V1 (…0001) stay on the group"
    box = re.search(r'<input type="checkbox" name="numbers"[^>]*>', page).group(0)
    assert 'class="form-check-input"' in box, "a check box, not a text field's class"
    refused = client.post(reverse("customers:group_change", args=[built.pk, "remove_numbers"]), {"numbers": []})
    assert "Choose at least one number" in refused.content.decode()


def test_page_changes_are_out_of_reach_of_other_partners_and_roles_that_do_not_build(client, world, built):
    url = reverse("customers:group_change", args=[built.pk, "add_numbers"])
    client.force_login(world.user("partner_b_user"))
    assert client.get(url).status_code == 404
    client.force_login(world.user(Role.TRAINER))
    assert client.post(url, {"numbers": NEW[0], "confirm": "1"}).status_code == 403
    assert 'data-testid="start-add_numbers"' not in client.get(built.get_absolute_url()).content.decode()
    assert not ServiceBuild.objects.filter(kind="change").exists()


# --- A failed change: retried from its failed step, or cancelled with our records put back --------


def failed_change(world, built, platforms, django_capture_on_commit_callbacks, change, numbers, fault):
    platforms.faults.fail(fault, *[TransientError("busy")] * 30)
    by = world.user(Role.COORDINATOR)
    failed = run(django_capture_on_commit_callbacks, change, by=by, group=built, numbers=numbers)
    assert failed.status == "failed"
    platforms.faults.plan.pop(fault)  # cleared
    return failed


def test_a_failed_change_is_retried_from_its_failed_step_and_the_next_one_can_start(
    world, built, platforms, django_capture_on_commit_callbacks
):
    add = changes.change_numbers_add
    failed = failed_change(world, built, platforms, django_capture_on_commit_callbacks, add, NEW[:1], "assign_numbers")
    pooled = platforms.calls.count("add_numbers_to_service_provider")
    with django_capture_on_commit_callbacks(execute=True):
        changes.change_retry(by=world.user(Role.PARTNER_USER), change=failed)
    failed.refresh_from_db()
    assert failed.status == "succeeded"
    assert platforms.calls.count("add_numbers_to_service_provider") == pooled, "the step done is not repeated"
    assert NEW[0] in platforms.broadworks.group_numbers_["AlphaWidgets"]
    with pytest.raises(TransitionConflict, match="only a failed one"):
        changes.change_retry(by=world.user(Role.COORDINATOR), change=failed)
    nxt = run(
        django_capture_on_commit_callbacks,
        changes.change_numbers_add,
        by=world.user(Role.COORDINATOR),
        group=built,
        numbers=NEW[1:],
    )
    assert nxt.status == "succeeded"


@pytest.mark.parametrize(
    ("change", "numbers", "fault", "after"),
    [
        (changes.change_numbers_add, NEW[:1], "assign_numbers", ["+442079460000", "+442079460001", "+442079460002"]),
        (
            changes.change_numbers_remove,
            ["+442079460002"],
            "unassign_numbers",
            ["+442079460000", "+442079460001", "+442079460002"],
        ),
    ],
)
def test_N2_a_cancelled_change_puts_our_records_back_as_they_were_before_it(
    world, built, platforms, django_capture_on_commit_callbacks, change, numbers, fault, after
):
    failed = failed_change(world, built, platforms, django_capture_on_commit_callbacks, change, numbers, fault)
    changes.change_cancel(by=world.user(Role.COORDINATOR), change=failed)
    failed.refresh_from_db()
    assert failed.status == "cancelled"
    assert group_numbers(built) == after
    assert AuditEvent.objects.filter(action="change.cancelled", target_id=str(failed.pk)).exists()
    with pytest.raises(PermissionDenied):
        changes.change_cancel(by=world.user(Role.TRAINER), change=failed)


def test_page_and_api_retry_and_cancel_a_failed_change(
    client, api_as, world, built, platforms, django_capture_on_commit_callbacks
):
    add = changes.change_numbers_add
    failed = failed_change(world, built, platforms, django_capture_on_commit_callbacks, add, NEW[:1], "assign_numbers")
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(built.get_absolute_url()).content.decode()
    assert 'data-testid="retry-change"' in page and 'data-testid="cancel-change"' in page
    assert 'data-testid="start-add_numbers"' not in page, "the next change waits"
    act = reverse("customers:group_change_act", args=[built.pk, failed.pk, "retry"])
    assert client.get(act).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(act).status_code == 302
    failed.refresh_from_db()
    assert failed.status == "succeeded"
    second = failed_change(world, built, platforms, django_capture_on_commit_callbacks, add, NEW[1:], "assign_numbers")
    api = api_as(world.user(Role.COORDINATOR))
    response = api.post(f"/api/v1/customer-groups/{built.pk}/changes/{second.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = api.post(f"/api/v1/customer-groups/{built.pk}/changes/{second.pk}/cancel/")
    assert again.status_code == 409
    outsider = api_as(world.user("partner_b_user"))
    assert outsider.post(f"/api/v1/customer-groups/{built.pk}/changes/{failed.pk}/retry/").status_code == 404


def test_a_build_retried_after_a_step_gave_up_gives_that_step_its_attempts_afresh(
    world, platforms, django_capture_on_commit_callbacks
):
    """The same requeue as a change's (decision 123): a build step that used every attempt fails the
    build; once the cause is cleared, a person's retry runs it again with a fresh set of attempts,
    rather than failing at once as if its worker had died each time."""
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    platforms.faults.fail("add_partition", *[TransientError("503")] * 50)
    for expected in ("failed", "succeeded"):
        with django_capture_on_commit_callbacks(execute=True):
            build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)
        build.refresh_from_db()
        assert build.status == expected, build.last_error
        platforms.faults.plan.pop("add_partition", None)
    assert build.steps.get(name="akixi_partition").attempts == 1


def test_page_the_customers_page_reads_its_changes_in_a_fixed_number_of_queries(
    client, world, built, platforms, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.COORDINATOR))

    def queries_after(numbers):
        run(
            django_capture_on_commit_callbacks,
            changes.change_numbers_add,
            by=world.user(Role.COORDINATOR),
            group=built,
            numbers=numbers,
        )
        client.get(built.get_absolute_url())  # sessions and permissions warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(built.get_absolute_url()).status_code == 200
        return len(queries)

    one = queries_after(["+442079460005"])
    for number in ("+442079460006", "+442079460007"):
        queries_after([number])
    assert queries_after(["+442079460008"]) == one
