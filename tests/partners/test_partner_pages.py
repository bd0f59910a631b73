import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditEvent
from partners.models import Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "partner_id": "GAMMA03",
        "name": "Gamma Comms",
        "clone_group_id": "GAMMA03-CLONE",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "1",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-name": "Gail Gamma",
        "contacts-0-role": "Primary",
        "contacts-0-email": "gail@gamma.invalid",
        "contacts-0-phone": "020 7946 0123",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_a_partner_with_a_contact_and_an_audit_row(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("partners:partner_create"), _form())
    partner = Partner.objects.get(partner_id="GAMMA03")
    assert response.status_code == 302 and response.url == reverse("onboarding:partner_detail", args=[partner.pk])
    contact = partner.contacts.get()
    assert contact.phone == "+442079460123"  # UK national format normalised to E.164
    event = AuditEvent.objects.get(action="partner.created", target_id=str(partner.pk))
    assert event.actor == coordinator and event.partner == partner


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("partner_id", "has space", "Use 1–30 letters, digits, dots, hyphens or underscores"),
        ("partner_id", "", "This field is required."),
        ("partner_id", "A" * 31, "Ensure this value has at most 30 characters"),
        ("clone_group_id", "bad/id", "Use 1–30 letters, digits, dots, hyphens or underscores"),
        ("name", "", "This field is required."),
        ("contacts-0-phone", "12", "is not a valid phone number"),
        ("contacts-0-email", "not-an-email", "Enter a valid email address."),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_saves_nothing(client, coordinator, field, value, message):
    client.force_login(coordinator)
    response = client.post(reverse("partners:partner_create"), _form(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Partner.objects.filter(name="Gamma Comms").exists()


def test_partner_needs_at_least_one_contact(client, coordinator):
    client.force_login(coordinator)
    data = _form(**{"contacts-0-name": "", "contacts-0-email": "", "contacts-0-phone": "", "contacts-0-role": ""})
    response = client.post(reverse("partners:partner_create"), data)
    assert "Add at least one contact with an email address and phone number." in response.content.decode()
    assert not Partner.objects.filter(partner_id="GAMMA03").exists()


def test_duplicate_partner_id_differing_only_in_case_is_refused(client, coordinator, partner_a):
    client.force_login(coordinator)
    response = client.post(reverse("partners:partner_create"), _form(partner_id="acme01"))
    assert "A partner with this ID already exists" in response.content.decode()
    assert Partner.objects.filter(partner_id__iexact="acme01").count() == 1


def test_edit_changes_name_but_never_the_partner_id(client, coordinator, partner_b):
    client.force_login(coordinator)
    data = _form(partner_id="HACKED", name="Betacom Group", clone_group_id="BETA02-CLONE")
    response = client.post(reverse("partners:partner_edit", args=[partner_b.pk]), data)
    assert response.status_code == 302
    partner_b.refresh_from_db()
    assert partner_b.partner_id == "BETA02" and partner_b.name == "Betacom Group"
    assert [c.email for c in partner_b.contacts.all()] == ["gail@gamma.invalid"]


def test_trainer_cannot_create_partners(client, trainer):
    client.force_login(trainer)
    assert client.post(reverse("partners:partner_create"), _form()).status_code == 403
    assert not Partner.objects.filter(partner_id="GAMMA03").exists()


def test_partner_user_cannot_post_an_edit_to_their_own_partner(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post(reverse("partners:partner_edit", args=[world.partner_a.pk]), _form(name="Mine now"))
    assert response.status_code == 403
    world.partner_a.refresh_from_db()
    assert world.partner_a.name == "Acme Telecom"


def test_partner_list_searches_filters_and_paginates(client, coordinator):
    PartnerFactory.create_batch(30, live=False)
    PartnerFactory(partner_id="ZED99", name="Zed Voice", live=True)
    client.force_login(coordinator)
    url = reverse("partners:partner_list")
    page = client.get(url).context["table"].page
    assert page.paginator.count == 33 and len(page.object_list) == 25
    assert [r.record.partner_id for r in client.get(url, {"q": "zed"}).context["table"].page.object_list] == ["ZED99"]
    live = {r.record.partner_id for r in client.get(url, {"live": "true"}).context["table"].page.object_list}
    assert live == {"ACME01", "ZED99"}


def test_partner_list_query_count_does_not_grow_with_rows(client, coordinator, django_assert_num_queries):
    client.force_login(coordinator)
    url = reverse("partners:partner_list")
    client.get(url)  # warm the session and permission caches outside the count
    with django_assert_num_queries(9) as few:
        client.get(url)
    PartnerFactory.create_batch(20)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_partner_user_list_shows_only_their_partner(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    rows = client.get(reverse("partners:partner_list")).context["table"].page.object_list
    assert [r.record.partner_id for r in rows] == ["ACME01"]


def test_my_partner_page_is_read_only(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.get(reverse("onboarding:my_partner"))
    body = response.content.decode()
    assert "Acme Telecom" in body and "Betacom" not in body
    assert reverse("partners:partner_edit", args=[world.partner_a.pk]) not in body
