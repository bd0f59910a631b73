"""#16 item 3: the escalation dashboard names the items at risk with their time left, every card
links to the list of exactly its items, and the matrix contact to call is a tel: and mailto: link."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import EscalationContact

from .conftest import make_escalation

pytestmark = pytest.mark.django_db


def listed(client, href) -> list[str]:
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 200
    return sorted(e.subject_label for e in response.context["page"].paginator.object_list)


def test_the_dashboard_lists_items_at_risk_by_name_with_their_time_left(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    response = client.get(reverse("escalations:dashboard"))
    assert [e.subject_label for e in response.context["at_risk_items"]] == ["Onboarding of ITEM002"]
    table = re.search(r'data-testid="at-risk".*?</table>', response.content.decode(), re.S).group(0)
    assert "Onboarding of ITEM002" in table and "due in 4" in table and 'href="/onboarding/1002/"' in table


def test_every_card_and_figure_on_the_dashboard_links_to_exactly_its_items(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    html = client.get(reverse("escalations:dashboard")).content.decode()

    def card(testid):
        return re.search(rf'href="([^"]+)" data-testid="{testid}"', html).group(1)

    assert listed(client, card("card-at-risk")) == ["Onboarding of ITEM002"]
    assert listed(client, card("card-breached")) == [
        "Onboarding of ITEM003",
        "Onboarding of ITEM004",
        "Onboarding of ITEM005",
    ]
    assert listed(client, card("card-level-0")) == ["Onboarding of ITEM003"]
    assert listed(client, card("card-level-1")) == ["Onboarding of ITEM005"]
    assert listed(client, card("card-level-2")) == []
    assert listed(client, card("card-level-3")) == ["Onboarding of ITEM004"]
    assert 'href="/escalations/items/?owner=coordinator&amp;state=breached"' in html
    assert listed(client, "/escalations/items/?owner=none") == [
        "Onboarding of ITEM001",
        "Onboarding of ITEM004",
        "Onboarding of ITEM005",
    ]
    assert listed(client, "/escalations/items/?policy=build-failed-or-stuck&state=breached&level=1") == [
        "Onboarding of ITEM005"
    ]


def test_the_contact_to_call_now_is_a_tel_and_a_mailto_link(client, world, items):
    client.force_login(world.user(Role.MANAGER))
    html = client.get(reverse("escalations:dashboard")).content.decode()
    director = EscalationContact.objects.get(level=3)
    breaches = re.search(r'data-testid="breaches".*?</table>', html, re.S).group(0)
    assert f'href="tel:{director.phone}"' in breaches and f'href="mailto:{director.email}"' in breaches
    assert director.phone.startswith("+")


def test_the_escalation_list_is_for_staff_and_shows_what_else_narrows_it(client, world, items):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.get("/escalations/items/?owner=coordinator")
    assert [e.subject_label for e in response.context["page"].object_list] == [
        "Onboarding of ITEM003",
        "Onboarding of ITEM002",
    ], "nearest deadline first"
    assert "Also narrowed to: Owner (username) coordinator" in response.content.decode()
    client.force_login(world.user(Role.PARTNER_USER))
    assert client.get("/escalations/items/").status_code == 403


def test_a_trainer_lists_only_the_escalations_of_partners_they_train(client, world, items):
    from .conftest import allocate_trainer

    allocate_trainer(world, world.partner_a)
    client.force_login(world.user(Role.TRAINER))
    assert listed(client, "/escalations/items/") == ["Onboarding of ITEM004"]


def test_a_zero_breached_card_is_not_red(client, world):
    make_escalation(world, due_in=timedelta(hours=30), n=1)
    client.force_login(world.user(Role.MANAGER))
    html = client.get(reverse("escalations:dashboard")).content.decode()
    assert re.search(r'class="display-6" data-testid="total-breached">0<', html)
