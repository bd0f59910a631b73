import pytest
from django.urls import reverse

from tests.services import redis_url_or_skip, require_postgresql

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_naming_the_broker_when_it_is_down(client, use_broker):
    use_broker("redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_healthz_checks_the_real_redis_broker_when_configured(client, use_broker):
    use_broker(redis_url_or_skip())
    assert client.get(reverse("healthz")).json()["broker"] == "ok"


def test_ci_database_is_postgresql():
    """CI must exercise PostgreSQL, not fall back to SQLite because DATABASE_URL went missing."""
    require_postgresql()
    from django.db import connection

    assert connection.vendor == "postgresql"
