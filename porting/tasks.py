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
def add_ported_numbers_to_platform(port_request_id: int, attempt: int = 1):
    """N1: put the ported numbers on the partner's BroadWorks service provider (takes an id and a
    counter only). Transient platform errors queue the next attempt with backoff, like build steps."""
    from integrations.base import TransientError
    from onboarding.builds import retry_delay

    from .platform import MAX_ATTEMPTS, add_ported_numbers, add_ported_numbers_gave_up

    try:
        return add_ported_numbers(port_request_id=port_request_id)
    except TransientError as exc:
        if attempt >= MAX_ATTEMPTS:
            return add_ported_numbers_gave_up(port_request_id=port_request_id, error=exc)
        add_ported_numbers_to_platform.apply_async((port_request_id, attempt + 1), countdown=retry_delay(attempt))
        return f"retrying: {exc}"


@shared_task
def sweep_ported_numbers():
    from .platform import ported_numbers_sweep

    return ported_numbers_sweep()
