from celery import shared_task

from .builds import build_run_next_step
from .partner_accounts import accounts_provision_run


@shared_task(bind=True)
def run_build_step(self, build_id: int):
    """Run a build's next step (takes only the build's id: never a model or a password). The
    message's id lets a redelivery take back the step its killed first delivery was running."""
    return build_run_next_step(build_id=build_id, delivery=self.request.id or "")


@shared_task(bind=True)
def provision_partner_account(self, order_id: int, platform: str):
    """O2: one partner account on one platform (takes an id and a platform name, never a model).
    The account's row says when its next attempt is due and which worker holds it."""
    return accounts_provision_run(order_id=order_id, platform=platform, delivery=self.request.id or "")
