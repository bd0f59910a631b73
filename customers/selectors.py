"""Read queries for customer groups and their builds, scoped to what the user may see."""

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from accounts.scoping import scope_for

from .choices import BuildKind, BuildStatus, StepStatus
from .models import AkixiUser, CustomerGroup, ServiceBuild


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


def build_attention_counts(*, user: User) -> dict[str, int]:
    """Customer builds that need a person: failed ones, and those waiting for a co-ordinator to do a
    step by hand (Call Cabinet in manual mode). One query."""
    return scope_for(user, ServiceBuild.objects.all()).aggregate(
        failed=Count("id", filter=Q(status=BuildStatus.FAILED), distinct=True),
        waiting=Count("id", filter=Q(steps__status=StepStatus.WAITING), distinct=True),
    )


def customer_group_work_list(*, user: User) -> QuerySet[CustomerGroup]:
    """Customer groups with their partner and the status of their latest build or change, for the
    homes' work lists (the list page's FilterSet narrows it exactly as the page does)."""
    return scope_for(user, with_latest_build_status(CustomerGroup.objects.select_related("partner")))
