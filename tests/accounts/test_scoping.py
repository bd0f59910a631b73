import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.choices import Role
from accounts.models import AuditEvent, EscalationContact
from accounts.scoping import scope_for
from partners.models import Partner, PartnerContact
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_see_every_partner(world):
    for role in (Role.PROVISIONING_ADMIN, Role.COORDINATOR, Role.TRAINER, Role.MANAGER):
        assert set(scope_for(world.user(role), Partner.objects.all())) == {world.partner_a, world.partner_b}


def test_partner_user_sees_only_their_partner_and_its_rows(world):
    user = world.user(Role.PARTNER_USER)
    assert list(scope_for(user, Partner.objects.all())) == [world.partner_a]
    contacts = scope_for(user, PartnerContact.objects.all())
    assert contacts.exists() and {c.partner_id for c in contacts} == {world.partner_a.pk}


def test_shared_reference_data_is_visible_to_partner_users(world):
    assert scope_for(world.user(Role.PARTNER_USER), EscalationContact.objects.all()).count() == 4


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not scope_for(AnonymousUser(), Partner.objects.all()).exists()
    inactive = UserFactory(username="gone", role=Role.MANAGER)
    inactive.is_active = False
    assert not scope_for(inactive, Partner.objects.all()).exists()


def test_a_user_without_a_role_sees_nothing(world):
    from accounts.models import User

    nobody = User.objects.create_user(username="norole", password="x-very-long-pass")
    assert not scope_for(nobody, Partner.objects.all()).exists()


def test_audit_events_are_scoped_by_partner(world, admin_user):
    from partners.services import partner_update

    partner_update(by=admin_user, partner=world.partner_b, name="Betacom Renamed")
    assert not scope_for(world.user(Role.PARTNER_USER), AuditEvent.objects.all()).filter(partner=world.partner_b)


def test_a_model_without_a_declared_scope_cannot_be_scoped(world):
    from django.contrib.auth.models import Group

    with pytest.raises(ImproperlyConfigured, match="Group declares no PARTNER_SCOPE"):
        scope_for(world.user(Role.MANAGER), Group.objects.all())
