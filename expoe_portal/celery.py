import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

from .heartbeats import WorkerHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expoe_portal.settings.local")

app = Celery("expoe_portal")
# Every CELERY_* Django setting configures the app (see settings/base.py for the reliability ones).
app.config_from_object("django.conf:settings", namespace="CELERY")

app.autodiscover_tasks()


def _retire_old_connections(sender=None, **kwargs) -> None:
    # Around a task as around a web request: a connection past CONN_MAX_AGE, or broken, is closed;
    # a healthy one is kept (CELERY_DB_REUSE_MAX stops Celery closing every one). Never in eager
    # mode, whose task runs inside the caller's transaction.
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()


task_prerun.connect(_retire_old_connections, weak=False)
task_postrun.connect(_retire_old_connections, weak=False)

# Every worker records a heartbeat row, so health can tell whether any worker is alive.
app.steps["worker"].add(WorkerHeartbeat)


def _ensure_filesystem_broker_folders():
    # kombu's filesystem transport expects its folders to exist; web, worker and beat all import
    # this module, so whichever starts first creates them.
    options = app.conf.broker_transport_options or {}
    if str(app.conf.broker_url).startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                os.makedirs(options[key], exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _ensure_filesystem_broker_folders(), weak=False)
