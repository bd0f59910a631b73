"""Running a customer group's build: one step at a time, each its own task, safe to repeat.

Flow: `build_start` (a person presses Build, or retries) → `run_build_step` task →
`build_run_next_step` claims the next pending step with a compare-and-set (so two deliveries of the
same task never run a step twice), runs it against the platforms outside any transaction under a
heartbeat that renews its lease (each platform call leaves its ExternalCall row), then records the
outcome while its claim holds and queues the next step after commit. Transient platform errors
retry with capped backoff; permanent ones fail the build with the platform's reason; "retry"
resumes at the failed step.

The steps are a durable work queue (expoe_portal.work): each step records when it is next due, so
beat's `build_sweep` wakes a build whose message was lost (a retry held by a worker that was killed)
and takes back a step whose worker died (its lease lapsed), and pressing Build on such a build does
the same at once.
"""

from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransition, has_transition_perm

from accounts.choices import PLATFORM_OPERATORS
from accounts.services import audit_record
from expoe_portal.transitions import TransitionConflict
from expoe_portal.work import WORKER_STOPPED_EACH_TIME, WorkQueue, new_token, retry_delay

from .choices import BuildStatus, BuildStepName, StepStatus
from .models import BuildStep, CustomerGroup, ServiceBuild

TAKEN_BACK = "The worker running this step stopped; running it again."
BUILD_STEPS = WorkQueue(
    name="build steps",
    model=BuildStep,
    task="customers.tasks.run_build_step",
    runnable=Q(
        status__in=(StepStatus.PENDING, StepStatus.RUNNING),
        build__status__in=(BuildStatus.QUEUED, BuildStatus.RUNNING),
    ),
    wake_args=("build_id",),
    take_back={"status": StepStatus.PENDING, "last_error": TAKEN_BACK},
)

# A gateway in manual mode raises PermanentError with this code and the instructions for a person.
MANUAL_STEP = "manual"
WAITING_FOR_PERSON = "Waiting for a co-ordinator to do this step by hand and confirm it here."
CONFIRMERS = PLATFORM_OPERATORS


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


class StartOutcome(StrEnum):
    """What pressing Build did, with what to tell the person who pressed it."""

    QUEUED = "queued", "Build of {group_id} confirmed and queued."
    RETRYING = "retrying", "Retrying the build of {group_id} from its failed step."
    REQUEUED = (
        "requeued",
        ("The build of {group_id} had stopped: its next step was due and no worker had it. It is queued again."),
    )
    UNCHANGED = (
        "unchanged",
        ("This build request is already confirmed. Its build is under way (or done), so nothing was changed."),
    )

    def __new__(cls, value: str, message: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        return member

    def describe(self, group: CustomerGroup) -> str:
        return self.message.format(group_id=group.group_id)


def _schedule_next_step(build_id: int) -> None:
    """The build's next pending step is due now; wake a worker for it after commit."""
    step = BuildStep.objects.filter(build_id=build_id, status=StepStatus.PENDING).order_by("position").first()
    if step is not None:
        BuildStep.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(**BUILD_STEPS.due_now())
    BUILD_STEPS.wake(build_id)


def build_stalled(build: ServiceBuild) -> bool:
    """Queued or running, yet nothing live moves it: its next step has been due for longer than a
    message takes, or the worker holding a step stopped renewing its lease."""
    if build.status not in (BuildStatus.QUEUED, BuildStatus.RUNNING):
        return False
    return BUILD_STEPS.stuck().filter(build_id=build.pk).exists()


def build_start(*, by, group: CustomerGroup) -> tuple[ServiceBuild, StartOutcome]:
    """Start a group's build, or retry a failed one from its failed step. Twice in a row (a double
    click) starts one build: the second finds it already queued or running and changes nothing,
    unless nothing live moves it (`build_stalled`): then it is queued again, as the sweeper would."""
    from .services import customer_group_submit

    if by.is_partner_user and by.partner_id != group.partner_id:
        raise PermissionDenied("You cannot build another partner's customers.")
    if group.is_draft:
        try:
            group = customer_group_submit(by=by, group=group)
        except TransitionConflict:
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
                return build, _requeue_if_stalled(by=by, build=build)
            if build.status not in (BuildStatus.DRAFT, BuildStatus.FAILED):
                raise TransitionConflict(f"The build is {build.get_status_display().lower()}; it cannot start again.")
            if not has_transition_perm(build.queue, by):
                raise PermissionDenied("Your role cannot start builds.")
            outcome = StartOutcome.RETRYING if build.status == BuildStatus.FAILED else StartOutcome.QUEUED
            build.steps.filter(status=StepStatus.FAILED).update(status=StepStatus.PENDING, lease_until=None)
            build.queue(by=by, description="Retry" if build.started_at else "Build requested")
            build.save()
            audit_record(actor=by, action="build.queued", target=build)
            _schedule_next_step(build.pk)
    except ConcurrentTransition as exc:
        build = ServiceBuild.objects.get(group=group)
        if build.status in (BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.SUCCEEDED):
            return build, StartOutcome.UNCHANGED  # the other click queued it first: one build, as if pressed once
        raise TransitionConflict("Someone else changed this build at the same moment; reload to see it.") from exc
    return build, outcome


def _requeue_if_stalled(*, by, build: ServiceBuild) -> StartOutcome:
    """A healthy build is left alone; a stalled one is woken (and the step of a dead worker taken
    back) exactly as the sweeper would, and the press is audited."""
    if not build_stalled(build):
        return StartOutcome.UNCHANGED
    if not BUILD_STEPS.sweep(where=Q(build_id=build.pk)):
        return StartOutcome.UNCHANGED  # the sweeper (or a worker) got there in the same moment
    audit_record(actor=by, action="build.requeued", target=build)
    return StartOutcome.REQUEUED


def build_cancel(*, by, build: ServiceBuild) -> ServiceBuild:
    """Stop before the next step (a step already talking to a platform finishes first)."""
    with transaction.atomic():
        build = ServiceBuild.objects.select_for_update().get(pk=build.pk)
        if build.status in (BuildStatus.SUCCEEDED, BuildStatus.CANCELLED):
            raise TransitionConflict(f"The build is already {build.get_status_display().lower()}.")
        if not has_transition_perm(build.cancel, by):
            raise PermissionDenied("Your role cannot cancel builds.")
        if build.steps.filter(status=StepStatus.RUNNING).exists():
            ServiceBuild.objects.filter(pk=build.pk).update(cancel_requested=True)
            build.refresh_from_db()
        else:
            build.cancel(by=by, description="Cancelled")
            build.save()
        audit_record(actor=by, action="build.cancelled", target=build)
    return build


# The steps a co-ordinator may do by hand on a platform (its manual mode), and what they confirm
# with: the reference the platform showed, or nothing (the users the page lists).
MANUAL_STEPS: dict[str, str | None] = {
    BuildStepName.CALLCABINET_CUSTOMER: "the customer reference Call Cabinet showed",  # C2-C5
    BuildStepName.AKIXI_PARTITION: "the partition's ID that Akixi showed",  # K2, K3
    BuildStepName.AKIXI_USERS: None,  # K4
}
REFERENCE_LENGTH = 100
CONFIRMED = {
    BuildStepName.CALLCABINET_CUSTOMER: "Call Cabinet customer confirmed; the build carries on.",
    BuildStepName.AKIXI_PARTITION: "Akixi partition confirmed; the build carries on.",
    BuildStepName.AKIXI_USERS: "Akixi reporting users confirmed; the build carries on.",
}


def build_confirm_manual_step(*, by, group: CustomerGroup, reference: str = "") -> str:
    """A platform in manual mode: a co-ordinator did the waiting step by hand (the Essential customer
    in Call Cabinet, the partition or the reporting users in Akixi) and confirms it, with the
    reference the platform showed where there is one; the step runs again, finds it, and the build
    carries on. Returns the name of the step confirmed."""
    if by.role not in CONFIRMERS:
        raise PermissionDenied("Only EXPO.e co-ordinators and administrators confirm work done by hand on a platform.")
    reference = (reference or "").strip()
    with transaction.atomic():
        build = ServiceBuild.objects.select_for_update().get(group=group)
        step = build.steps.filter(status=StepStatus.WAITING, name__in=MANUAL_STEPS).first()
        if step is None:
            raise TransitionConflict("The build is not waiting for a confirmation (reload to see it).")
        needs = MANUAL_STEPS[step.name]
        if needs and not reference:
            raise ValidationError({"reference": [f"Enter {needs}."]})
        if len(reference) > REFERENCE_LENGTH:
            raise ValidationError(
                {"reference": [f"That is longer than any platform's reference ({REFERENCE_LENGTH} characters)."]}
            )
        if step.name == BuildStepName.CALLCABINET_CUSTOMER:
            CustomerGroup.objects.filter(pk=group.pk).update(callcabinet_reference=reference)
            action, changes = "build.callcabinet_confirmed", {"callcabinet_reference": reference}
        elif step.name == BuildStepName.AKIXI_PARTITION:
            CustomerGroup.objects.filter(pk=group.pk).update(akixi_partition_reference=reference)
            action, changes = "build.akixi_partition_confirmed", {"akixi_partition_reference": reference}
        else:
            users = group.akixi_users.filter(confirmed_at__isnull=True)
            confirmed = list(users.values_list("username", flat=True))
            users.update(confirmed_at=timezone.now())
            action, changes = "build.akixi_users_confirmed", {"users": confirmed}
        BuildStep.objects.filter(pk=step.pk).update(status=StepStatus.PENDING, last_error="")
        audit_record(actor=by, action=action, target=build, changes=changes)
        _schedule_next_step(build.pk)
    return step.name


def build_run_next_step(*, build_id: int, delivery: str = "", runner=None) -> str:
    """Run the build's next pending step; returns what happened (for logs and tests).

    `delivery` is the task message's id. Steps run strictly in order: while a step is running no
    later one starts, unless the running step's worker is gone: its lease lapsed (the worker died),
    or it was claimed by this very message (the broker redelivers a message only when the worker
    that had it died). Such a step is taken back and run again."""
    from integrations.base import IntegrationError, TransientError

    from .build_steps import run_step

    runner = runner or run_step
    build = ServiceBuild.objects.select_related("group__partner").get(pk=build_id)
    if build.status not in (BuildStatus.QUEUED, BuildStatus.RUNNING):
        return f"nothing to do: build is {build.status}"
    now = timezone.now()
    current = build.steps.filter(status__in=(StepStatus.RUNNING, StepStatus.WAITING)).first()
    if current is not None:
        if current.status == StepStatus.WAITING:
            return f"{current.name} is waiting for a person"
        lease_live = current.lease_until is not None and current.lease_until >= now
        if lease_live and not (delivery and current.claimed_by == delivery):
            return "a step is still running"
        BuildStep.objects.filter(pk=current.pk, status=StepStatus.RUNNING, claimed_by=current.claimed_by).update(
            status=StepStatus.PENDING, lease_until=None, last_error=TAKEN_BACK
        )
    if build.cancel_requested:
        return _finish_cancel(build)
    step = build.steps.filter(status=StepStatus.PENDING).order_by("position").first()
    if step is None:
        return _finish_success(build)
    token = new_token(delivery)
    if not BUILD_STEPS.claim(
        step.pk, token=token, where=Q(status=StepStatus.PENDING), status=StepStatus.RUNNING, started_at=now
    ):
        return "another worker took the step"
    if build.status == BuildStatus.QUEUED:
        _transition(build, "start")
    step.refresh_from_db()
    if step.attempts > settings.BUILD_STEP_MAX_ATTEMPTS:
        # Every run so far died with its worker (killed, out of memory, over the time limit): stop.
        return _record_failure(build, step, TransientError(WORKER_STOPPED_EACH_TIME), token)
    try:
        with BUILD_STEPS.heartbeat(step.pk, token):
            reference = runner(step=step, group=build.group) or ""
    except IntegrationError as exc:
        return _record_failure(build, step, exc, token)
    with transaction.atomic():
        if not BUILD_STEPS.finish(
            step.pk,
            token=token,
            status=StepStatus.DONE,
            external_reference=reference[:200],
            last_error="",
            finished_at=timezone.now(),
        ):
            return f"{step.name} was taken back from this run; the run that has it records it"
        _schedule_next_step(build.pk)
    return f"{step.name} done"


def _transition(build: ServiceBuild, name: str, **kwargs) -> None:
    with transaction.atomic():
        build = ServiceBuild.objects.get(pk=build.pk)
        getattr(build, name)(**kwargs)
        build.save()


def _record_failure(build, step, exc, token: str) -> str:
    with transaction.atomic():
        if exc.code == MANUAL_STEP:
            if BUILD_STEPS.finish(step.pk, token=token, status=StepStatus.WAITING, last_error=WAITING_FOR_PERSON):
                _notify(build.pk, "waiting")
            return f"{step.name} waits for a person"
        if not exc.permanent and step.attempts < settings.BUILD_STEP_MAX_ATTEMPTS:
            delay = retry_delay(step.attempts)
            BUILD_STEPS.retry_later(
                step.pk, token=token, delay=delay, wake_args=(build.pk,), status=StepStatus.PENDING, last_error=str(exc)
            )
            return f"{step.name} will be retried in {delay} s: {exc}"
        reason = str(exc) if exc.permanent else f"Gave up after {step.attempts} attempts: {exc}"
        if not BUILD_STEPS.finish(
            step.pk, token=token, status=StepStatus.FAILED, last_error=reason, finished_at=timezone.now()
        ):
            return f"{step.name} was taken back from this run; the run that has it records it"
        build = ServiceBuild.objects.get(pk=build.pk)
        build.fail(reason=f"{step.get_name_display()}: {reason}", description=reason)
        build.save()
        _notify(build.pk, "failed")
    return f"{step.name} failed: {reason}"


def _notify(build_id: int, kind: str) -> None:
    from .emails import build_email_queue

    build_email_queue(build_id=build_id, kind=kind)


def _finish_success(build) -> str:
    _transition(build, "succeed", description="All steps done")
    _notify(build.pk, "succeeded")  # the hand-over, with what the partner does next (C6)
    return "build succeeded"


def _finish_cancel(build) -> str:
    _transition(build, "cancel", description="Cancelled before the next step")
    return "build cancelled"


def build_sweep() -> list[int]:
    """Beat: wake every build whose next step is due but was not picked up (its message was lost),
    taking back any step whose worker died (its lease lapsed). Returns the builds woken."""
    return [build_id for (build_id,) in BUILD_STEPS.sweep()]
