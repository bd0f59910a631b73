from celery import Task, shared_task


@shared_task(bind=True)
def deliver_webhook(self: Task, delivery_id: int) -> str:
    """Make one webhook delivery attempt (its id only; the message id lets a redelivered message
    take back its own claim)."""
    from .delivery import webhook_deliver

    return webhook_deliver(delivery_id=delivery_id, delivery=self.request.id or "")
