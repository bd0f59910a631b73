"""The benchmarks' settings: the test settings plus Django's admin, whose changelist is the baseline
every list page is measured against (bench/urls_admin.py). The admin lives here only: the portal
itself has no admin site."""

from expoe_portal.settings import base
from expoe_portal.settings.test import *  # noqa: F403
from expoe_portal.settings.test import INSTALLED_APPS

# With Redis, the cache every process shares, as in production (base settings): the tests' cache is
# one per process, so gunicorn's two workers would each count the same figures, and a change seen
# by one would not reach the other.
if base.REDIS_URL:
    CACHES = base.CACHES

# SimpleAdminConfig: no autodiscovery; bench/urls_admin.py registers the one ModelAdmin it measures.
INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin.apps.SimpleAdminConfig"]
ROOT_URLCONF = "bench.urls_admin"
