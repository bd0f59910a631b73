"""An empty list says what to do next (#16): with no filter set, that there is nothing yet and, to
whoever may, the button that adds the first; with filters set, that nothing matches them and a
way to clear them."""

import re

import pytest
from django.urls import reverse

from accounts.choices import Role

pytestmark = pytest.mark.django_db


def empty_cell(client, url):
    html = client.get(url).content.decode()
    match = re.search(r'<td colspan="\d+" data-testid="empty-list">(.*?)</td>', html, re.S)
    assert match, f"{url} shows no empty state"
    return match.group(1)


def test_an_empty_pool_offers_staff_the_button_that_adds_numbers(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    cell = empty_cell(client, reverse("number_pool:number_list"))
    assert "No numbers in the pool yet." in cell
    assert f'href="{reverse("number_pool:numbers_add")}">Add the first numbers</a>' in cell
    assert "match" not in cell


def test_a_partner_user_who_cannot_add_numbers_reads_how_they_arrive(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    cell = empty_cell(client, reverse("number_pool:number_list"))
    assert "No numbers in the pool yet." in cell and "when EXPO.e adds them" in cell
    assert "<a " not in cell


def test_a_filtered_empty_list_says_nothing_matches_and_clears_the_filters(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("number_pool:number_list")
    cell = empty_cell(client, f"{url}?q=0161&page=1")
    assert "No numbers match these filters." in cell
    assert f'href="{url}">Clear the filters</a>' in cell
    assert "Add the first numbers" not in cell


@pytest.mark.parametrize(
    ("role", "url_name", "text", "button"),
    [
        (Role.PARTNER_USER, "customers:group_list", "No customers yet.", "Add the first customer"),
        (Role.PARTNER_USER, "porting:list", "No port requests yet.", "Request the first port"),
        (Role.PROVISIONING_ADMIN, "onboarding:order_list", "No onboarding orders yet.", "Log the first signed order"),
        (Role.TRAINER, "onboarding:order_list", "No onboarding orders yet.", None),
        (Role.TRAINER, "customers:group_list", "No customers yet.", None),
        (Role.MANAGER, "reconciliation:drift_list", "No drift: every built customer matches its platforms.", None),
        (Role.MANAGER, "accounts:audit_list", "Nothing recorded yet.", None),
    ],
)
def test_each_empty_list_says_what_comes_next_to_whoever_reads_it(client, world, role, url_name, text, button):
    from accounts.models import AuditEvent

    client.force_login(world.user(role))
    AuditEvent.objects.all().delete()  # the world's set-up leaves some behind, and so does logging in
    cell = empty_cell(client, reverse(url_name))
    assert text in cell
    if button:
        assert f">{button}</a>" in cell
    else:
        assert 'class="btn' not in cell
