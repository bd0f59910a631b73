"""Durable work: the database, not the broker, says what is due and who is doing it.

A unit of platform work (a build step, a partner account, a completed port's numbers on BroadWorks,
an email) is a row with four columns (a queue may prefix their names):

    next_attempt_at  when it should next run: set when it is queued, and to now + backoff on a retry
    lease_until      until when a worker holds it; that worker's heartbeat renews it while it works
    claimed_by       which claim holds it (the id of the task message that claimed it)
    attempts         how often it was tried

A task message only wakes a worker. The worker claims the row with a compare-and-set, works under a
heartbeat, and records the outcome only while its claim still holds. Beat's sweeper wakes a worker
for every row that is due but was not picked up (its message died with a worker, or never left) and
for every row whose holder stopped renewing its lease (the worker died). A lost message therefore
costs at most one sweep, and two messages never run the same work twice: the claim decides.

Messages are sent by task name, so a service that queues work never imports the task module that
imports it back.
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Manager, Q, QuerySet
from django.db.models.options import Options
from django.utils import timezone
from django.utils.module_loading import import_string

from . import bounds

logger = logging.getLogger(__name__)

# Recorded when a row was claimed more often than it may be tried: each run died with its worker.
WORKER_STOPPED_EACH_TIME = "the worker running it stopped each time (killed, or over its time limit)"


def lease_length() -> timedelta:
    return timedelta(seconds=settings.WORK_LEASE_SECONDS)


def requeue_after() -> timedelta:
    """How long a due row may wait for its message before the sweeper sends another."""
    return timedelta(seconds=settings.WORK_REQUEUE_AFTER)


def retry_delay(attempts: int, *, base: int | None = None, cap: int | None = None) -> int:
    """Seconds before retrying a transient failure: doubling from the base, capped, and always well
    under the broker's visibility timeout so that a waiting retry is never redelivered as lost."""
    base = settings.WORK_RETRY_BASE_DELAY if base is None else base
    cap = min(settings.WORK_RETRY_MAX_DELAY if cap is None else cap, settings.CELERY_REDIS_VISIBILITY_TIMEOUT // 4)
    return max(0, min(base * 2 ** max(attempts - 1, 0), cap))


def send_task(name: str, args: tuple[Any, ...], *, countdown: int = 0) -> None:
    """Send a task by its name (through the task object, so tests' eager mode runs it in-process)."""
    from expoe_portal.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()  # web processes import task modules only when asked
    # celery-types allows only a float, but celery takes countdown=None (its default: no delay).
    app.tasks[name].apply_async(args, countdown=countdown or None)  # type: ignore[arg-type]


class QueueModel(Protocol):
    """A queue's model: a model class with its default `objects` manager (django-stubs gives every
    concrete model one, but not `type[Model]`)."""

    objects: ClassVar[Manager[Any]]
    _meta: ClassVar["Options[Any]"]


@dataclass(frozen=True)
class WorkQueue:
    """A model whose rows are units of work, and the task that does one.

    `runnable` narrows the model to the rows that still need work; `wake_args` names the columns
    whose values the task takes (never a model instance, never a secret); `take_back` are the
    changes made to a row whose holder died, besides releasing it (e.g. a build step's status)."""

    name: str
    model: type[QueueModel]
    task: str
    runnable: Q
    wake_args: tuple[str, ...] = ("pk",)
    prefix: str = ""
    take_back: dict[str, Any] = field(default_factory=dict)

    # --- column names ---------------------------------------------------------------------------
    @property
    def due_col(self) -> str:
        return f"{self.prefix}next_attempt_at"

    @property
    def lease_col(self) -> str:
        return f"{self.prefix}lease_until"

    @property
    def claim_col(self) -> str:
        return f"{self.prefix}claimed_by"

    @property
    def attempts_col(self) -> str:
        return f"{self.prefix}attempts"

    def _q(self, col: str, lookup: str, value: Any) -> Q:
        return Q(**{f"{col}__{lookup}" if lookup else col: value})

    # --- waking a worker --------------------------------------------------------------------------
    def wake(self, *args: Any, countdown: int = 0) -> None:
        """Send the task after the current transaction commits (at once outside one)."""
        transaction.on_commit(lambda: send_task(self.task, args, countdown=countdown))

    def due_now(self) -> dict[str, Any]:
        """The columns that queue a row to run now (merge into the update that queues it)."""
        return {self.due_col: timezone.now(), self.lease_col: None}

    # --- claiming and holding ---------------------------------------------------------------------
    def claim(self, pk: int, *, token: str, where: Q | None = None, **updates: Any) -> bool:
        """Take the row if nobody holds it (or its holder's lease lapsed), or if `token` holds it
        already: a message redelivered because its worker died takes back its own claim."""
        now = timezone.now()
        free = self._q(self.lease_col, "isnull", True) | self._q(self.lease_col, "lt", now)
        if token:
            free |= self._q(self.claim_col, "", token)
        claimed = (
            self.model.objects.filter(where if where is not None else self.runnable)
            .filter(free, pk=pk)
            .update(
                **{
                    self.lease_col: now + lease_length(),
                    self.claim_col: token,
                    self.attempts_col: F(self.attempts_col) + 1,
                },
                **updates,
            )
        )
        return bool(claimed)

    def held(self, pk: int, token: str) -> QuerySet[Any]:
        """The row, only while `token` still holds it (for compare-and-set updates of the outcome)."""
        return self.model.objects.filter(
            self._q(self.claim_col, "", token), self._q(self.lease_col, "isnull", False), pk=pk
        )

    def finish(self, pk: int, *, token: str, **fields: Any) -> bool:
        """Record the outcome and release the row, if this claim still holds it; False when the
        row was taken back meanwhile (then the outcome is dropped: the other run redoes the work,
        which reads the platform before it writes)."""
        return bool(self.held(pk, token).update(**{self.lease_col: None}, **self._within_limits(fields)))

    def _within_limits(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A platform's error can be any length: text is cut to its column's limit (expoe_portal.bounds)."""
        limited = dict(fields)
        for name, value in fields.items():
            limit = getattr(self.model._meta.get_field(name), "max_length", None)
            if isinstance(value, str) and limit:
                limited[name] = bounds.cut(value, limit)
        return limited

    def retry_later(self, pk: int, *, token: str, delay: int, wake_args: tuple[Any, ...], **fields: Any) -> bool:
        """Release the row to run again in `delay` seconds, and send its (countdown) message. If that
        message is lost, the row is still due in the database, and the sweeper wakes it."""
        released = self.finish(pk, token=token, **{self.due_col: timezone.now() + timedelta(seconds=delay)}, **fields)
        if released:
            self.wake(*wake_args, countdown=delay)
        return released

    @contextmanager
    def heartbeat(self, pk: int, token: str) -> Iterator[None]:
        """While the block runs, renew the lease every third of its length from a thread, so that a
        worker that dies is noticed within one lease and a slow platform call is never taken back.

        Past the task time limit it stops renewing: the worker's thread pool enforces no time limit
        (a process pool kills the child), so a run hung that long lets its lease lapse and the work is
        taken back; its claim is gone, so whatever the hung run records later is dropped."""
        stop = threading.Event()
        interval = settings.WORK_LEASE_SECONDS / 3
        give_up_at = time.monotonic() + settings.CELERY_TASK_TIME_LIMIT

        def renew() -> None:
            try:
                while not stop.wait(interval):
                    if time.monotonic() > give_up_at:
                        logger.warning("%s %s ran past the task time limit; its lease will lapse", self.name, pk)
                        return
                    if not self.held(pk, token).update(**{self.lease_col: timezone.now() + lease_length()}):
                        return  # finished or taken back: nothing left to renew
            except Exception:
                logger.exception("heartbeat of %s %s failed; its lease will lapse", self.name, pk)
            finally:
                connections.close_all()  # this thread's own connections

        thread = threading.Thread(target=renew, name=f"heartbeat-{self.name}-{pk}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=10)

    # --- the sweeper and health ---------------------------------------------------------------------
    def _lapsed(self, now: datetime) -> Q:
        return self._q(self.lease_col, "lt", now)

    def _lost(self, now: datetime) -> Q:
        return self._q(self.lease_col, "isnull", True) & self._q(self.due_col, "lte", now - requeue_after())

    def stuck(self) -> QuerySet[Any]:
        """Rows nothing live moves: due for longer than a message takes to arrive, yet unclaimed, or
        claimed by a worker that stopped renewing its lease."""
        now = timezone.now()
        return self.model.objects.filter(self.runnable).filter(self._lapsed(now) | self._lost(now))

    def sweep(self, *, where: Q | None = None, limit: int = 500) -> list[tuple[Any, ...]]:
        """Wake a worker for each stuck row (taking back those whose holder died), marking each due
        now so that the next sweep leaves it to this message for a while. Returns the wake
        arguments sent, one tuple per row."""
        rows = self.stuck().filter(where or Q())
        stuck = list(rows.order_by(self.due_col, "pk").values("pk", self.lease_col, *self.wake_args)[:limit])
        woken = []
        now = timezone.now()
        for row in stuck:
            updates: dict[str, Any] = {self.due_col: now}
            condition = self._lost(now)
            if row[self.lease_col] is not None:
                updates |= {self.lease_col: None, **self.take_back}
                condition = self._lapsed(now)
            with transaction.atomic():
                if self.model.objects.filter(self.runnable).filter(condition, pk=row["pk"]).update(**updates):
                    args = tuple(row[name] for name in self.wake_args)
                    self.wake(*args)
                    woken.append(args)
        if woken:
            logger.info("sweeper woke %d %s", len(woken), self.name)
        return woken

    def due_not_running(self) -> QuerySet[Any]:
        """Rows that should be running by now and that no live worker holds."""
        now = timezone.now()
        free = self._q(self.lease_col, "isnull", True) | self._lapsed(now)
        return self.model.objects.filter(self.runnable).filter(free, self._q(self.due_col, "lte", now))


def new_token(delivery: str = "") -> str:
    """The claim's token: the task message's id (so a redelivery recognises its own claim), or a
    fresh one when the work runs outside a task."""
    return delivery or f"local-{uuid.uuid4().hex}"


def work_queues() -> list[WorkQueue]:
    """Every durable work queue of the portal (settings.WORK_QUEUES), for the sweeper and health."""
    return [import_string(path) for path in settings.WORK_QUEUES]
