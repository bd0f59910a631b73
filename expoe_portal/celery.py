import os
from smtplib import SMTPException

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expoe_portal.settings.local")

app = Celery("expoe_portal")
# Every CELERY_* Django setting configures the app (see settings/base.py for the reliability ones).
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every email task: an unreachable mail server is retried with backoff (30 s doubling to 15 min,
# 8 times) before the task gives up. `@shared_task(**EMAIL_RETRY)`.
EMAIL_RETRY = {
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "max_retries": 8,
}

app.autodiscover_tasks()


def _ensure_filesystem_broker_folders():
    # kombu's filesystem transport expects its folders to exist; web, worker and beat all import
    # this module, so whichever starts first creates them.
    options = app.conf.broker_transport_options or {}
    if str(app.conf.broker_url).startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                os.makedirs(options[key], exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _ensure_filesystem_broker_folders(), weak=False)
