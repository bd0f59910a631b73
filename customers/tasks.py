from celery import Task, shared_task

from .builds import build_run_next_step


@shared_task(bind=True)
def run_build_step(self: Task, build_id: int, step_id: int | None = None) -> str:
    """Run one step of a build (takes only ids: never a model or a password). The message's id lets
    a redelivery take back the step its killed first delivery was running. A message without a
    step (sent before builds became graphs) runs the first ready step."""
    return build_run_next_step(build_id=build_id, step_id=step_id, delivery=self.request.id or "")
