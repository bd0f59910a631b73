"""/healthz: liveness for load balancers (200 while the database and broker answer), and what is
alive behind the web (issue #11): workers, beat, work waiting for a worker, the platforms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from expoe_portal.models import Heartbeat
from tests.services import redis_url_or_skip, require_postgresql

pytestmark = pytest.mark.django_db

COMPONENTS = {"database", "broker", "workers", "beat", "work", "platforms"}


def beat_of(kind: str, name: str, *, ago: int = 0) -> Heartbeat:
    seen = timezone.now() - timedelta(seconds=ago)
    return Heartbeat.objects.create(kind=kind, name=name, pid=4242, started_at=seen, last_seen=seen)


def test_healthz_lists_every_component_and_says_no_worker_is_running_while_answering_200(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, "the web is alive: load balancers keep sending traffic"
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("degraded", "ok", "ok")
    components = body["components"]
    assert set(components) == COMPONENTS
    assert components["workers"] == {"state": "down", "alive": 0, "last_seen": None}
    assert components["beat"] == {"state": "down", "last_tick": None}
    assert components["work"] == {"state": "ok", "oldest_due": None}
    assert components["platforms"] == {"broadworks": None, "akixi": None, "callcabinet": None}


def test_healthz_is_ok_with_a_live_worker_and_beat_and_never_names_them(client):
    beat_of("worker", "celery@worker-host-17", ago=5)
    beat_of("beat", "beat@beat-host-3", ago=10)
    response = client.get(reverse("healthz"))
    body = response.json()
    assert body["status"] == "ok"
    assert body["components"]["workers"]["state"] == "ok" and body["components"]["workers"]["alive"] == 1
    assert body["components"]["beat"]["state"] == "ok"
    text = response.content.decode()
    assert "worker-host-17" not in text and "beat-host-3" not in text and '"pid"' not in text


def test_a_worker_silent_for_more_than_a_minute_counts_as_gone(client, settings):
    beat_of("worker", "celery@old", ago=settings.HEALTH_STALE_AFTER + 5)
    beat_of("beat", "beat@b", ago=1)
    workers = client.get(reverse("healthz")).json()["components"]["workers"]
    assert (workers["state"], workers["alive"]) == ("down", 0)
    assert workers["last_seen"] is not None


def test_work_due_long_ago_that_no_worker_holds_shows_as_behind_with_its_queue(client, world, settings):
    from customers import builds
    from customers.services import customer_group_create
    from tests.customers.build_request_data import stock_pool, valid_request

    beat_of("worker", "celery@w", ago=1)
    beat_of("beat", "beat@b", ago=1)
    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    build, _ = builds.build_start(by=world.user(Role.COORDINATOR), group=group)  # its message never runs here
    due = timezone.now() - timedelta(minutes=5)
    build.steps.filter(position=0).update(next_attempt_at=due)
    body = client.get(reverse("healthz")).json()
    work = body["components"]["work"]
    assert body["status"] == "degraded" and work["state"] == "behind"
    assert work["oldest_due"]["queue"] == "build steps" and work["oldest_due"]["waiting_seconds"] >= 300


def test_each_platforms_last_call_is_shown_without_its_error_text(client):
    from integrations.models import ExternalCall

    ExternalCall.objects.create(
        platform="akixi", operation="add_partition", outcome="permanent_error", error="secret-ish"
    )
    platforms = client.get(reverse("healthz")).json()["components"]["platforms"]
    assert platforms["akixi"]["outcome"] == "permanent_error" and platforms["akixi"]["last_call_at"]
    assert platforms["broadworks"] is None
    assert "secret-ish" not in str(platforms)


def test_healthz_is_503_naming_the_broker_when_it_is_down(client, use_broker):
    use_broker("redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("error", "ok", "error")


def test_healthz_checks_the_real_redis_broker_when_configured(client, use_broker):
    use_broker(redis_url_or_skip())
    assert client.get(reverse("healthz")).json()["broker"] == "ok"


def test_the_system_page_shows_staff_the_processes_by_name_and_partner_users_nothing(client, world):
    beat_of("worker", "celery@worker-host-17", ago=5)
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("system_health")).content.decode()
    assert "celery@worker-host-17" in page and "alive" in page
    assert "Beat is not running" in page
    client.force_login(world.user(Role.PARTNER_USER))
    assert client.get(reverse("system_health")).status_code == 403


def test_ci_database_is_postgresql():
    """CI must exercise PostgreSQL, not fall back to SQLite because DATABASE_URL went missing."""
    require_postgresql()
    from django.db import connection

    assert connection.vendor == "postgresql"
