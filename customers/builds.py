"""Running a customer group's build: a graph of steps, each its own task, safe to repeat.

Flow: `build_start` (a person presses Build, or retries) wakes every step that is ready (whose
needs, STEP_NEEDS, are done) → `run_build_step` task → `build_run_next_step` claims a ready step
with a compare-and-set (so two deliveries of the same task never run a step twice), runs it against
the platforms outside any transaction under a heartbeat that renews its lease (each platform call
leaves its ExternalCall row), then records the outcome while its claim holds and, under the build's
row lock, wakes the steps that became ready after commit; the last step done finishes the build in
the same transaction. Transient platform errors
retry with capped backoff; permanent ones fail the build with the platform's reason; "retry"
resumes at the failed step.

The steps are a durable work queue (expoe_portal.work): each step records when it is next due, so
beat's `build_sweep` wakes a build whose message was lost (a retry held by a worker that was killed)
and takes back a step whose worker died (its lease lapsed), and pressing Build on such a build does
the same at once.
"""

import time
from enum import StrEnum
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransition, has_transition_perm

from accounts.choices import PLATFORM_OPERATORS
from accounts.services import audit_record
from expoe_portal import metrics
from expoe_portal.transitions import TransitionConflict
from expoe_portal.work import WORKER_STOPPED_EACH_TIME, WorkQueue, new_token, retry_delay

from .choices import BuildKind, BuildStatus, BuildStepName, StepStatus
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
    wake_args=("build_id", "pk"),
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


# Decommissioning's safe order (#15): Call Cabinet, Akixi's users then its partition, BroadWorks's
# administrators, voice portal and numbers, the group last. Each step needs every one before it
# that the customer has (a customer without Akixi has no Akixi steps), so they run one at a time.
DECOMMISSIONING_ORDER: tuple[str, ...] = (
    BuildStepName.REMOVE_CALLCABINET_CUSTOMER,
    BuildStepName.REMOVE_AKIXI_USERS,
    BuildStepName.REMOVE_AKIXI_PARTITION,
    BuildStepName.REMOVE_ADMINS,
    BuildStepName.DISABLE_VOICE_PORTAL,
    BuildStepName.RELEASE_NUMBERS,
    BuildStepName.DELETE_GROUP,
)
_DECOMMISSIONING_BEFORE = {name: DECOMMISSIONING_ORDER[:i] for i, name in enumerate(DECOMMISSIONING_ORDER)}

# What each step needs done first (G6: the group exists before anything is set on it). The Akixi
# and Call Cabinet chains need only the group, so they run beside the rest of the BroadWorks work.
STEP_NEEDS: dict[str, tuple[str, ...]] = {
    BuildStepName.CLONE_GROUP: (),
    # N1: the partner's pool needs no group, but a build refused at its first step (G3) leaves the
    # platform untouched, so the group comes first.
    BuildStepName.POOL_NUMBERS: (BuildStepName.CLONE_GROUP,),
    BuildStepName.ASSIGN_NUMBERS: (BuildStepName.POOL_NUMBERS,),
    BuildStepName.BUSINESS_PROFILE: (BuildStepName.ASSIGN_NUMBERS,),  # B1: the CLID is a number of the group
    BuildStepName.VOICE_PORTAL: (BuildStepName.ASSIGN_NUMBERS,),  # V1: so is the portal's number
    BuildStepName.ADMINS: (BuildStepName.CLONE_GROUP,),
    BuildStepName.AKIXI_PARTITION: (BuildStepName.CLONE_GROUP,),  # K2: the partition names the group
    BuildStepName.AKIXI_SYNC: (BuildStepName.AKIXI_PARTITION,),
    BuildStepName.AKIXI_USERS: (BuildStepName.AKIXI_SYNC,),  # K4 after K3
    BuildStepName.CALLCABINET_CUSTOMER: (BuildStepName.CLONE_GROUP,),  # C4: coded by the group's ID
    # A change's steps (customers.changes): a step needs only those of its own change that it names.
    BuildStepName.UNASSIGN_NUMBERS: (BuildStepName.CLONE_GROUP,),
    BuildStepName.AKIXI_RESYNC: (),
    # K4 repair: the partition first, where the repair restores it too.
    BuildStepName.RESTRICT_AKIXI_USERS: (BuildStepName.AKIXI_PARTITION, BuildStepName.AKIXI_USERS),
    BuildStepName.CALLCABINET_ADMIN: (BuildStepName.CALLCABINET_CUSTOMER,),
    # (Removing admins or Akixi users as a change of its own: none of these is in it, so it needs nothing.)
    **_DECOMMISSIONING_BEFORE,
}


# The platform round trips each step makes in a first build of a standard request whose numbers
# are new to the partner's pool (a test on the simulators keeps these true). A step that makes
# several others ready carries on to the one with the most round trips still ahead of it, along the
# longest chain that follows it: that chain bounds the build, and the others can afford a message's
# hand-over.
ROUND_TRIPS: dict[str, int] = {
    BuildStepName.CLONE_GROUP: 4,  # G3 across the platform, the group, the template, the add
    BuildStepName.POOL_NUMBERS: 2,
    BuildStepName.ASSIGN_NUMBERS: 2,
    BuildStepName.BUSINESS_PROFILE: 2,
    BuildStepName.VOICE_PORTAL: 3,  # its service, then the portal
    BuildStepName.ADMINS: 2,
    BuildStepName.AKIXI_PARTITION: 2,
    BuildStepName.AKIXI_SYNC: 2,
    BuildStepName.AKIXI_USERS: 3,
    BuildStepName.CALLCABINET_CUSTOMER: 2,
    BuildStepName.UNASSIGN_NUMBERS: 2,
    BuildStepName.REMOVE_ADMINS: 2,
    BuildStepName.AKIXI_RESYNC: 3,
    BuildStepName.REMOVE_AKIXI_USERS: 3,
    BuildStepName.RESTRICT_AKIXI_USERS: 2,
    BuildStepName.CALLCABINET_ADMIN: 2,
    BuildStepName.REMOVE_CALLCABINET_CUSTOMER: 2,
    BuildStepName.REMOVE_AKIXI_PARTITION: 2,
    BuildStepName.DISABLE_VOICE_PORTAL: 3,
    BuildStepName.RELEASE_NUMBERS: 4,
    BuildStepName.DELETE_GROUP: 2,
}


# Every step a first build may have (steps_for, all licensed).
FIRST_BUILD_STEPS = frozenset(BuildStepName.values[: BuildStepName.values.index(BuildStepName.UNASSIGN_NUMBERS)])


@cache  # the graph is fixed: worked out once per step
def round_trips_ahead(name: str) -> int:
    """A step's own round trips and those of the longest chain of steps that need it. A first
    build's step is followed only along a first build's steps: those only a change has (a repair's
    K4 restriction after the Akixi users) are never in the same run."""
    after = (
        step
        for step, needs in STEP_NEEDS.items()
        if name in needs and (name not in FIRST_BUILD_STEPS or step in FIRST_BUILD_STEPS)
    )
    return ROUND_TRIPS[name] + max((round_trips_ahead(step) for step in after), default=0)


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
            build, created = ServiceBuild.objects.get_or_create(
                group=group, kind=BuildKind.BUILD, defaults={"requested_by": by}
            )
            if created:
                BuildStep.objects.bulk_create(
                    BuildStep(build=build, position=i, name=name) for i, name in enumerate(steps_for(group))
                )
            # Locked like every step's outcome: a retry pressed while a step of the failed build still
            # runs either sees that step done, or is seen by it, and what it unblocked is woken.
            build = _lock(build.pk)
            if build.status in (BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.SUCCEEDED):
                return build, _requeue_if_stalled(by=by, build=build)
            if build.status not in (BuildStatus.DRAFT, BuildStatus.FAILED):
                raise TransitionConflict(f"The build is {build.get_status_display().lower()}; it cannot start again.")
            if not has_transition_perm(build.queue, by):
                raise PermissionDenied("Your role cannot start builds.")
            outcome = StartOutcome.RETRYING if build.status == BuildStatus.FAILED else StartOutcome.QUEUED
            requeue(by=by, build=build, description="Retry" if build.started_at else "Build requested")
            audit_record(actor=by, action="build.queued", target=build)
    except ConcurrentTransition as exc:
        build = ServiceBuild.objects.get(group=group, kind=BuildKind.BUILD)
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
        # A customer never built has no build, so nothing waits for a confirmation either.
        build = ServiceBuild.objects.select_for_update().filter(group=group, kind=BuildKind.BUILD).first()
        step = build.steps.filter(status=StepStatus.WAITING, name__in=MANUAL_STEPS).first() if build else None
        if build is None or step is None:
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
        step.status = StepStatus.PENDING
        audit_record(actor=by, action=action, target=build, changes=changes)
        _wake([step], build.pk, again=True)
    return step.name


def build_run_next_step(
    *,
    build_id: int,
    step_id: int | None = None,
    delivery: str = "",
    runner=None,
    carry_on_until: float | None = None,
) -> str:
    """Run the build's step `step_id` if it is ready (without one: the first ready step); returns
    what happened (for logs and tests).

    With `carry_on_until` (a time.monotonic() deadline: the task's), the run goes straight on to a
    step its own step made ready, without a message and a hand-over to another worker, until then;
    the other steps it made ready get their messages as usual.

    A step is ready when every step it needs is done (STEP_NEEDS), so the Akixi and Call Cabinet
    chains run beside the BroadWorks one, each step woken by a message of its own. `delivery` is the
    task message's id. A running step is never started twice: its claim holds it until its worker
    finishes, or until that worker is gone (its lease lapsed, or this very message claimed it: the
    broker redelivers a message only when the worker that had it died); then it is taken back and
    run again."""
    from .build_steps import run_step

    runner = runner or run_step
    build = ServiceBuild.objects.select_related("group__partner").get(pk=build_id)
    if build.status not in (BuildStatus.QUEUED, BuildStatus.RUNNING):
        return f"nothing to do: build is {build.status}"
    now = timezone.now()
    steps = list(build.steps.all())
    # A redelivered message (its worker died) also takes back any step it had carried on to.
    mine = [s for s in steps if delivery and s.claimed_by == delivery and s.status == StepStatus.RUNNING]
    wanted = [s for s in steps if step_id is None or s.pk == step_id or s in mine]
    _take_back_from_dead_workers(wanted, delivery, now)
    if build.cancel_requested:
        with transaction.atomic():
            return _advance(_lock(build_id)).text
    token = new_token(delivery)
    ready = sorted((s for s in ready_steps(steps) if s in wanted), key=lambda s: s not in mine)
    step: BuildStep | None = next((s for s in ready if _claim(s, token, now)), None)
    if step is None:
        return _nothing_ready(build_id, steps if step_id is None else wanted)
    if build.status == BuildStatus.QUEUED:
        _start(build_id)
    outcomes = []
    while step is not None:
        # A step carried on to was claimed in the transaction that recorded the step before it.
        outcome, step = _run_claimed(build, step, token, runner=runner, carry_on_until=carry_on_until)
        outcomes.append(outcome)
    return "; then ".join(outcomes)


def _run_claimed(
    build: ServiceBuild, step: BuildStep, token: str, *, runner, carry_on_until: float | None
) -> tuple[str, BuildStep | None]:
    """Run a step this run holds and record its outcome; returns what happened, and the step made
    ready that this run carries on to (already claimed for it), if any."""
    from integrations.base import IntegrationError, TransientError

    step.attempts += 1  # as the claim counted it
    if step.attempts > settings.BUILD_STEP_MAX_ATTEMPTS:
        # Every run so far died with its worker (killed, out of memory, over the time limit): stop.
        return _record_failure(build, step, TransientError(WORKER_STOPPED_EACH_TIME), token), None
    began = time.monotonic()
    try:
        with BUILD_STEPS.heartbeat(step.pk, token):
            reference = runner(step=step, group=build.group) or ""
    except IntegrationError as exc:
        return _record_failure(build, step, exc, token, began=began), None
    metrics.observe_step(step.name, "done", time.monotonic() - began)
    with transaction.atomic():
        locked = _lock(build.pk)
        if not BUILD_STEPS.finish(
            step.pk,
            token=token,
            status=StepStatus.DONE,
            external_reference=reference[:200],
            last_error="",
            finished_at=timezone.now(),
        ):
            return f"{step.name} was taken back from this run; the run that has it records it", None
        carry_on = carry_on_until is not None and time.monotonic() < carry_on_until
        kept = _advance(locked, keep_for=token if carry_on else "").kept
    return f"{step.name} done", kept


def ready_steps(steps: list[BuildStep]) -> list[BuildStep]:
    """The pending steps whose needs are all done, in the build's order."""
    present = {s.name for s in steps}
    done = {s.name for s in steps if s.status == StepStatus.DONE}
    return [
        s
        for s in steps
        if s.status == StepStatus.PENDING and done.issuperset(n for n in STEP_NEEDS[s.name] if n in present)
    ]


def _take_back_from_dead_workers(steps: list[BuildStep], delivery: str, now) -> None:
    """Running steps whose worker is gone become pending again (compare-and-set on the claim, so two
    deliveries take a step back once)."""
    for step in steps:
        if step.status != StepStatus.RUNNING:
            continue
        lease_live = step.lease_until is not None and step.lease_until >= now
        if lease_live and not (delivery and step.claimed_by == delivery):
            continue
        if BuildStep.objects.filter(pk=step.pk, status=StepStatus.RUNNING, claimed_by=step.claimed_by).update(
            status=StepStatus.PENDING, lease_until=None, last_error=TAKEN_BACK
        ):
            step.status, step.lease_until = StepStatus.PENDING, None


def _claim(step: BuildStep, token: str, now) -> bool:
    return BUILD_STEPS.claim(
        step.pk, token=token, where=Q(status=StepStatus.PENDING), status=StepStatus.RUNNING, started_at=now
    )


def _lock(build_id: int) -> ServiceBuild:
    """The build, locked for this transaction. Step outcomes are recorded one at a time, so that of
    two steps finishing together the later sees the earlier done, and wakes the step needing both."""
    return ServiceBuild.objects.select_for_update().get(pk=build_id)


def _nothing_ready(build_id: int, steps: list[BuildStep]) -> str:
    """Why no step of `steps` could be claimed (another message has it, or it waits on others)."""
    if not steps:
        return "no such step in this build"
    if any(s.status == StepStatus.RUNNING for s in steps):
        return "a step is still running"
    waiting = next((s for s in steps if s.status == StepStatus.WAITING), None)
    if waiting is not None:
        return f"{waiting.name} is waiting for a person"
    if all(s.status == StepStatus.DONE for s in steps):
        with transaction.atomic():
            return _advance(_lock(build_id)).text
    return "no step is ready: each waits for another to be done"


def _start(build_id: int) -> None:
    with transaction.atomic():
        build = _lock(build_id)
        if build.status == BuildStatus.QUEUED:  # steps start side by side: the first one starts the build
            build.start()
            build.save()


class Advanced(NamedTuple):
    text: str
    kept: BuildStep | None = None  # a step made ready, claimed for the caller to run without a message


def _advance(build: ServiceBuild, *, keep_for: str = "") -> Advanced:
    """After a step's outcome, under the build's lock: finish the build when every step is done,
    cancel it when that was asked and no step still runs, else wake each step that became ready
    (`keep_for`, a claim's token: all but the one with the most round trips ahead, which that claim
    takes for its caller to run)."""
    if build.status not in (BuildStatus.QUEUED, BuildStatus.RUNNING):
        return Advanced(f"nothing to do: build is {build.status}")
    steps = list(build.steps.all())
    if build.cancel_requested:
        if any(s.status == StepStatus.RUNNING for s in steps):
            return Advanced("cancelling: a step still running finishes first")
        build.cancel(description="Cancelled before the next step")
        build.save()
        _observe_build(build)
        return Advanced("build cancelled")
    if all(s.status == StepStatus.DONE for s in steps):
        if build.status == BuildStatus.QUEUED:
            build.start()
        build.succeed(description="All steps done")
        build.save()
        _observe_build(build)
        if build.kind == BuildKind.BUILD:  # a change is followed on its page by the one who asked
            _notify(build.pk, "succeeded")  # the hand-over, with what the partner does next (C6)
        return Advanced("build succeeded")
    return Advanced("next steps queued", kept=_wake(ready_steps(steps), build.pk, keep_for=keep_for))


def _wake(steps: list[BuildStep], build_id: int, *, again: bool = False, keep_for: str = "") -> BuildStep | None:
    """Mark the steps due now, in one update, and send a message for each after commit; with
    `keep_for`, the one with the most round trips ahead is claimed for that token instead, and
    returned. A step already due (its message on the way, or a retry counting down) is left alone,
    unless `again`: a person pressed Build or confirmed the step, and no message of its own may be
    left. (`steps` were read under the build's lock, which every change of a pending step's due time
    holds.)"""
    steps = steps if again else [s for s in steps if s.next_attempt_at is None]
    # The longest chain first: kept, or the first message a worker takes (of equal ones, by order).
    steps = sorted(steps, key=lambda s: -round_trips_ahead(s.name))
    kept = None
    # Claimed in this transaction: if its run never starts, its lease lapses and the sweeper takes
    # it back, as for any step whose worker died.
    if keep_for and steps and _claim(steps[0], keep_for, timezone.now()):
        kept, steps = steps[0], steps[1:]
    if steps:
        BuildStep.objects.filter(pk__in=[s.pk for s in steps], status=StepStatus.PENDING).update(
            **BUILD_STEPS.due_now()
        )
        for step in steps:
            BUILD_STEPS.wake(build_id, step.pk)
    return kept


def wake_confirmed(step: BuildStep, build_id: int) -> None:
    """A step a person confirmed (its platform in manual mode) runs again, after commit."""
    _wake([step], build_id, again=True)


def requeue(*, by, build: ServiceBuild, description: str) -> None:
    """Queue a build or change (new, or failed: from its failed steps) and, after commit, wake each
    step that is ready. Inside the caller's transaction, with the build locked."""
    # A person's retry gives a failed step its attempts afresh: one that gave up after all of them
    # would otherwise fail again at once, as if its worker had died each time.
    build.steps.filter(status=StepStatus.FAILED).update(status=StepStatus.PENDING, lease_until=None, attempts=0)
    build.queue(by=by, description=description)
    build.save()
    _wake(ready_steps(list(build.steps.all())), build.pk, again=True)


def _record_failure(build: ServiceBuild, step: BuildStep, exc, token: str, *, began: float | None = None) -> str:
    def observe(outcome: str) -> None:
        if began is not None:
            metrics.observe_step(step.name, outcome, time.monotonic() - began)

    with transaction.atomic():
        locked = _lock(build.pk)
        if exc.code == MANUAL_STEP:
            observe("waiting")
            # Only this step waits for a person; the steps that do not need it carry on.
            # A first build's page works out its instructions from the request (manual_instructions_for);
            # a change's are the platform gateway's own, kept with the step for its page.
            waiting = WAITING_FOR_PERSON if locked.kind == BuildKind.BUILD else f"{WAITING_FOR_PERSON} {exc}"
            if BUILD_STEPS.finish(step.pk, token=token, status=StepStatus.WAITING, last_error=waiting):
                _notify(build.pk, "waiting")
            return f"{step.name} waits for a person"
        if not exc.permanent and step.attempts < settings.BUILD_STEP_MAX_ATTEMPTS:
            observe("retrying")
            delay = retry_delay(step.attempts)
            BUILD_STEPS.retry_later(
                step.pk,
                token=token,
                delay=delay,
                wake_args=(build.pk, step.pk),
                status=StepStatus.PENDING,
                last_error=str(exc),
            )
            return f"{step.name} will be retried in {delay} s: {exc}"
        reason = str(exc) if exc.permanent else f"Gave up after {step.attempts} attempts: {exc}"
        observe("failed")
        if not BUILD_STEPS.finish(
            step.pk, token=token, status=StepStatus.FAILED, last_error=reason, finished_at=timezone.now()
        ):
            return f"{step.name} was taken back from this run; the run that has it records it"
        # Steps running beside it finish and are recorded; no other starts. A second failure
        # meanwhile leaves the build failed with the first reason.
        if locked.status in (BuildStatus.QUEUED, BuildStatus.RUNNING):
            locked.fail(reason=f"{step.get_name_display()}: {reason}", description=reason)
            locked.save()
            _observe_build(locked)
            _notify(build.pk, "failed")
    return f"{step.name} failed: {reason}"


def _observe_build(build: ServiceBuild) -> None:
    """A build ended: how long it took from its first step (or from being queued) to its end."""
    began = build.started_at or build.queued_at
    if began is not None and build.finished_at is not None:
        metrics.observe_build(build.status, (build.finished_at - began).total_seconds())


def _notify(build_id: int, kind: str) -> None:
    from .emails import build_email_queue

    build_email_queue(build_id=build_id, kind=kind)


def build_sweep() -> list[int]:
    """Beat: wake every build whose next step is due but was not picked up (its message was lost),
    taking back any step whose worker died (its lease lapsed). Returns the builds woken."""
    return list(dict.fromkeys(build_id for build_id, _step_id in BUILD_STEPS.sweep()))
