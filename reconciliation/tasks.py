from celery import shared_task


@shared_task
def reconcile_nightly() -> str:
    """Beat runs this every night (#15): every built customer against each platform, read-only."""
    from .services import reconcile

    return reconcile().summary()


@shared_task
def reconcile_group(group_id: int) -> str:
    """One customer again, now (after a repair, or asked for on its page)."""
    from customers.models import CustomerGroup

    from .choices import RunTrigger
    from .services import reconcile

    group = CustomerGroup.objects.filter(pk=group_id).first()
    if group is None:
        return "no such customer"
    return reconcile(group=group, trigger=RunTrigger.PERSON).summary()
