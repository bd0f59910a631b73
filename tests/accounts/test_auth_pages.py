import pytest
from django.urls import reverse

from accounts.choices import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_right_password_reaches_home(client, world):
    response = client.post(reverse("accounts:login"), {"username": "coordinator", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")


def test_login_with_wrong_password_says_so_and_stays_on_the_form(client, world):
    response = client.post(reverse("accounts:login"), {"username": "coordinator", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_is_throttled_after_five_failures_even_with_the_right_password(client, world):
    url = reverse("accounts:login")
    for _ in range(5):
        client.post(url, {"username": "manager", "password": "wrong-guess"})
    response = client.post(url, {"username": "manager", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client, world):
    client.force_login(world.user(Role.TRAINER))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change_requires_the_old_password(client, world):
    user = world.user(Role.TRAINER)
    client.force_login(user)
    url = reverse("accounts:password_change")
    bad = client.post(
        url, {"old_password": "nope", "new_password1": "n3w-long-pass!", "new_password2": "n3w-long-pass!"}
    )
    assert "Your old password was entered incorrectly" in bad.content.decode()
    good = client.post(
        url,
        {"old_password": TEST_PASSWORD, "new_password1": "n3w-long-pass!", "new_password2": "n3w-long-pass!"},
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("n3w-long-pass!")


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.COORDINATOR, ["Partners", "Escalation matrix"], ["My partner"]),
        (Role.MANAGER, ["Partners", "Escalation matrix"], ["My partner"]),
        (Role.PARTNER_USER, ["My partner", "Escalation matrix"], ["Partners"]),
    ],
)
def test_navigation_follows_the_role(client, world, role, shown, hidden):
    client.force_login(world.user(role))
    response = client.get(reverse("escalations:contact_list"))
    labels = [item["label"] for item in response.context["nav_items"]]
    assert all(label in labels for label in shown)
    assert not any(label in labels for label in hidden)
