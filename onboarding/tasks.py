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


@shared_task
def run_build_step(build_id: int):
    """Run a build's next step (takes only the build's id: never a model or a password)."""
    from .builds import build_run_next_step

    return build_run_next_step(build_id=build_id)


@shared_task
def sweep_builds():
    from .builds import build_sweep

    return build_sweep()
