import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.choices import Role
from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS
from accounts.services import user_create
from tests.factories import TEST_PASSWORD, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
def test_each_role_gets_its_group_and_exactly_its_permissions(role):
    partner = PartnerFactory() if role == Role.PARTNER_USER else None
    user = user_create(username=f"u-{role}", role=role, partner=partner, password=TEST_PASSWORD)
    assert [g.name for g in user.groups.all()] == [role]
    granted = set(user.get_all_permissions())
    assert granted == set(ROLE_PERMISSIONS[role])


def test_partner_user_without_partner_is_refused_with_a_field_message():
    with pytest.raises(ValidationError) as exc:
        user_create(username="lost", role=Role.PARTNER_USER, password=TEST_PASSWORD)
    assert exc.value.message_dict == {"partner": ["A partner user must belong to a partner."]}
    assert not User.objects.filter(username="lost").exists()


def test_staff_user_with_a_partner_is_refused():
    with pytest.raises(ValidationError) as exc:
        user_create(username="mixed", role=Role.COORDINATOR, partner=PartnerFactory(), password=TEST_PASSWORD)
    assert "partner" in exc.value.message_dict


def test_weak_password_is_refused_with_the_validators_messages():
    with pytest.raises(ValidationError) as exc:
        user_create(username="weak", role=Role.TRAINER, password="123")
    assert any("too short" in m for m in exc.value.message_dict["password"])


def test_duplicate_username_ignoring_case_is_refused():
    user_create(username="Alice", role=Role.TRAINER, password=TEST_PASSWORD)
    with pytest.raises(ValidationError) as exc:
        user_create(username="alice", role=Role.TRAINER, password=TEST_PASSWORD)
    assert "username" in exc.value.message_dict


def test_database_refuses_a_partner_user_without_a_partner_even_bypassing_services():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="raw", role=Role.PARTNER_USER, partner=None)


def test_database_refuses_staff_with_a_partner():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="raw2", role=Role.MANAGER, partner=PartnerFactory())


def test_password_is_stored_hashed_never_in_clear():
    user = user_create(username="hashy", role=Role.TRAINER, password=TEST_PASSWORD)
    user.refresh_from_db()
    assert TEST_PASSWORD not in user.password
    assert user.check_password(TEST_PASSWORD)
