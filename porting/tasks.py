from celery import Task, shared_task

from .platform import add_ported_numbers


@shared_task(bind=True)
def add_ported_numbers_to_platform(self: Task, port_request_id: int) -> str:
    """N1, #18: bring the ported numbers on BroadWorks to what the request's status says: ready and
    inactive once accepted, active once completed, gone once cancelled (takes an id only).
    The request's row says when the next attempt is due and which worker holds it."""
    return add_ported_numbers(port_request_id=port_request_id, delivery=self.request.id or "")
