"""The build page shows exactly the preview's operations, in its order and with its names, grouped
by platform, each with its platform reference once done; a customer whose build succeeded reads
"Built"."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from customers.build_request import PLAN_STEPS, build_plan
from customers.choices import BuildStepName
from customers.demo import DEMO_GROUPS
from customers.models import CustomerGroup

pytestmark = pytest.mark.django_db


def preview_operations(page: str) -> list[tuple[str, str]]:
    """(platform, operation) as the preview lists them."""
    found = []
    for platform, section in re.findall(r'data-testid="plan-(\w+)">(.*?)</section>', page, re.S):
        found += [(platform, html.unescape(op)) for op in re.findall(r"<li><strong>(.*?)</strong>", section)]
    return found


def build_page_operations(page: str) -> list[tuple[str, str]]:
    """(platform, operation) as the build section lists them."""
    found = []
    for platform, section in re.findall(
        r'<h3[^>]*data-testid="build-(\w+)">.*?</h3>\s*<ol[^>]*>(.*?)</ol>', page, re.S
    ):
        found += [(platform, html.unescape(op)) for op in re.findall(r'data-operation="([^"]*)"', section)]
    return found


def test_every_operation_of_the_plan_names_the_steps_that_perform_it():
    first_build_steps = {
        BuildStepName.CLONE_GROUP,
        BuildStepName.POOL_NUMBERS,
        BuildStepName.ASSIGN_NUMBERS,
        BuildStepName.BUSINESS_PROFILE,
        BuildStepName.VOICE_PORTAL,
        BuildStepName.ADMINS,
        BuildStepName.AKIXI_PARTITION,
        BuildStepName.AKIXI_SYNC,
        BuildStepName.AKIXI_USERS,
        BuildStepName.CALLCABINET_CUSTOMER,
    }
    assert {step for steps in PLAN_STEPS.values() for step in steps} == first_build_steps, "each step shows"


def test_the_build_page_shows_the_previews_operations_in_order_for_the_demo_builds(
    client, platforms, django_capture_on_commit_callbacks
):
    call_command("seed_demo", stdout=StringIO())
    from accounts.models import User

    coordinator = User.objects.get(role=Role.COORDINATOR, username="coordinator")
    client.force_login(coordinator)
    for _partner, group_id, _name, _numbers in DEMO_GROUPS:
        group = CustomerGroup.objects.get(group_id=group_id)
        preview = client.get(reverse("customers:group_preview", args=[group.pk])).content.decode()
        planned = preview_operations(preview)
        assert planned == [(p["platform"], p["operation"]) for p in build_plan(group)] and len(planned) >= 13

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("customers:group_submit", args=[group.pk]))
        page = client.get(reverse("customers:group_detail", args=[group.pk])).content.decode()
        assert build_page_operations(page) == planned, group_id
        assert page.count('data-status="done"') == len(planned) - 1  # C6 is the partner's, after the build
        assert page.count('data-status="follow_up"') == 1
        assert f"Platform reference: <code>{group_id}</code>" in page  # the group, once created
        assert '<span class="badge text-bg-success">Built</span>' in page

    listing = client.get(reverse("customers:group_list")).content.decode()
    assert listing.count(">Built</span>") == len(DEMO_GROUPS)


def test_a_failed_step_fails_every_operation_it_performs_and_says_why_once(
    client, world, platforms, django_capture_on_commit_callbacks
):
    from customers.services import customer_group_create
    from integrations.base import PermanentError

    from .build_request_data import stock_pool, valid_request

    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    platforms.faults.fail("add_group_admin", PermanentError("[Error 4500] User already exists"))
    client.force_login(world.user(Role.COORDINATOR))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:group_submit", args=[group.pk]))
    page = client.get(reverse("customers:group_detail", args=[group.pk])).content.decode()
    admins = group.admins.count()
    assert len(re.findall(r'data-operation="Add group administrator" data-status="failed"', page)) == admins
    assert page.count("[Error 4500] User already exists") == 2  # the build's error, and its step's once
    assert '<span class="badge text-bg-info">Confirmed</span>' in page
