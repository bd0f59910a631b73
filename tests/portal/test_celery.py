"""The Celery app's reliability settings (DESIGN.md) and a real round trip through Redis."""

import time
import uuid

import pytest
from django.conf import settings

from expoe_portal.celery import app
from tests.services import redis_url_or_skip


def test_reliability_settings_are_applied_to_the_app():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_hard_time_limit_stays_below_the_redis_visibility_timeout():
    assert settings.CELERY_TASK_TIME_LIMIT < settings.CELERY_REDIS_VISIBILITY_TIMEOUT


def test_without_redis_url_the_broker_is_the_embedded_filesystem_transport(monkeypatch):
    import importlib

    from expoe_portal.settings import base

    monkeypatch.delenv("REDIS_URL", raising=False)
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CELERY_BROKER_URL == "filesystem://"
        assert reloaded.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"].endswith("var/broker/queue")
    finally:
        importlib.reload(base)


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_on_a_real_worker_through_redis(use_broker):
    from celery.contrib.testing.worker import start_worker
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    # A queue of this test's own, as the worker stacks have (tests/integrations/conftest.py): the
    # default queue on CI's Redis is shared with the other test process.
    queue = f"celery-roundtrip-{uuid.uuid4().hex[:12]}"
    use_broker(redis_url_or_skip(), eager=False).conf.update(task_routes={"*": {"queue": queue}})
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now())

    from accounts.tasks import clear_expired_sessions

    # Watch the effect in the database rather than a result backend: the app's backend is cached
    # on first use, and the portal stores no task results anyway.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]):
        clear_expired_sessions.delay()
        deadline = time.monotonic() + 60  # a bound for a busy machine; it takes a second
        while Session.objects.filter(session_key=expired.session_key).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert not Session.objects.filter(session_key=expired.session_key).exists()
