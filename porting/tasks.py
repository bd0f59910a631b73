from smtplib import SMTPException

from celery import shared_task


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def send_port_email(port_request_id: int, kind: str):
    from .emails import send_port_email as send

    send(port_request_id=port_request_id, kind=kind)


@shared_task
def add_ported_numbers_to_platform(port_request_id: int):
    """N1: put the ported numbers on the partner's BroadWorks service provider (takes an id only)."""
    from .platform import add_ported_numbers

    return add_ported_numbers(port_request_id=port_request_id)
