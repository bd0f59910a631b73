import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.choices import Role
from accounts.models import EscalationContact

pytestmark = pytest.mark.django_db


def test_E1_matrix_loads_the_guides_four_levels():
    call_command("load_escalation_matrix")
    rows = list(EscalationContact.objects.values_list("level", "name", "phone"))
    assert rows == [
        (0, "UC Provisioning Team", "+442070964049"),
        (1, "Lydia Melen", "+442034358767"),
        (2, "Alan North", "+442034358775"),
        (3, "Dan Baines-Holmes", "+442070964053"),
    ]


def test_E1_loading_twice_changes_nothing_and_keeps_managers_edits(capsys):
    call_command("load_escalation_matrix")
    EscalationContact.objects.filter(level=1).update(name="New Team Leader")
    call_command("load_escalation_matrix")
    assert "unchanged [0, 1, 2, 3]" in capsys.readouterr().out
    assert EscalationContact.objects.count() == 4
    assert EscalationContact.objects.get(level=1).name == "New Team Leader"


def test_E1_overwrite_resets_the_matrix_to_the_file():
    call_command("load_escalation_matrix")
    EscalationContact.objects.filter(level=1).update(name="New Team Leader")
    call_command("load_escalation_matrix", "--overwrite")
    assert EscalationContact.objects.get(level=1).name == "Lydia Melen"


def test_E1_a_file_missing_a_level_is_refused_and_nothing_is_written(tmp_path):
    bad = tmp_path / "matrix.json"
    bad.write_text(json.dumps([{"level": 0, "role": "r", "name": "n", "phone": "02070964049", "email": "a@b.invalid"}]))
    with pytest.raises(CommandError, match="levels 0, 1, 2 and 3"):
        call_command("load_escalation_matrix", "--file", str(bad))
    assert not EscalationContact.objects.exists()


def test_E1_manager_edits_a_level_with_a_national_phone_number(client, manager):
    contact = EscalationContact.objects.get(level=2)
    client.force_login(manager)
    data = {
        "role": "UC Provisioning Manager",
        "name": "Sam Stone",
        "phone": "020 3435 8000",
        "email": "sam@expo.invalid",
    }
    response = client.post(reverse("escalations:contact_edit", args=[contact.pk]), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.updated_by) == ("Sam Stone", "+442034358000", manager)


def test_E1_bad_phone_gets_a_message_and_saves_nothing(client, manager):
    contact = EscalationContact.objects.get(level=2)
    client.force_login(manager)
    data = {"role": "x", "name": "Sam Stone", "phone": "not a phone", "email": "sam@expo.invalid"}
    response = client.post(reverse("escalations:contact_edit", args=[contact.pk]), data)
    assert "is not a phone number" in response.content.decode()
    contact.refresh_from_db()
    assert contact.name == "Alan North"


@pytest.mark.parametrize("role", [Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.TRAINER, Role.PARTNER_USER])
def test_E1_only_managers_edit_the_matrix(client, world, role):
    contact = EscalationContact.objects.get(level=0)
    client.force_login(world.user(role))
    data = {"role": "x", "name": "Hijack", "phone": "02070964049", "email": "h@x.invalid"}
    assert client.post(reverse("escalations:contact_edit", args=[contact.pk]), data).status_code == 403
    contact.refresh_from_db()
    assert contact.name == "UC Provisioning Team"


def test_E1_api_lists_the_matrix_and_managers_patch_it(api_as, world):
    body = api_as(world.user(Role.PARTNER_USER)).get("/api/v1/escalation-contacts/").json()
    assert [c["level"] for c in body["results"]] == [0, 1, 2, 3]
    assert set(body["results"][0]) == {"id", "level", "role", "name", "phone", "email"}
    contact = EscalationContact.objects.get(level=3)
    url = f"/api/v1/escalation-contacts/{contact.pk}/"
    assert api_as(world.user(Role.COORDINATOR)).patch(url, {"name": "X"}, format="json").status_code == 403
    bad = api_as(world.user(Role.MANAGER)).patch(url, {"phone": "nope"}, format="json")
    assert bad.status_code == 400 and "phone" in bad.json()
    ok = api_as(world.user(Role.MANAGER)).patch(url, {"phone": "020 7096 4000"}, format="json")
    assert ok.status_code == 200 and ok.json()["phone"] == "+442070964000"
