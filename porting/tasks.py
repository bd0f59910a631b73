from celery import shared_task

from expoe_portal.celery import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def send_port_email(port_request_id: int, kind: str):
    from .emails import send_port_email as send

    send(port_request_id=port_request_id, kind=kind)


@shared_task
def add_ported_numbers_to_platform(port_request_id: int, attempt: int = 1):
    """N1: put the ported numbers on the partner's BroadWorks service provider (takes an id and a
    counter only). Transient platform errors queue the next attempt with backoff, like build steps."""
    from onboarding.builds import run_retrying_transient

    from .platform import MAX_ATTEMPTS, add_ported_numbers, add_ported_numbers_gave_up

    return run_retrying_transient(
        add_ported_numbers_to_platform,
        (port_request_id,),
        attempt=attempt,
        max_attempts=MAX_ATTEMPTS,
        run=lambda: add_ported_numbers(port_request_id=port_request_id),
        give_up=lambda exc: add_ported_numbers_gave_up(port_request_id=port_request_id, error=exc),
    )


@shared_task
def sweep_ported_numbers():
    from .platform import ported_numbers_sweep

    return ported_numbers_sweep()
