import logging

from celery import Task, shared_task

from .outbox import email_send
from .work import work_queues

logger = logging.getLogger(__name__)


@shared_task(bind=True)
def send_email(self: Task, email_id: int) -> str:
    """Send one email of the outbox (takes its id only; the message id lets a redelivery take back
    its own claim)."""
    return email_send(email_id=email_id, delivery=self.request.id or "")


@shared_task
def sweep_work() -> dict[str, int]:
    """Beat, every WORK_SWEEP_INTERVAL: in every durable work queue, wake what is due but was not
    picked up and take back what a dead worker held. One queue's fault does not stop the others."""
    woken: dict[str, int] = {}
    for queue in work_queues():
        try:
            woken[queue.name] = len(queue.sweep())
        except Exception:
            logger.exception("sweeping %s failed", queue.name)
    return woken
