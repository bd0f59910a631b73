from celery import Task, shared_task

from .partner_accounts import accounts_provision_run


@shared_task(bind=True)
def provision_partner_account(self: Task, order_id: int, platform: str) -> str:
    """O2: one partner account on one platform (takes an id and a platform name, never a model).
    The account's row says when its next attempt is due and which worker holds it."""
    return accounts_provision_run(order_id=order_id, platform=platform, delivery=self.request.id or "")
