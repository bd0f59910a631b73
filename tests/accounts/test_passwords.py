"""#17: a password built from the user's own names or email is refused, with zxcvbn's reasons;
the test and demo passwords still pass."""

import secrets

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import Role
from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import User
from accounts.passwords import ZxcvbnValidator, user_inputs
from accounts.services import user_create
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def someone(**fields) -> User:
    return User(username="jsmith", first_name="Jane", last_name="Smith", email="jane.smith@acme.invalid", **fields)


@pytest.mark.parametrize("password", ["jsmithjsmith", "janesmith", "Jane.Smith1", "jane.smith@acme.invalid"])
def test_a_password_made_of_the_user_s_own_names_is_refused_with_the_reason(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, someone())
    messages = refused.value.messages
    assert any("too easy to guess" in message and "username" in message for message in messages), messages


def test_the_username_written_twice_is_refused_where_a_user_is_made():
    with pytest.raises(ValidationError) as refused:
        user_create(username="coordinator", role=Role.COORDINATOR, password="coordinatorcoordinator")
    assert any("too easy to guess" in message for message in refused.value.message_dict["password"])
    # zxcvbn's own feedback comes too, so the user knows what to change.
    assert any("Repeats like" in message for message in refused.value.message_dict["password"])


def test_the_user_s_details_are_what_zxcvbn_is_told():
    assert user_inputs(someone()) == ["jsmith", "jane", "smith", "jane.smith@acme.invalid", "jane.smith"]
    assert user_inputs(None) == []


def test_a_long_unrelated_password_passes_and_a_minimum_length_still_applies():
    validate_password(TEST_PASSWORD, someone())
    with pytest.raises(ValidationError, match="at least 10 characters"):
        validate_password("x7#Qp!z", someone())


def test_every_demo_login_keeps_its_password():
    """`make run` prints these logins; each demo user's password must pass for that user."""
    for username, role, _partner, first, last in DEMO_USERS:
        user = User(username=username, role=role, first_name=first, last_name=last, email=f"{username}@demo.invalid")
        validate_password(DEMO_PASSWORD, user)


def test_a_very_long_password_is_judged_on_its_first_72_characters_zxcvbn_s_limit():
    ZxcvbnValidator().validate(secrets.token_urlsafe(300), someone())
    with pytest.raises(ValidationError):
        ZxcvbnValidator().validate("jsmith" * 100, someone())


def test_the_password_change_page_refuses_the_username_twice(client, world):
    user = world.user(Role.TRAINER)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "trainertrainer", "new_password2": "trainertrainer"},
    )
    assert response.status_code == 200
    assert "too easy to guess" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_the_password_rules_read_as_plain_sentences_not_escaped_html(client, world):
    client.force_login(world.user(Role.TRAINER))
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Your password must be hard to guess: not built from your name" in page
    assert "&lt;li&gt;" not in page
