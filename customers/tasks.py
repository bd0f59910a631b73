from celery import Task, shared_task

from .builds import build_run_next_step


@shared_task(bind=True)
def run_build_step(self: Task, build_id: int) -> str:
    """Run a build's next step (takes only the build's id: never a model or a password). The
    message's id lets a redelivery take back the step its killed first delivery was running."""
    return build_run_next_step(build_id=build_id, delivery=self.request.id or "")
