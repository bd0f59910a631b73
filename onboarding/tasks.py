from celery import shared_task

from expoe_portal.celery import EMAIL_RETRY


@shared_task(**EMAIL_RETRY)
def send_onboarding_email(order_id: int, kind: str):
    from .emails import send_order_email

    send_order_email(order_id=order_id, kind=kind)


@shared_task(**EMAIL_RETRY)
def send_build_email(build_id: int, kind: str):
    """A build failed, or waits for a co-ordinator (takes the build's id and the kind only)."""
    from .build_emails import send_build_email as send

    return send(build_id=build_id, kind=kind)


@shared_task(bind=True)
def run_build_step(self, build_id: int):
    """Run a build's next step (takes only the build's id: never a model or a password). The
    message's id lets a redelivery take back the step its killed first delivery was running."""
    from .builds import build_run_next_step

    return build_run_next_step(build_id=build_id, delivery=self.request.id or "")


@shared_task
def sweep_builds():
    from .builds import build_sweep

    return build_sweep()


PARTNER_ACCOUNT_MAX_ATTEMPTS = 6


@shared_task
def provision_partner_account(order_id: int, platform: str, attempt: int = 1):
    """O2: one partner account on one platform (takes ids, a name and a counter, never a model).
    Transient platform errors queue the next attempt with backoff, like build steps do."""
    from .builds import run_retrying_transient
    from .partner_accounts import accounts_provision_gave_up, accounts_provision_run

    return run_retrying_transient(
        provision_partner_account,
        (order_id, platform),
        attempt=attempt,
        max_attempts=PARTNER_ACCOUNT_MAX_ATTEMPTS,
        run=lambda: accounts_provision_run(order_id=order_id, platform=platform),
        give_up=lambda exc: accounts_provision_gave_up(order_id=order_id, platform=platform, error=exc),
    )
