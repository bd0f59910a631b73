from smtplib import SMTPException

from celery import shared_task


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def send_onboarding_email(order_id: int, kind: str):
    from .emails import send_order_email

    send_order_email(order_id=order_id, kind=kind)
