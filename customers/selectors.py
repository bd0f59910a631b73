"""Read queries for customer groups and their builds, scoped to what the user may see."""

from itertools import groupby
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from accounts.scoping import scope_for

from .build_request import build_plan
from .choices import BuildKind, BuildStatus, StepStatus
from .models import AkixiUser, BuildStep, CustomerGroup, ServiceBuild

PLATFORM_LABELS = {"broadworks": "BroadWorks (Partner portal)", "akixi": "Akixi", "callcabinet": "Call Cabinet"}


def by_platform(rows: list[dict[str, Any]], *, into: str) -> list[dict[str, Any]]:
    """Rows of a plan under their platform's heading, in order (the preview pages and the build page)."""
    return [
        {"platform": platform, "label": PLATFORM_LABELS.get(platform, platform), into: list(grouped)}
        for platform, grouped in groupby(rows, key=itemgetter("platform"))
    ]


def build_summary(group: CustomerGroup) -> dict[str, Any]:
    """API.md's `build` object: status, progress (percent of steps done) and the steps."""
    build = group.build
    if build is None:
        return {"status": "draft" if group.is_draft else "queued", "progress": 0, "steps": []}
    return _progress(build)


def _progress(build: ServiceBuild) -> dict[str, Any]:
    steps = list(build.steps.all())
    finished = sum(1 for s in steps if s.status in ("done", "skipped"))
    return {
        "status": build.status,
        "progress": round(100 * finished / len(steps)) if steps else 0,
        "steps": [{"name": s.name, "status": s.status, "attempts": s.attempts, "error": s.last_error} for s in steps],
    }


def change_summary(change: ServiceBuild) -> dict[str, Any]:
    """A change to a built customer (#15), as the API shows it: the build object's fields, and what
    the change is."""
    return {
        "id": change.pk,
        "change": change.details.get("change", ""),
        "summary": change.summary,
        "numbers": change.details.get("numbers", []),
        "details": {key: value for key, value in change.details.items() if key != "change"},
        **_progress(change),
        "error": change.last_error,
        "requested_by": change.requested_by.username if change.requested_by else None,
        "queued_at": change.queued_at,
        "finished_at": change.finished_at,
    }


def group_changes(group: CustomerGroup) -> QuerySet[ServiceBuild]:
    """The group's changes, newest first, with what their summaries read."""
    return (
        ServiceBuild.objects.filter(group=group, kind=BuildKind.CHANGE)  # (not group.builds: it may be prefetched)
        .select_related("requested_by")
        .prefetch_related("steps")
        .order_by("-id")
    )


def with_latest_build_status(groups: QuerySet[CustomerGroup]) -> QuerySet[CustomerGroup]:
    """Each group with `latest_build_status`: the status of its build or change that came last
    (once: the list page annotates it for its order, and its ?build= filter reads it)."""
    if "latest_build_status" in groups.query.annotations:
        return groups
    latest = ServiceBuild.objects.filter(group=OuterRef("pk")).order_by("-id").values("status")[:1]
    return groups.annotate(latest_build_status=Subquery(latest))


def callcabinet_confirmed_reference(group_id: str) -> str | None:
    """Call Cabinet in manual mode: the customer reference a co-ordinator confirmed for a group."""
    reference = CustomerGroup.objects.filter(group_id=group_id).values_list("callcabinet_reference", flat=True).first()
    return reference or None


def akixi_confirmed_partition(group_id: str) -> str | None:
    """Akixi in manual mode: the partition a co-ordinator confirmed (made and synchronised) for a group."""
    reference = (
        CustomerGroup.objects.filter(group_id=group_id).values_list("akixi_partition_reference", flat=True).first()
    )
    return reference or None


def akixi_confirmed_user(username: str) -> bool:
    """Akixi in manual mode: whether a co-ordinator confirmed a reporting user made by hand (K4)."""
    return AkixiUser.objects.filter(username__iexact=username, confirmed_at__isnull=False).exists()


def customer_group_work_list(*, user: User) -> QuerySet[CustomerGroup]:
    """Customer groups with their partner and the status of their latest build or change, for the
    homes' work lists (the list page's FilterSet narrows it exactly as the page does)."""
    return scope_for(user, with_latest_build_status(CustomerGroup.objects.select_related("partner")))


# --- The build page: the preview's operations, with the status of the steps that perform them ------

# How an operation reads from the statuses of its steps (the first that applies).
_OPERATION_STATUS = [
    (StepStatus.FAILED, lambda statuses: StepStatus.FAILED in statuses),
    (StepStatus.WAITING, lambda statuses: StepStatus.WAITING in statuses),
    (StepStatus.DONE, lambda statuses: all(s in (StepStatus.DONE, StepStatus.SKIPPED) for s in statuses)),
    (StepStatus.RUNNING, lambda statuses: StepStatus.RUNNING in statuses or StepStatus.DONE in statuses),
    (StepStatus.PENDING, lambda statuses: True),
]
STEP_BADGES = {
    StepStatus.DONE: "success",
    StepStatus.FAILED: "danger",
    StepStatus.RUNNING: "primary",
    StepStatus.WAITING: "warning",
    StepStatus.PENDING: "light",
    StepStatus.SKIPPED: "light",
}
FOLLOW_UP = "follow_up"  # an operation no step performs: the partner's, after the build (C6)


def build_operations(group: CustomerGroup, steps: list[BuildStep]) -> list[dict[str, Any]]:
    """The build, as the preview showed it: the plan's operations grouped by platform, in its order
    and with its names, each with the status of the steps that perform it, the platform's reference
    once done, and (on the first operation of a step) that step's error, attempts and next try."""
    by_name = {step.name: step for step in steps}
    explained: set[str] = set()
    operations = []
    for planned in build_plan(group):
        own = [by_name[name] for name in planned["steps"] if name in by_name]
        if planned["steps"] and not own:
            continue  # (a build made before its plan had this operation)
        row: dict[str, Any] = {**planned, "step_rows": own}
        if not own:
            row.update(
                status=FOLLOW_UP, status_label="After the build, in the Partner portal", badge="light", reference=""
            )
        else:
            statuses = [step.status for step in own]
            status = next(value for value, applies in _OPERATION_STATUS if applies(statuses))
            row.update(
                status=status,
                status_label=StepStatus(status).label,
                badge=STEP_BADGES[status],
                reference=" · ".join(s.external_reference for s in own if s.external_reference)
                if status == StepStatus.DONE
                else "",
            )
            fresh = [step for step in own if step.name not in explained]
            explained.update(step.name for step in own)
            row["explained"] = fresh  # errors, attempts and next tries are shown once per step
        operations.append(row)
    return by_platform(operations, into="operations")


# --- The hand-over: what the partner passes to the end customer ------------------------------------


def handover_details(group: CustomerGroup) -> dict[str, Any]:
    """Everything the partner passes to its end customer once the build succeeded (O7: the End
    Customer Portal URL, never the Partner Portal's): the group, its administrators (a generated
    password is revealed once, on request), the Akixi and Call Cabinet logins with the platforms'
    references."""
    build = group.build
    steps = {step.name: step for step in build.steps.all()} if build else {}

    def reference(name: str) -> str:
        step = steps.get(name)
        return step.external_reference if step and step.status == StepStatus.DONE else ""

    admins = []
    for admin in group.admins.select_related("password_shown_by").order_by("id"):
        if not admin.password_generated:
            state = "typed"
        elif admin.password_shown_at:
            state = "shown"
        elif admin.password_encrypted and reference("admins"):
            state = "revealable"
        elif admin.password_encrypted:
            state = "after_build"
        else:
            state = "gone"
        admins.append({"admin": admin, "state": state})
    return {
        "built": build is not None and build.status == BuildStatus.SUCCEEDED,
        "end_customer_portal_url": settings.END_CUSTOMER_PORTAL_URL,
        "numbers": list(group.numbers.order_by("e164").values_list("e164", flat=True)),
        "admins": admins,
        "akixi_partition": reference("akixi_partition"),
        "callcabinet_customer": reference("callcabinet_customer"),
    }
