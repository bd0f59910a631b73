"""What is alive: the database, the broker, the workers, beat, the durable work queues and the
platforms. `/healthz` shows the states (no names, no error texts: it answers anyone); the staff page
shows the detail. The web answers 200 while the database and broker answer (liveness); a missing
worker or beat, or work that waits too long, makes it "degraded", still 200, with the reason."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from .choices import EmailStatus, ProcessKind
from .work import work_queues

logger = logging.getLogger(__name__)

OK, ERROR, DOWN, BEHIND, UNKNOWN = "ok", "error", "down", "behind", "unknown"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health: database check failed")
        return False


def broker_ok() -> bool:
    from expoe_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.HEALTHZ_BROKER_TIMEOUT)
        return True
    except Exception:
        logger.exception("health: broker check failed")
        return False


@dataclass
class QueueState:
    """One work queue's rows that are due and that no live worker holds."""

    name: str
    count: int
    oldest: datetime | None
    checked_at: datetime

    @property
    def waiting_seconds(self) -> int:
        return int((self.checked_at - self.oldest).total_seconds()) if self.oldest else 0

    @property
    def behind(self) -> bool:
        """Waiting longer than the sweeper takes to re-send a lost message: no worker takes work."""
        return self.waiting_seconds > settings.WORK_REQUEUE_AFTER + 2 * settings.WORK_SWEEP_INTERVAL


@dataclass
class Health:
    database: bool
    broker: bool
    processes: list = field(default_factory=list)  # Heartbeat rows (values)
    work: list[QueueState] = field(default_factory=list)
    platforms: dict = field(default_factory=dict)  # platform: its last ExternalCall (values)
    failed_emails: int = 0
    checked_at: datetime = field(default_factory=timezone.now)

    def is_alive(self, process: dict) -> bool:
        return process["last_seen"] >= self.checked_at - timedelta(seconds=settings.HEALTH_STALE_AFTER)

    def alive(self, kind: str) -> list:
        return [p for p in self.processes if p["kind"] == kind and self.is_alive(p)]

    def last_seen(self, kind: str) -> datetime | None:
        return max((p["last_seen"] for p in self.processes if p["kind"] == kind), default=None)

    @property
    def oldest_due(self) -> QueueState | None:
        return max((queue for queue in self.work if queue.oldest), key=lambda q: q.waiting_seconds, default=None)

    @property
    def work_behind(self) -> bool:
        return any(queue.behind for queue in self.work)

    @property
    def live(self) -> bool:
        """The web's liveness: it can serve pages and queue work."""
        return self.database and self.broker

    @property
    def status(self) -> str:
        if not self.live:
            return ERROR
        degraded = not self.alive(ProcessKind.WORKER) or not self.alive(ProcessKind.BEAT) or self.work_behind
        return "degraded" if degraded else OK

    def as_json(self) -> dict:
        """The public body of /healthz: states and times only."""
        known = self.database
        oldest = self.oldest_due
        workers = self.alive(ProcessKind.WORKER)
        components = {
            "database": {"state": OK if self.database else ERROR},
            "broker": {"state": OK if self.broker else ERROR},
            "workers": {
                "state": (OK if workers else DOWN) if known else UNKNOWN,
                "alive": len(workers),
                "last_seen": _iso(self.last_seen(ProcessKind.WORKER)),
            },
            "beat": {
                "state": (OK if self.alive(ProcessKind.BEAT) else DOWN) if known else UNKNOWN,
                "last_tick": _iso(self.last_seen(ProcessKind.BEAT)),
            },
            "work": {
                "state": (BEHIND if self.work_behind else OK) if known else UNKNOWN,
                "oldest_due": (
                    {"queue": oldest.name, "due_at": _iso(oldest.oldest), "waiting_seconds": oldest.waiting_seconds}
                    if oldest
                    else None
                ),
            },
            "platforms": {
                name: {"last_call_at": _iso(call["started_at"]), "outcome": call["outcome"]} if call else None
                for name, call in self.platforms.items()
            },
        }
        return {
            "status": self.status,
            "database": components["database"]["state"],
            "broker": components["broker"]["state"],
            "components": components,
        }

    def page_context(self) -> dict:
        """The staff page's view of the same check: names, counts and the platforms' last errors."""
        from integrations.choices import Platform

        return {
            "health": self,
            "body": self.as_json(),
            "processes": [
                {**p, "kind_label": ProcessKind(p["kind"]).label, "alive": self.is_alive(p)} for p in self.processes
            ],
            "work": self.work,
            "platforms": [{"label": p.label, "call": self.platforms.get(p.value)} for p in Platform],
            "stale_after": settings.HEALTH_STALE_AFTER,
            "requeue_after": settings.WORK_REQUEUE_AFTER,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def health_check() -> Health:
    """One look at everything; the database parts only when the database answers."""
    from integrations.choices import Platform
    from integrations.models import ExternalCall

    from .models import Heartbeat, OutboundEmail

    health = Health(database=database_ok(), broker=broker_ok())
    if not health.database:
        return health
    try:
        health.processes = list(
            Heartbeat.objects.order_by("kind", "-last_seen").values("kind", "name", "pid", "started_at", "last_seen")
        )
        for queue in work_queues():
            due = queue.due_not_running().aggregate(n=Count("pk"), oldest=Min(queue.due_col))
            health.work.append(QueueState(queue.name, due["n"], due["oldest"], health.checked_at))
        health.platforms = {
            platform.value: ExternalCall.objects.filter(platform=platform)
            .order_by("-started_at")
            .values("started_at", "outcome", "operation", "error")
            .first()
            for platform in Platform
        }
        health.failed_emails = OutboundEmail.objects.filter(status=EmailStatus.FAILED).count()
    except Exception:
        logger.exception("health: reading the heartbeats and work queues failed")
        health.database = False
    return health
