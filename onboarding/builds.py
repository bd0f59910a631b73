"""Running a customer group's build: one step at a time, each its own task, safe to repeat.

Flow: `build_start` (a person presses Build, or retries) → `run_build_step` task →
`build_run_next_step` claims the next pending step with a compare-and-set (so two deliveries of the
same task never run a step twice), runs it against the platforms outside any transaction (each
platform call leaves its ExternalCall row), then records the outcome and queues the next step after
commit. Transient platform errors retry with capped backoff; permanent ones fail the build with the
platform's reason; "retry" resumes at the failed step. `build_sweep` re-queues steps whose worker
died (lease expired).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_fsm import ConcurrentTransition

from accounts.choices import PLATFORM_OPERATORS
from accounts.services import audit_record

from .choices import BuildStatus, BuildStepName, StepStatus
from .models import BuildStep, CustomerGroup, ServiceBuild

# A gateway in manual mode raises PermanentError with this code and the instructions for a person.
MANUAL_STEP = "manual"
WAITING_FOR_PERSON = "Waiting for a co-ordinator to do this step by hand and confirm it here."
CONFIRMERS = PLATFORM_OPERATORS


class BuildConflict(Exception):
    """The build is not in a state that allows this (API: 409)."""


def steps_for(group: CustomerGroup) -> list[str]:
    """G6 plus K and C where licensed: the steps this group's build needs, in order."""
    names = [
        BuildStepName.CLONE_GROUP,
        BuildStepName.POOL_NUMBERS,
        BuildStepName.ASSIGN_NUMBERS,
        BuildStepName.BUSINESS_PROFILE,
        BuildStepName.VOICE_PORTAL,
        BuildStepName.ADMINS,
    ]
    if group.akixi_licence:
        names += [BuildStepName.AKIXI_PARTITION, BuildStepName.AKIXI_SYNC, BuildStepName.AKIXI_USERS]
    if group.has_callcabinet:
        names.append(BuildStepName.CALLCABINET_CUSTOMER)
    return names


def _enqueue(build_id: int, *, countdown: int = 0) -> None:
    from .tasks import run_build_step

    transaction.on_commit(lambda: run_build_step.apply_async((build_id,), countdown=countdown))


def build_start(*, by, group: CustomerGroup) -> ServiceBuild:
    """Start a group's build, or retry a failed one from its failed step. Twice in a row (a double
    click) starts one build: the second finds it already queued or running."""
    from .services import OrderConflict, customer_group_submit

    if by.is_partner_user and by.partner_id != group.partner_id:
        raise PermissionDenied("You cannot build another partner's customers.")
    if group.is_draft:
        try:
            group = customer_group_submit(by=by, group=group)
        except OrderConflict:
            group.refresh_from_db()  # the other click confirmed it a moment ago: carry on with theirs
    try:
        with transaction.atomic():
            build, created = ServiceBuild.objects.get_or_create(group=group, defaults={"requested_by": by})
            if created:
                BuildStep.objects.bulk_create(
                    BuildStep(build=build, position=i, name=name) for i, name in enumerate(steps_for(group))
                )
            build = ServiceBuild.objects.get(pk=build.pk)
            if build.status in (BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.SUCCEEDED):
                return build  # under way or done already: a second click changes nothing
            if build.status not in (BuildStatus.DRAFT, BuildStatus.FAILED):
                raise BuildConflict(f"The build is {build.get_status_display().lower()}; it cannot start again.")
            if not type(build).queue._django_fsm.has_transition_perm(build, build.status, by):
                raise PermissionDenied("Your role cannot start builds.")
            build.steps.filter(status=StepStatus.FAILED).update(status=StepStatus.PENDING, lease_until=None)
            build.queue(by=by, description="Retry" if build.started_at else "Build requested")
            build.save()
            audit_record(actor=by, action="build.queued", target=build, partner=group.partner)
            _enqueue(build.pk)
    except ConcurrentTransition as exc:
        build = ServiceBuild.objects.get(group=group)
        if build.status in (BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.SUCCEEDED):
            return build  # the other click queued it first: one build, as if pressed once
        raise BuildConflict("Someone else changed this build at the same moment; reload to see it.") from exc
    return build


def build_cancel(*, by, build: ServiceBuild) -> ServiceBuild:
    """Stop before the next step (a step already talking to a platform finishes first)."""
    with transaction.atomic():
        build = ServiceBuild.objects.select_for_update().get(pk=build.pk)
        if build.status in (BuildStatus.SUCCEEDED, BuildStatus.CANCELLED):
            raise BuildConflict(f"The build is already {build.get_status_display().lower()}.")
        if not type(build).cancel._django_fsm.has_transition_perm(build, build.status, by):
            raise PermissionDenied("Your role cannot cancel builds.")
        if build.steps.filter(status=StepStatus.RUNNING).exists():
            ServiceBuild.objects.filter(pk=build.pk).update(cancel_requested=True)
            build.refresh_from_db()
        else:
            build.cancel(by=by, description="Cancelled")
            build.save()
        audit_record(actor=by, action="build.cancelled", target=build, partner=build.group.partner)
    return build


def build_confirm_manual_step(*, by, group: CustomerGroup, reference: str) -> ServiceBuild:
    """C2-C5 in manual mode: a co-ordinator created the Essential customer in Call Cabinet by hand and
    gives its customer reference; the waiting step runs again, finds it, and the build carries on."""
    if by.role not in CONFIRMERS:
        raise PermissionDenied("Only EXPO.e co-ordinators and administrators confirm work done in Call Cabinet.")
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": ["Enter the customer reference Call Cabinet showed."]})
    if len(reference) > CustomerGroup._meta.get_field("callcabinet_reference").max_length:
        raise ValidationError({"reference": ["That is longer than any Call Cabinet reference (100 characters)."]})
    with transaction.atomic():
        build = ServiceBuild.objects.select_for_update().get(group=group)
        waiting = build.steps.filter(name=BuildStepName.CALLCABINET_CUSTOMER, status=StepStatus.WAITING)
        if not waiting.exists():
            raise BuildConflict("The Call Cabinet step is not waiting for a confirmation (reload to see it).")
        CustomerGroup.objects.filter(pk=group.pk).update(callcabinet_reference=reference)
        waiting.update(status=StepStatus.PENDING, last_error="")
        audit_record(
            actor=by,
            action="build.callcabinet_confirmed",
            target=build,
            partner=group.partner,
            changes={"callcabinet_reference": reference},
        )
        _enqueue(build.pk)
    return build


def retry_delay(attempts: int) -> int:
    """Seconds before retrying a transient failure: doubling from 5 s, capped well below the
    broker's visibility timeout so a waiting retry is never redelivered as lost."""
    cap = min(settings.BUILD_RETRY_MAX_DELAY, settings.CELERY_REDIS_VISIBILITY_TIMEOUT // 4)
    return min(5 * 2 ** max(attempts - 1, 0), cap)


def run_retrying_transient(task, args: tuple, *, attempt: int, max_attempts: int, run, give_up) -> str:
    """Platform work outside a build (partner accounts, ported numbers): a transient error queues
    `task(*args, attempt + 1)` with the builds' backoff; after `max_attempts`, `give_up(error)`."""
    from integrations.base import TransientError

    try:
        return run()
    except TransientError as exc:
        if attempt >= max_attempts:
            return give_up(exc)
        task.apply_async((*args, attempt + 1), countdown=retry_delay(attempt))
        return f"retrying: {exc}"


def build_run_next_step(*, build_id: int, delivery: str = "", runner=None) -> str:
    """Run the build's next pending step; returns what happened (for logs and tests).

    `delivery` is the task message's id. Steps run strictly in order: while a step is running no
    later one starts, unless the running step was claimed by this very message, whose earlier
    delivery therefore died mid-step (the broker redelivers a message only then): it is taken back."""
    from integrations.base import IntegrationError

    from .build_steps import run_step

    runner = runner or run_step
    build = ServiceBuild.objects.select_related("group__partner").get(pk=build_id)
    if build.status not in (BuildStatus.QUEUED, BuildStatus.RUNNING):
        return f"nothing to do: build is {build.status}"
    if build.cancel_requested:
        return _finish_cancel(build)
    running = build.steps.filter(status__in=(StepStatus.RUNNING, StepStatus.WAITING)).first()
    if running is not None:
        if running.status == StepStatus.WAITING:
            return f"{running.name} is waiting for a person"
        if not delivery or running.claimed_by != delivery:
            return "a step is still running"
        BuildStep.objects.filter(pk=running.pk, status=StepStatus.RUNNING, claimed_by=delivery).update(
            status=StepStatus.PENDING, last_error="The worker running this step stopped; running it again."
        )
    step = build.steps.filter(status=StepStatus.PENDING).order_by("position").first()
    if step is None:
        return _finish_success(build)
    now = timezone.now()
    claimed = BuildStep.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
        status=StepStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        lease_until=now + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
        claimed_by=delivery,
    )
    if not claimed:
        return "another worker took the step"
    if build.status == BuildStatus.QUEUED:
        _transition(build, "start")
    step.refresh_from_db()
    try:
        reference = runner(step=step, group=build.group) or ""
    except IntegrationError as exc:
        return _record_failure(build, step, exc)
    with transaction.atomic():
        BuildStep.objects.filter(pk=step.pk).update(
            status=StepStatus.DONE,
            external_reference=reference[:200],
            last_error="",
            finished_at=timezone.now(),
            lease_until=None,
        )
        _enqueue(build.pk)
    return f"{step.name} done"


def _transition(build: ServiceBuild, name: str, **kwargs) -> None:
    with transaction.atomic():
        build = ServiceBuild.objects.get(pk=build.pk)
        getattr(build, name)(**kwargs)
        build.save()


def _record_failure(build, step, exc) -> str:
    with transaction.atomic():
        if exc.code == MANUAL_STEP:
            BuildStep.objects.filter(pk=step.pk).update(
                status=StepStatus.WAITING, last_error=WAITING_FOR_PERSON, lease_until=None
            )
            _notify(build.pk, "waiting")
            return f"{step.name} waits for a person"
        if not exc.permanent and step.attempts < settings.BUILD_STEP_MAX_ATTEMPTS:
            BuildStep.objects.filter(pk=step.pk).update(
                status=StepStatus.PENDING, last_error=str(exc), lease_until=None
            )
            _enqueue(build.pk, countdown=retry_delay(step.attempts))
            return f"{step.name} will be retried: {exc}"
        reason = str(exc) if exc.permanent else f"Gave up after {step.attempts} attempts: {exc}"
        BuildStep.objects.filter(pk=step.pk).update(
            status=StepStatus.FAILED, last_error=reason, finished_at=timezone.now(), lease_until=None
        )
        build = ServiceBuild.objects.get(pk=build.pk)
        build.fail(reason=f"{step.get_name_display()}: {reason}", description=reason)
        build.save()
        _notify(build.pk, "failed")
    return f"{step.name} failed: {reason}"


def _notify(build_id: int, kind: str) -> None:
    from .tasks import send_build_email

    send_build_email.delay_on_commit(build_id, kind)


def _finish_success(build) -> str:
    _transition(build, "succeed", description="All steps done")
    return "build succeeded"


def _finish_cancel(build) -> str:
    _transition(build, "cancel", description="Cancelled before the next step")
    return "build cancelled"


def build_sweep() -> list[int]:
    """Re-queue steps left "running" by a worker that died (their lease has passed)."""
    stuck = list(
        BuildStep.objects.filter(status=StepStatus.RUNNING, lease_until__lt=timezone.now()).values_list(
            "pk", "build_id"
        )
    )
    for step_id, build_id in stuck:
        with transaction.atomic():
            if BuildStep.objects.filter(pk=step_id, status=StepStatus.RUNNING, lease_until__lt=timezone.now()).update(
                status=StepStatus.PENDING, last_error="The worker running this step stopped; running it again."
            ):
                _enqueue(build_id)
    return [build_id for _, build_id in stuck]
