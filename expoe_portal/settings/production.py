"""Production: every secret and address comes from the environment; none has a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_REDIS_VISIBILITY_TIMEOUT, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_REDIS_VISIBILITY_TIMEOUT}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# A Prometheus on the host scrapes the web directly over http (expoe_portal/metrics.py).
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# The platforms: no simulator defaults in production; every address and credential is set.
BROADWORKS_HOST = env("BROADWORKS_HOST")
BROADWORKS_TLS = env.bool("BROADWORKS_TLS", default=True)
BROADWORKS_PORT = env.int("BROADWORKS_PORT", default=2209 if BROADWORKS_TLS else 2208)
BROADWORKS_USERNAME = env("BROADWORKS_USERNAME")
BROADWORKS_PASSWORD = env("BROADWORKS_PASSWORD")
AKIXI_BASE_URL = env("AKIXI_BASE_URL")
# Akixi takes an API key or its documented session login (username and password): one of the two.
AKIXI_API_KEY = env("AKIXI_API_KEY", default="")
AKIXI_USERNAME = env("AKIXI_USERNAME", default="")
AKIXI_PASSWORD = env("AKIXI_PASSWORD", default="")
if not AKIXI_API_KEY and not (AKIXI_USERNAME and AKIXI_PASSWORD):
    raise ImproperlyConfigured("Set AKIXI_API_KEY, or AKIXI_USERNAME and AKIXI_PASSWORD (Akixi's session login).")
# K4: the Telephony Server that holds the customers' partitions, and the Akixi environment.
AKIXI_TELSYS_ID = env.int("AKIXI_TELSYS_ID")
AKIXI_CM_ENVIRONMENT_ID = env("AKIXI_CM_ENVIRONMENT_ID")
CALLCABINET_BASE_URL = env("CALLCABINET_BASE_URL", default="")
CALLCABINET_API_KEY = env("CALLCABINET_API_KEY", default="")
CALLCABINET_MODE = env("CALLCABINET_MODE", default="manual" if not CALLCABINET_BASE_URL else "api")
