from celery import shared_task

from expoe_portal.celery import EMAIL_RETRY


@shared_task
def evaluate_escalations():
    """Beat runs this every few minutes (E2). Safe to overlap with itself."""
    from .services import escalation_evaluate

    return str(escalation_evaluate())


@shared_task(**EMAIL_RETRY)
def notify_escalation_level(event_id: int):
    from .emails import send_level_email

    return send_level_email(event_id=event_id)
