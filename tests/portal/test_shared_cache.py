"""Several web hosts share one cache (Redis), so the API's throttles count a client's requests
whichever host answers; without Redis (the demo, tests without services) the cache is the
process's own memory."""

import runpy
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches

from expoe_portal.api import TokenThrottle
from expoe_portal.settings import base as base_settings
from tests.factories import TEST_PASSWORD
from tests.services import redis_url_or_skip

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def settings_from_environment(monkeypatch, **environment) -> dict:
    """The settings base.py makes from the environment (run afresh, not the loaded ones)."""
    for name in ("REDIS_URL", "REDIS_CACHE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(base_settings.__file__)), run_name="settings_probe")


def test_the_cache_is_redis_when_redis_url_is_set_and_files_the_demo_s_processes_share_otherwise(monkeypatch):
    shared = settings_from_environment(monkeypatch, REDIS_URL="redis://cache.internal:6379/3")["CACHES"]["default"]
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["LOCATION"] == "redis://cache.internal:6379/3" and shared["KEY_PREFIX"]
    apart = settings_from_environment(
        monkeypatch, REDIS_URL="redis://cache.internal:6379/3", REDIS_CACHE_URL="redis://cache.internal:6379/4"
    )["CACHES"]["default"]
    assert apart["LOCATION"] == "redis://cache.internal:6379/4"
    alone = settings_from_environment(monkeypatch)["CACHES"]["default"]
    assert alone["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"


def test_two_web_hosts_count_one_token_throttle_through_redis(api_client, world, settings, monkeypatch):
    redis_url = redis_url_or_skip()
    configured = settings_from_environment(monkeypatch, REDIS_URL=redis_url)["CACHES"]["default"]
    # A prefix of this test's own, so no other run's counts on the same Redis meet these.
    settings.CACHES = {"default": {**configured, "KEY_PREFIX": f"test-throttle-{uuid.uuid4().hex[:12]}"}}
    host_a, host_b = caches.create_connection("default"), caches.create_connection("default")
    pool_a, pool_b = (host._cache._get_connection_pool(write=True) for host in (host_a, host_b))
    assert pool_a is not pool_b, "each host has its own connections to Redis"
    credentials = {"username": "acme_user", "password": TEST_PASSWORD}
    try:
        # The limit is 10 a minute: five requests answered by each host use it up on both.
        for host in [host_a, host_b] * 5:
            monkeypatch.setattr(TokenThrottle, "cache", host)
            assert api_client.post(TOKEN, credentials).status_code == 200
        for host in (host_a, host_b):
            monkeypatch.setattr(TokenThrottle, "cache", host)
            refused = api_client.post(TOKEN, credentials)
            assert refused.status_code == 429, refused.content
    finally:
        host_a.delete("throttle_token_127.0.0.1")
        host_a.close()
        host_b.close()
