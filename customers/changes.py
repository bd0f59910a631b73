"""Changes to a built customer (#15): each one a `ServiceBuild` of kind "change", run by the build
engine (customers.builds) like a first build: steps that ask the platform first, claims, leases,
retries, live progress and audit. What each kind checks, writes and runs is in change_kinds.

A change writes our records and its own build in one transaction (the numbers move in the
partner's pool at once, N1, N2), and its steps bring the platforms to match after commit. Only once
the group's first build has succeeded, never after it is decommissioned, and one at a time: the
database refuses a second open build or change on a group (decision 120)."""

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_fsm import has_transition_perm

from accounts.models import User
from accounts.services import audit_record
from expoe_portal import vault
from expoe_portal.transitions import TransitionConflict

from . import services
from .build_steps import DONE_BY_HAND
from .builds import CONFIRMERS, requeue, wake_confirmed
from .change_kinds import KINDS, Plan, Recorded, Values
from .choices import BuildKind, BuildStatus, BuildStepName, StepStatus
from .models import BuildStep, CustomerGroup, GroupAdmin, ServiceBuild

OPEN = (BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.FAILED)
CHANGE_TITLES = {name: kind.title for name, kind in KINDS.items()} | {"repair": "Repair"}
STAFF_ONLY = "Only EXPO.e co-ordinators and administrators {what}."


def may_make(user: User, group: CustomerGroup, change: str) -> bool:
    """Whether `user` may make this kind of change to this customer (the service checks it again)."""
    if not services.can_assign_numbers(user, group):
        return False
    return not (KINDS[change].staff_only and user.is_partner_user) if change in KINDS else False


class _Preview(Exception):
    """Carries a change's plan out of the transaction that checked it, which is then rolled back."""

    def __init__(self, plan: Plan):
        self.plan = plan


def _check_and_lock(by: User, group: CustomerGroup, what: str) -> CustomerGroup:
    if not services.can_assign_numbers(by, group):
        raise PermissionDenied("You cannot change this customer group.")
    locked = CustomerGroup.objects.select_for_update().select_related("partner").get(pk=group.pk)
    if locked.decommissioned_at is not None:
        raise TransitionConflict(f"{locked.group_id} is decommissioned: it is no longer on the platforms.")
    first = ServiceBuild.objects.filter(group=locked, kind=BuildKind.BUILD).first()
    if first is None or first.status != BuildStatus.SUCCEEDED:
        raise TransitionConflict(f"A customer is {what} once its build has succeeded; finish the build first.")
    open_one = ServiceBuild.objects.filter(group=locked, status__in=OPEN).first()
    if open_one is not None:
        named = f"The change “{open_one.summary}”" if open_one.kind == BuildKind.CHANGE else "The build"
        if open_one.status == BuildStatus.FAILED:
            raise TransitionConflict(f"{named} failed: retry or cancel it before the next change.")
        state = open_one.get_status_display().lower()
        raise TransitionConflict(f"{named} is still {state}: let it finish before the next change.")
    return locked


def _queue(by: User, group: CustomerGroup, change: str, recorded: Recorded, steps: Sequence[str]) -> ServiceBuild:
    build = ServiceBuild(group=group, kind=BuildKind.CHANGE, summary=recorded.summary[:200], requested_by=by)
    build.details = {"change": change, **recorded.details}
    if not has_transition_perm(build.queue, by):
        raise PermissionDenied("Your role cannot change customers.")
    build.save()
    BuildStep.objects.bulk_create(BuildStep(build=build, position=i, name=name) for i, name in enumerate(steps))
    requeue(by=by, build=build, description=recorded.summary)
    audit_record(actor=by, action="change.queued", target=build, changes=build.details)
    build.generated_passwords = recorded.generated_passwords  # type: ignore[attr-defined]  # shown once
    return build


@sensitive_variables("values")
def _start(by: User, group: CustomerGroup, change: str, values: Values) -> ServiceBuild:
    kind = KINDS.get(change)
    if kind is None:
        raise ValidationError({"change": [f"Choose one of: {', '.join(KINDS)}."]})
    if kind.staff_only and by.is_partner_user:
        raise PermissionDenied(STAFF_ONLY.format(what=kind.title.lower() + " a customer"))
    locked = _check_and_lock(by, group, "changed")
    recorded = kind.record(by, locked, values)
    return _queue(by, locked, change, recorded, recorded.steps or kind.steps)


def change_start(*, by: User, group: CustomerGroup, change: str, values: Values) -> ServiceBuild:
    """The change named `change` (a key of change_kinds.KINDS), checked, recorded and queued in one
    transaction. A generated administrator password is on the result's `generated_passwords`, to
    show once (A2)."""
    try:
        with transaction.atomic():
            return _start(by, group, change, values)
    except IntegrityError as exc:  # another change on this group took the one open slot first
        raise TransitionConflict("Someone else started a change of this customer at the same moment; reload.") from exc


def change_preview(*, by: User, group: CustomerGroup, change: str, values: Values) -> Plan:
    """Every platform operation the change would perform, in order, after every check the change
    itself makes: it is started in a transaction that is then rolled back (nothing is queued, its
    records are as before, no password is kept)."""
    try:
        with transaction.atomic():
            build = _start(by, group, change, values)
            raise _Preview(KINDS[change].plan(build.group, build.details))
    except _Preview as preview:
        return preview.plan


def change_numbers_add(*, by: User, group: CustomerGroup, numbers: list[str]) -> ServiceBuild:
    """N1, N2: more of the partner's available numbers on a built group."""
    return change_start(by=by, group=group, change="add_numbers", values={"numbers": numbers})


def change_numbers_remove(*, by: User, group: CustomerGroup, numbers: list[str]) -> ServiceBuild:
    """N1, N2: numbers off a built group, back to its partner's pool (never to another partner)."""
    return change_start(by=by, group=group, change="remove_numbers", values={"numbers": numbers})


def change_repair(
    *,
    by: User,
    group: CustomerGroup,
    steps: Sequence[str],
    summary: str,
    details: dict[str, Any] | None = None,
    new_admin_passwords: Sequence[str] = (),
) -> ServiceBuild:
    """Drift found by the reconciliation, repaired: the idempotent steps that bring the platforms
    back to our record, run as a change (one at a time, retried, audited). An administrator missing
    on BroadWorks is made again with a new password (its first one was wiped once used, A2): those
    named in `new_admin_passwords` get one, on the result's `generated_passwords`, to show once."""
    if not steps:
        raise ValidationError({"steps": ["Nothing to repair."]})
    try:
        with transaction.atomic():
            locked = _check_and_lock(by, group, "repaired")
            generated = {}
            for admin in GroupAdmin.objects.filter(group=locked, user_id__in=list(new_admin_passwords)):
                generated[admin.user_id] = vault.generate_password()
                admin.password_encrypted, admin.password_generated = vault.encrypt(generated[admin.user_id]), True
                admin.password_wiped_at = None
                # A2: shown once, to the caller, now (never again on the hand-over page).
                admin.password_shown_at, admin.password_shown_by = timezone.now(), by
                admin.save(
                    update_fields=[
                        "password_encrypted",
                        "password_generated",
                        "password_wiped_at",
                        "password_shown_at",
                        "password_shown_by",
                    ]
                )
            recorded = Recorded(summary, dict(details or {}), generated_passwords=generated)
            return _queue(by, locked, "repair", recorded, list(dict.fromkeys(steps)))
    except IntegrityError as exc:
        raise TransitionConflict("Someone else started a change of this customer at the same moment; reload.") from exc


def _failed_change(by: User, change: ServiceBuild) -> ServiceBuild:
    """The change, locked, if it failed and `by` may act on it."""
    locked = ServiceBuild.objects.select_for_update().select_related("group__partner").get(pk=change.pk)
    if locked.kind != BuildKind.CHANGE:
        raise TransitionConflict("That is the customer's build, not a change: retry it from the build section.")
    if not services.can_assign_numbers(by, locked.group):
        raise PermissionDenied("You cannot change this customer group.")
    if locked.status != BuildStatus.FAILED:
        state = locked.get_status_display().lower()
        raise TransitionConflict(f"The change is {state}: only a failed one is retried or cancelled.")
    if not has_transition_perm(locked.cancel, by):  # (a failed one can be retried by the same roles)
        raise PermissionDenied("Your role cannot change customers.")
    kind = KINDS.get(locked.details.get("change", ""))
    if kind is not None and kind.staff_only and by.is_partner_user:
        raise PermissionDenied(STAFF_ONLY.format(what="act on a decommissioning"))
    return locked


def change_retry(*, by: User, change: ServiceBuild) -> ServiceBuild:
    """A failed change runs again from its failed step (the steps done are not repeated)."""
    with transaction.atomic():
        change = _failed_change(by, change)
        requeue(by=by, build=change, description="Retry")
        audit_record(actor=by, action="change.retried", target=change)
    return change


def change_cancel(*, by: User, change: ServiceBuild) -> ServiceBuild:
    """A failed change given up: our records are put back as they were before it (numbers it added
    return to the partner's pool; numbers it took off come back to the group, if still free). What a
    step had already done on a platform stays there, and its ExternalCall rows say what. A
    decommissioning is not cancelled half-way: it is retried until the customer is gone."""
    with transaction.atomic():
        change = _failed_change(by, change)
        kind = KINDS.get(change.details.get("change", ""))
        if kind is not None and kind.undo is None:
            raise TransitionConflict(
                f"A {kind.title.lower()} is not cancelled half-way (the customer is partly removed): retry it."
            )
        if kind is not None and kind.undo is not None:
            kind.undo(by, change.group, change.details)
        change.cancel(by=by, description="Cancelled; our records put back as before the change")
        change.save()
        audit_record(actor=by, action="change.cancelled", target=change, changes=change.details)
    return change


def change_confirm_by_hand(*, by: User, change: ServiceBuild) -> ServiceBuild:
    """A platform in manual mode: a co-ordinator did the change's waiting step by hand, as its
    instructions said, and confirms it. The step then finishes without asking the platform (the
    portal cannot read it in that mode) and the change carries on; reporting users confirmed this way
    count as made (K4), as at the build."""
    if by.role not in CONFIRMERS:
        raise PermissionDenied("Only EXPO.e co-ordinators and administrators confirm work done by hand on a platform.")
    with transaction.atomic():
        locked = ServiceBuild.objects.select_for_update().select_related("group__partner").get(pk=change.pk)
        if locked.kind != BuildKind.CHANGE:
            raise TransitionConflict("That is the customer's build: confirm its step in the build section.")
        step = locked.steps.filter(status=StepStatus.WAITING).order_by("position").first()
        if step is None:
            raise TransitionConflict("The change is not waiting for a confirmation (reload to see it).")
        if step.name == BuildStepName.AKIXI_USERS:
            locked.group.akixi_users.filter(confirmed_at__isnull=True).update(confirmed_at=timezone.now())
        BuildStep.objects.filter(pk=step.pk).update(
            status=StepStatus.PENDING, last_error="", external_reference=DONE_BY_HAND
        )
        audit_record(actor=by, action="change.confirmed_by_hand", target=locked, changes={"step": step.name})
        wake_confirmed(step, locked.pk)
    return locked


# What a person may do to a failed change, by the name the page and the API use.
FAILED_CHANGE_ACTIONS: dict[str, Callable[..., ServiceBuild]] = {"retry": change_retry, "cancel": change_cancel}
# ... and to one waiting for a step done by hand.
CHANGE_ACTIONS = {**FAILED_CHANGE_ACTIONS, "confirm": change_confirm_by_hand}
