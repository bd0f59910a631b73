import time

from celery import Task, shared_task
from django.conf import settings

from .builds import build_run_next_step
from .services import handover_passwords_expire


@shared_task(bind=True)
def run_build_step(self: Task, build_id: int, step_id: int | None = None) -> str:
    """Run one step of a build (takes only ids: never a model or a password). The message's id lets
    a redelivery take back the step its killed first delivery was running. A message without a
    step (sent before builds became graphs) runs the first ready step."""
    # Straight on to a step this one makes ready, for a third of the soft time limit at most.
    carry_on_until = time.monotonic() + settings.CELERY_TASK_SOFT_TIME_LIMIT / 3
    return build_run_next_step(
        build_id=build_id, step_id=step_id, delivery=self.request.id or "", carry_on_until=carry_on_until
    )


@shared_task
def expire_handover_passwords() -> str:
    """A2: daily, wipe generated passwords nobody was shown within HANDOVER_PASSWORD_DAYS of the build."""
    return f"{handover_passwords_expire()} wiped"
