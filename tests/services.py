"""Tests that need a real service (PostgreSQL, Redis, Chromium) skip when it is absent locally.

In CI `PORTAL_REQUIRE_SERVICES=1` is set, which turns every such skip into a failure: CI must
never pass by skipping the tests it exists to run.
"""

import os
import socket
from urllib.parse import urlparse

import pytest

REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES", "") not in ("", "0", "false")


def missing_service(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (PORTAL_REQUIRE_SERVICES is set, so this cannot be skipped)")
    pytest.skip(reason)


def redis_url_or_skip() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        missing_service("REDIS_URL is not set: no Redis to test against")
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=2).close()
    except OSError as exc:
        missing_service(f"Redis at {url} is not reachable: {exc}")
    return url


def require_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        missing_service("this test needs PostgreSQL (set DATABASE_URL)")


CHROMIUM = "/usr/bin/chromium"


def chromium_or_skip() -> str:
    if not os.path.exists(CHROMIUM):
        missing_service(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM
