from celery import shared_task


@shared_task
def evaluate_escalations() -> str:
    """Beat runs this every few minutes (E2). Safe to overlap with itself."""
    from .services import escalation_evaluate

    return str(escalation_evaluate())
