"""Changes to a built customer (#15): each one a `ServiceBuild` of kind "change", run by the build
engine (customers.builds) like a first build: steps that ask the platform first, claims, leases,
retries, live progress and audit.

A change writes our records and its own build in one transaction (the numbers move in the
partner's pool at once, N1, N2), and its steps bring the platforms to match after commit. Only once
the group's first build has succeeded, and one at a time: the database refuses a second open build
or change on a group (decision 120)."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_fsm import has_transition_perm

from accounts.models import User
from accounts.services import audit_record
from expoe_portal.transitions import TransitionConflict
from number_pool.models import Number
from number_pool.parsing import numbers_as_text

from . import services
from .builds import requeue
from .choices import BuildKind, BuildStatus, BuildStepName
from .models import BuildStep, CustomerGroup, ServiceBuild

# What each kind of change runs, in order: the first build's own steps where they do the work
# (they create only what is missing), and the steps only a change has.
CHANGE_STEPS: dict[str, tuple[str, ...]] = {
    "add_numbers": (BuildStepName.POOL_NUMBERS, BuildStepName.ASSIGN_NUMBERS),
    "remove_numbers": (BuildStepName.UNASSIGN_NUMBERS,),
}
OPEN = (BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.FAILED)


def _shown(numbers: list[str]) -> str:
    return ", ".join(numbers[:5]) + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")


def change_numbers_add(*, by: User, group: CustomerGroup, numbers: list[str]) -> ServiceBuild:
    """N1, N2: more of the partner's available numbers on a built group."""

    def record(locked: CustomerGroup, adding: list[str]) -> None:
        services.numbers_assign(by=by, group=locked, numbers=adding)

    return _change_start(by, group, "add_numbers", numbers, record)


def change_numbers_remove(*, by: User, group: CustomerGroup, numbers: list[str]) -> ServiceBuild:
    """N1, N2: numbers off a built group, back to its partner's pool (never to another partner).
    Not the business profile number (B1) nor the voice portal's (V1): the group's settings name them."""

    def record(locked: CustomerGroup, leaving: list[str]) -> None:
        own = set(Number.objects.filter(customer_group=locked).values_list("e164", flat=True))
        problems = [f"{n} is not one of {locked.group_id}'s numbers." for n in leaving if n not in own]
        named = {locked.business_profile_number: "the business profile number (B1)"}
        named[locked.voice_portal_number] = "the voice portal's number (V1)"
        problems += [f"{n} is {named[n]}: change that setting first." for n in leaving if n in named and n and n in own]
        if problems:
            raise ValidationError({"numbers": problems})
        if len(own) == len(leaving):
            raise ValidationError({"numbers": ["A group keeps at least one number (B1): leave one on it."]})
        services.numbers_release(by=by, group=locked, numbers=leaving)

    return _change_start(by, group, "remove_numbers", numbers, record)


# Per change: its summary's verb, and what to say when no number was chosen.
_WORDING = {
    "add_numbers": ("Add", "Choose at least one number to add."),
    "remove_numbers": ("Take off", "Choose at least one number to take off."),
}


def _chosen(change: str, numbers: list[str]) -> list[str]:
    """The numbers once each, in order; a clear refusal when none was chosen."""
    numbers = list(dict.fromkeys(numbers))
    if not numbers:
        raise ValidationError({"numbers": [_WORDING[change][1]]})
    return numbers


def _change_start(
    by: User, group: CustomerGroup, change: str, numbers: list[str], record: Callable[[CustomerGroup, list[str]], None]
) -> ServiceBuild:
    """Check, write our records (`record`) and queue the change, in one transaction."""
    numbers = _chosen(change, numbers)
    summary = f"{_WORDING[change][0]} {_shown(numbers)}"
    if not services.can_assign_numbers(by, group):
        raise PermissionDenied("You cannot change this customer group.")
    try:
        with transaction.atomic():
            locked = CustomerGroup.objects.select_for_update().select_related("partner").get(pk=group.pk)
            first = ServiceBuild.objects.filter(group=locked, kind=BuildKind.BUILD).first()
            if first is None or first.status != BuildStatus.SUCCEEDED:
                raise TransitionConflict("A customer is changed once its build has succeeded; finish the build first.")
            open_one = ServiceBuild.objects.filter(group=locked, status__in=OPEN).first()
            if open_one is not None:
                raise TransitionConflict(
                    f"{open_one} is still open: let it finish, or retry or cancel it, before the next change."
                )
            record(locked, numbers)
            build = ServiceBuild(group=locked, kind=BuildKind.CHANGE, summary=summary[:200], requested_by=by)
            build.details = {"change": change, "numbers": numbers}
            if not has_transition_perm(build.queue, by):
                raise PermissionDenied("Your role cannot change customers.")
            build.save()
            BuildStep.objects.bulk_create(
                BuildStep(build=build, position=i, name=name) for i, name in enumerate(CHANGE_STEPS[change])
            )
            requeue(by=by, build=build, description=summary)
            audit_record(actor=by, action="change.queued", target=build, changes=build.details)
    except IntegrityError as exc:  # another change on this group took the one open slot first
        raise TransitionConflict("Someone else started a change of this customer at the same moment; reload.") from exc
    return build


def change_start(*, by: User, group: CustomerGroup, change: str, numbers: list[str]) -> ServiceBuild:
    """The change named `change` (a key of CHANGE_STEPS), as the page and the API ask for it."""
    starts = {"add_numbers": change_numbers_add, "remove_numbers": change_numbers_remove}
    if change not in starts:
        raise ValidationError({"change": [f"Choose one of: {', '.join(starts)}."]})
    return starts[change](by=by, group=group, numbers=numbers)


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
    step had already done on a platform stays there, and its ExternalCall rows say what."""
    with transaction.atomic():
        change = _failed_change(by, change)
        group, numbers = change.group, change.details.get("numbers", [])
        if change.details.get("change") == "add_numbers":
            services.numbers_release(by=by, group=group, numbers=numbers)
        else:
            services.numbers_assign(by=by, group=group, numbers=numbers)
        change.cancel(by=by, description="Cancelled; our records put back as before the change")
        change.save()
        audit_record(actor=by, action="change.cancelled", target=change, changes=change.details)
    return change


# What a person may do to a failed change, by the name the page and the API use.
FAILED_CHANGE_ACTIONS = {"retry": change_retry, "cancel": change_cancel}

CHANGE_TITLES = {"add_numbers": "Add numbers", "remove_numbers": "Take numbers off"}


def change_plan(group: CustomerGroup, change: str, numbers: list[str]) -> list[dict[str, str]]:
    """Every platform operation the change performs, in order (shown before it is confirmed), in
    the shape of the build's plan; refused, as the change itself would be, when no number is chosen."""
    numbers = _chosen(change, numbers)
    shown = numbers_as_text(numbers, separator=", ", dash="–")
    sp = group.partner.partner_id
    if change == "add_numbers":
        return [
            {
                "platform": "broadworks",
                "operation": "Add any that are missing to the partner's pool",
                "detail": f"{shown} on {sp} (N1)",
            },
            {
                "platform": "broadworks",
                "operation": "Assign and activate them on the group",
                "detail": f"{len(numbers)} on {group.group_id} (N1, N2)",
            },
        ]
    return [
        {
            "platform": "broadworks",
            "operation": "Take them off the group",
            "detail": f"{shown} off {group.group_id}; they stay on {sp}'s pool, free for its other customers (N2)",
        }
    ]
