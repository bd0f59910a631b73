"""Workers and beat say they are alive by writing a Heartbeat row; health reads them.

- A worker writes from its own timer (the event loop's, where there is one), so a worker whose main
  loop is stuck stops beating too. Celery's remote `inspect ping` would need a broadcast exchange,
  which the demo's filesystem broker lacks; a row works on every broker.
- Beat writes from its scheduler's tick, so "beat's last tick" means exactly that.

Each write opens and closes its own database connection: the worker's main process forks its pool
children, and a child must not inherit an open connection.
"""

import logging
import os
import time

from celery import bootsteps
from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .choices import ProcessKind

logger = logging.getLogger(__name__)


def heartbeat_record(*, kind: str, name: str, started: bool = False) -> None:
    """This process is alive. A (re)started one (`started`) begins its row afresh, so that "up since"
    is this process's start; a process that cannot write its row says so in its log and carries on."""
    from .models import Heartbeat

    try:
        now = timezone.now()
        seen = Heartbeat.objects.filter(kind=kind, name=name)
        if started or not seen.update(last_seen=now, pid=os.getpid()):
            Heartbeat.objects.update_or_create(
                kind=kind, name=name, defaults={"pid": os.getpid(), "started_at": now, "last_seen": now}
            )
    except Exception:
        logger.exception("could not record the %s heartbeat of %s", kind, name)
    finally:
        connection.close()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Added to every worker (expoe_portal.celery): beats every PROCESS_HEARTBEAT_INTERVAL seconds."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        heartbeat_record(kind=ProcessKind.WORKER, name=worker.hostname, started=True)
        self.tref = worker.timer.call_repeatedly(
            settings.PROCESS_HEARTBEAT_INTERVAL,
            heartbeat_record,
            kwargs={"kind": ProcessKind.WORKER, "name": worker.hostname},
            priority=10,
        )

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


class RecordingScheduler(PersistentScheduler):
    """Celery's own persistent scheduler that also records its ticks (CELERY_BEAT_SCHEDULER)."""

    def __init__(self, *args, **kwargs):
        # Before the base class's __init__, which calls setup_schedule.
        self._name = f"beat@{os.uname().nodename}"
        self._last_recorded = 0.0
        super().__init__(*args, **kwargs)

    def setup_schedule(self):
        super().setup_schedule()
        heartbeat_record(kind=ProcessKind.BEAT, name=self._name, started=True)
        self._last_recorded = time.monotonic()

    def tick(self, *args, **kwargs):
        delay = super().tick(*args, **kwargs)
        now = time.monotonic()
        if now - self._last_recorded >= settings.PROCESS_HEARTBEAT_INTERVAL:
            self._last_recorded = now
            heartbeat_record(kind=ProcessKind.BEAT, name=self._name)
        # Wake often enough to beat on time even when the next task is far off.
        return min(delay, settings.PROCESS_HEARTBEAT_INTERVAL)
