from smtplib import SMTPException

from celery import shared_task


@shared_task
def evaluate_escalations():
    """Beat runs this every few minutes (E2). Safe to overlap with itself."""
    from .services import escalation_evaluate

    return str(escalation_evaluate())


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def notify_escalation_level(event_id: int):
    from .emails import send_level_email

    return send_level_email(event_id=event_id)
