"""The demo and development: SQLite and the embedded broker unless DATABASE_URL/REDIS_URL say otherwise."""

from .base import *  # noqa: F403
from .base import STORAGES, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-3f9c1a7e5b2d4e6f8a0b1c2d3e4f5a6b")
# Static files are served from the packages directly (no collectstatic step for the demo).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Static files straight from the finders: no manifest to build first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# The demo's logins work without a second factor; enrolment is offered, not forced (#17).
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=False)
# Webhook receivers on this machine (a test's, a developer's) over plain HTTP (#18).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
WEBHOOK_ALLOW_HTTP = True
