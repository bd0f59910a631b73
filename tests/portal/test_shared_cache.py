"""Several web hosts share one cache (Redis), so the API's throttles count a client's requests
whichever host answers; without Redis the throttles count in the database, which every process of
the demo (and every host) shares too (#17: 429 on the eleventh try in a minute, across workers)."""

import runpy
import threading
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections

from expoe_portal.api import TokenThrottle
from expoe_portal.settings import base as base_settings
from tests.factories import TEST_PASSWORD
from tests.services import redis_url_or_skip

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
RIGHT = {"username": "acme_user", "password": TEST_PASSWORD}


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


def test_throttles_count_in_redis_when_there_is_one_and_in_the_database_otherwise(monkeypatch):
    shared = settings_from_environment(monkeypatch, REDIS_URL="redis://cache.internal:6379/3")["CACHES"]
    assert shared["throttles"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["throttles"]["LOCATION"] == "redis://cache.internal:6379/3"
    assert shared["throttles"]["KEY_PREFIX"] != shared["default"]["KEY_PREFIX"]
    alone = settings_from_environment(monkeypatch)["CACHES"]["throttles"]
    assert alone["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert TokenThrottle.cache is caches["throttles"]


def eleven_tries(api_client, monkeypatch, host_a, host_b) -> None:
    """Ten tries in a minute, five answered by each host (wrong passwords first, then right ones),
    then an eleventh on either host: refused."""
    for n, host in enumerate([host_a, host_b] * 5):
        monkeypatch.setattr(TokenThrottle, "cache", host)
        if n < 5:  # a different name each time, so that axes' lockout (5 per name) plays no part
            wrong = api_client.post(TOKEN, {"username": f"guess-{n}", "password": "wrong-guess"})
            assert wrong.status_code == 400, wrong.content
        else:
            assert api_client.post(TOKEN, RIGHT).status_code == 200
    for host in (host_a, host_b):
        monkeypatch.setattr(TokenThrottle, "cache", host)
        refused = api_client.post(TOKEN, RIGHT)
        assert refused.status_code == 429, refused.content


def test_two_web_hosts_count_one_token_throttle_through_redis(api_client, world, settings, monkeypatch):
    redis_url = redis_url_or_skip()
    configured = settings_from_environment(monkeypatch, REDIS_URL=redis_url)["CACHES"]["throttles"]
    # A prefix of this test's own, so no other run's counts on the same Redis meet these.
    settings.CACHES = {**settings.CACHES, "throttles": {**configured, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}}
    host_a, host_b = caches.create_connection("throttles"), caches.create_connection("throttles")
    pool_a, pool_b = (host._cache._get_connection_pool(write=True) for host in (host_a, host_b))
    assert pool_a is not pool_b, "each host has its own connections to Redis"
    try:
        eleven_tries(api_client, monkeypatch, host_a, host_b)
    finally:
        host_a.delete("throttle_token_127.0.0.1")
        host_a.close()
        host_b.close()


@pytest.mark.django_db(transaction=True)
def test_without_redis_two_web_processes_count_one_token_throttle_in_the_database(api_client, world, settings):
    """Each host's tries run in a thread of their own, so each uses its own database connection (as
    two gunicorn workers do) and commits what it counts; the other sees it."""
    settings.CACHES = {
        **settings.CACHES,
        "throttles": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_throttle_cache"},
    }
    call_command("createcachetable", "--database", "default")
    hosts = [caches.create_connection("throttles"), caches.create_connection("throttles")]
    answers: list[int] = []
    wrappers = []  # each thread's own database connection

    def host_answers(host, tries):
        try:
            wrappers.append(connections["default"])
            for credentials in tries:
                TokenThrottle.cache = host  # (class attribute; the threads run one after the other)
                answers.append(api_client.post(TOKEN, credentials).status_code)
        finally:
            connections["default"].close()

    wrong = [{"username": f"guess-{n}", "password": "wrong-guess"} for n in range(5)]
    original = TokenThrottle.__dict__["cache"]
    try:
        for host, tries in ((hosts[0], wrong), (hosts[1], [RIGHT] * 5), (hosts[0], [RIGHT]), (hosts[1], [RIGHT])):
            thread = threading.Thread(target=host_answers, args=(host, tries))
            thread.start()
            thread.join()
    finally:
        TokenThrottle.cache = original
        hosts[0].clear()
    assert answers == [400] * 5 + [200] * 5 + [429, 429]
    assert len({id(wrapper) for wrapper in wrappers}) == 4 and connections["default"] not in wrappers


@pytest.mark.django_db(transaction=True)
def test_every_migrate_makes_the_throttles_table(settings):
    """Wherever migrate runs (make run, the compose job, an operator by hand), the table is there."""
    table = f"test_throttle_{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        **settings.CACHES,
        "throttles": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table},
    }
    try:
        call_command("migrate", "portal", verbosity=0)
        assert table in connections["default"].introspection.table_names()
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
