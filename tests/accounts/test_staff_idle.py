"""#17: a staff session ends after STAFF_SESSION_IDLE_MINUTES without activity; a page's own polling
is not activity; partner users keep the working-day session."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/ports/?status=submitted"
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_PORTAL_POLL": "1"}


def signed_in_at(client, username, start):
    with time_machine.travel(start, tick=False):
        assert (
            client.post(reverse("accounts:login"), {"username": username, "password": TEST_PASSWORD}).status_code == 302
        )


def get_at(client, when, url=PAGE, **headers):
    with time_machine.travel(when, tick=False):
        return client.get(url, **headers)


@pytest.fixture
def start():
    return timezone.now()


def test_staff_idle_longer_than_the_limit_land_on_the_login_page_and_come_back_after(client, world, start):
    signed_in_at(client, "coordinator", start)
    assert get_at(client, start + timedelta(minutes=29)).status_code == 200
    ended = get_at(client, start + timedelta(minutes=29 + 31))
    assert ended.status_code == 302
    assert ended.url == f"{reverse('accounts:login')}?next={quote(PAGE, safe='/')}"
    login_page = client.get(ended.url).content.decode()
    assert "You were signed out after 30 minutes without activity" in login_page
    back = client.post(ended.url, {"username": "coordinator", "password": TEST_PASSWORD, "next": PAGE})
    assert back.status_code == 302 and back.url == PAGE
    (event,) = AuditEvent.objects.filter(action="login.idle_signed_out")
    assert event.actor == world.user(Role.COORDINATOR) and event.changes == {"idle_minutes": 30}


def test_the_limit_is_a_setting(client, world, start, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    signed_in_at(client, "manager", start)
    assert get_at(client, start + timedelta(minutes=6)).status_code == 302


def test_polling_does_not_keep_a_staff_session_alive(client, world, start):
    signed_in_at(client, "coordinator", start)
    for minute in range(2, 30, 2):
        assert get_at(client, start + timedelta(minutes=minute), **POLL).status_code == 200
    # An htmx poll after the limit is told to take the whole page to the login page.
    ended = get_at(client, start + timedelta(minutes=31), **POLL, HTTP_HX_CURRENT_URL=f"http://testserver{PAGE}")
    assert ended.status_code == 200
    assert ended["HX-Redirect"] == f"{reverse('accounts:login')}?next={quote(PAGE, safe='/')}"
    assert get_at(client, start + timedelta(minutes=32)).status_code == 302


def test_an_htmx_request_that_is_not_a_poll_counts_as_activity(client, world, start):
    signed_in_at(client, "coordinator", start)
    assert get_at(client, start + timedelta(minutes=20), HTTP_HX_REQUEST="true").status_code == 200
    assert get_at(client, start + timedelta(minutes=45)).status_code == 200


def test_partner_users_keep_the_working_day_session(client, world, start):
    signed_in_at(client, "acme_user", start)
    assert get_at(client, start + timedelta(hours=2)).status_code == 200


def test_an_api_call_with_an_idle_staff_session_is_refused_as_anonymous(client, world, start):
    signed_in_at(client, "coordinator", start)
    response = get_at(client, start + timedelta(minutes=31), url="/api/v1/partners/")
    assert response.status_code in (401, 403)
    assert get_at(client, start + timedelta(minutes=32)).status_code == 302


def test_every_polling_element_marks_its_requests_as_polls():
    """A new poll without the marker would keep idle staff sessions alive for ever."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    polling = [path for path in templates.rglob("*.html") if 'hx-trigger="every' in path.read_text()]
    assert len(polling) >= 3
    unmarked = [str(path) for path in polling if """hx-headers='{"X-Portal-Poll": "1"}'""" not in path.read_text()]
    assert unmarked == []
