"""The benchmarks' settings: the test settings plus Django's admin, whose changelist is the baseline
every list page is measured against (bench/urls_admin.py). The admin lives here only: the portal
itself has no admin site."""

from expoe_portal.settings.test import *  # noqa: F403
from expoe_portal.settings.test import INSTALLED_APPS

# SimpleAdminConfig: no autodiscovery; bench/urls_admin.py registers the one ModelAdmin it measures.
INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin.apps.SimpleAdminConfig"]
ROOT_URLCONF = "bench.urls_admin"
