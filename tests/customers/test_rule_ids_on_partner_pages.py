"""A partner user's pages never show a rule id (issue #16): the build request form with its
errors, the preview, the customer's page, their onboarding page and their port requests. Staff
see the same words, with the rule's help one click away."""

import re

import pytest
from django.urls import reverse

from accounts.choices import Role
from expoe_portal.rules import RULE_ID_PATTERN
from porting.models import PortRequest

from .test_group_pages import CREATE, form_data

pytestmark = pytest.mark.django_db


def visible(page: str) -> str:
    """The words a reader sees: no tags, attributes, scripts or styles."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", "", page, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", page)


def ids_on(page: str) -> list[str]:
    return RULE_ID_PATTERN.findall(visible(page))


def test_the_build_request_form_with_errors_shows_no_rule_id_to_a_partner_user(client, world, built):
    client.force_login(world.user(Role.PARTNER_USER))
    bad = form_data(group_id="", name="", numbers_text="", business_profile_number="")
    page = client.post(CREATE, {**bad, "callcabinet-admin_email": "not-an-email"}).content.decode()
    assert "Enter the end customer&#x27;s name." in page and "Choose at least one number" in page
    assert ids_on(page) == [] and 'data-testid="rule-help"' not in page
    assert ids_on(client.get(CREATE).content.decode()) == []


def test_the_customer_page_and_its_preview_show_no_rule_id_to_a_partner_user(client, world, built):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(built.get_absolute_url()).content.decode()
    assert "Business profile number" in page
    assert ids_on(page) == []


def test_staff_read_the_same_customer_page_with_each_rules_help(client, world, built):
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(built.get_absolute_url()).content.decode()
    assert "Group ID (G3)" not in page and 'aria-label="About the rule: G3"' in page
    assert "G3 · Unique group ID." in page


def test_the_onboarding_page_shows_no_rule_id_to_a_partner_user(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    assert ids_on(client.get(reverse("onboarding:my_partner")).content.decode()) == []


def test_port_request_pages_show_no_rule_id_to_a_partner_user(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    form = client.post(reverse("porting:create"), {"country": "GB", "numbers": "not a number"}).content.decode()
    assert ids_on(form) == []
    client.post(reverse("porting:create"), {"country": "GB", "numbers": "0113 496 0700", "number_type": "analogue"})
    port_request = PortRequest.objects.get()
    for url in (
        port_request.get_absolute_url(),
        reverse("porting:edit", args=[port_request.pk]),
        reverse("porting:list"),
    ):
        assert ids_on(client.get(url).content.decode()) == [], url
