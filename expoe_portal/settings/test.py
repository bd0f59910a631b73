"""Tests: DATABASE_URL/REDIS_URL from the environment (CI sets both); SQLite otherwise."""

from .base import *  # noqa: F403
from .base import STORAGES, env

SECRET_KEY = "test-only-key-not-secret-7c5e3a1b9d2f4e6a8c0b2d4f6a8c0e2b"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Static files straight from the finders: no manifest to build first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Tasks run in-process unless a test starts a real worker against the real broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = True
# In memory: tests clear it between tests, which must never flush the Redis that CI's broker uses.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Emptied before each test (tests/conftest.py), so one test's failed log-ins never throttle the next.
    "throttles": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttles"},
}
# Builds in tests talk to no platform unless a test starts the simulators and sets these (in
# settings, or in the environment of a worker process it starts).
BROADWORKS_GATEWAY = env("TEST_BROADWORKS_GATEWAY", default="")
AKIXI_GATEWAY = env("TEST_AKIXI_GATEWAY", default="")
CALLCABINET_GATEWAY = env("TEST_CALLCABINET_GATEWAY", default="")
# Tests that need the second factor forced turn it on themselves (#17).
STAFF_MFA_REQUIRED = False
# Webhook receivers on this machine (a test's, a developer's) over plain HTTP (#18).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
WEBHOOK_ALLOW_HTTP = True
