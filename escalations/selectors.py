from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import EscalationContact, User
from accounts.scoping import get_scoped_or_404, scope_for

from .choices import SlaState
from .models import Escalation, SlaPolicy

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # a development dependency: for mypy only

TREND_WEEKS = 12


class LiveState(TypedDict):
    """What escalation_list annotates each escalation with."""

    live_state: str


def escalation_contact_list(*, user: User) -> QuerySet[EscalationContact]:
    return scope_for(user, EscalationContact.objects.select_related("updated_by"))


def escalation_contact_get(*, user: User, pk: int) -> EscalationContact:
    return get_scoped_or_404(user, EscalationContact.objects.all(), pk=pk)


def escalation_contacts_by_level() -> dict[int, EscalationContact]:
    return {contact.level: contact for contact in EscalationContact.objects.all()}


# --- SLA policies ----------------------------------------------------------------------------


def sla_policy_list(*, user: User) -> QuerySet[SlaPolicy]:
    return scope_for(user, SlaPolicy.objects.select_related("updated_by"))


def sla_policy_get(*, user: User, pk: int) -> SlaPolicy:
    return get_scoped_or_404(user, SlaPolicy.objects.all(), pk=pk)


# --- Escalations (E2) ------------------------------------------------------------------------


def escalation_state_expression(now: datetime) -> Case:
    """The state in SQL, so that lists count, filter and sort on it; mirrors Escalation.state_at.
    At exactly the deadline the item is still within it; a second later it is breached."""
    return Case(
        When(due_at__lt=now, then=Value(SlaState.BREACHED)),
        When(at_risk_at__lte=now, then=Value(SlaState.AT_RISK)),
        default=Value(SlaState.ON_TRACK),
        output_field=CharField(),
    )


def escalation_list(*, user: User, now: datetime | None = None) -> "QuerySet[WithAnnotations[Escalation, LiveState]]":
    """Every escalation the user may see (open and closed), with its state now as `live_state`."""
    queryset = Escalation.objects.select_related("policy", "partner", "owner", "acknowledged_by").annotate(
        live_state=escalation_state_expression(now or timezone.now())
    )
    return scope_for(user, queryset)


def escalation_open_list(
    *, user: User, now: datetime | None = None
) -> "QuerySet[WithAnnotations[Escalation, LiveState]]":
    return escalation_list(user=user, now=now).filter(closed_at__isnull=True)


def escalation_get(*, user: User, pk: int) -> Escalation:
    return get_scoped_or_404(user, escalation_list(user=user), pk=pk)


def escalation_breaches_oldest_first(*, user: User, now: datetime | None = None, limit: int = 25) -> list[Escalation]:
    now = now or timezone.now()
    return list(escalation_open_list(user=user, now=now).filter(due_at__lt=now).order_by("due_at", "id")[:limit])


def escalation_dashboard(*, user: User, now: datetime | None = None) -> dict[str, Any]:
    """What the managers' dashboard shows, in a fixed number of queries whatever the number of items:
    every count is aggregated in the database."""
    now = now or timezone.now()
    open_items = escalation_open_list(user=user, now=now)
    policies = list(SlaPolicy.objects.order_by("position", "key"))

    # Counts by policy, state and level (one query).
    counts: dict[int, dict[str, Any]] = {}
    rows = open_items.order_by().values_list("policy_id", "live_state", "level").annotate(n=Count("id"))
    for policy_id, state, level, n in rows:
        entry = counts.setdefault(policy_id, {"on_track": 0, "at_risk": 0, "breached": 0, "levels": [0, 0, 0, 0]})
        entry[state] += n
        if state == SlaState.BREACHED:
            entry["levels"][level if level is not None else 0] += n
    by_policy = [
        {"policy": p, **counts.get(p.pk, {"on_track": 0, "at_risk": 0, "breached": 0, "levels": [0, 0, 0, 0]})}
        for p in policies
    ]
    totals = {key: sum(row[key] for row in by_policy) for key in ("on_track", "at_risk", "breached")} | {
        "levels": [sum(row["levels"][i] for row in by_policy) for i in range(4)]
    }

    # Each co-ordinator's open items and breaches (one query; owners' names come with it).
    owners = (
        open_items.order_by()
        .values("owner_id", "owner__username", "owner__first_name", "owner__last_name")
        .annotate(
            open=Count("id"),
            at_risk=Count("id", filter=Q(at_risk_at__lte=now, due_at__gte=now)),
            breached=Count("id", filter=Q(due_at__lt=now)),
        )
        .order_by("-breached", "-open", "owner__username")
    )
    coordinators = [
        {
            "owner_id": row["owner_id"],
            "name": (f"{row['owner__first_name']} {row['owner__last_name']}".strip() or row["owner__username"])
            if row["owner_id"]
            else "Not assigned",
            "open": row["open"],
            "at_risk": row["at_risk"],
            "breached": row["breached"],
        }
        for row in owners
    ]
    return {
        "now": now,
        "by_policy": by_policy,
        "totals": totals,
        "breaches": escalation_breaches_oldest_first(user=user, now=now),
        "coordinators": coordinators,
        "trend": breach_trend(user=user, now=now),
    }


def breach_trend(*, user: User, now: datetime | None = None, weeks: int = TREND_WEEKS) -> list[dict[str, Any]]:
    """Breaches per week (by the week the breach was recorded), the last `weeks` weeks, oldest
    first, weeks without breaches included (one query)."""
    now = now or timezone.now()
    this_week = timezone.localtime(now).date()
    this_week -= timedelta(days=this_week.weekday())
    first_week = this_week - timedelta(weeks=weeks - 1)
    start = timezone.make_aware(datetime.combine(first_week, time.min))
    rows = (
        scope_for(user, Escalation.objects.filter(breached_at__gte=start))
        .annotate(week=TruncWeek("breached_at"))
        .order_by()
        .values_list("week")
        .annotate(n=Count("id"))
    )
    per_week: dict[date, int] = {}
    for week, n in rows:
        day = week.date() if hasattr(week, "date") else week
        per_week[day] = per_week.get(day, 0) + n
    return [
        {"week": first_week + timedelta(weeks=i), "count": per_week.get(first_week + timedelta(weeks=i), 0)}
        for i in range(weeks)
    ]


def escalation_owned_by(*, user: User, owner: User, now: datetime | None = None, limit: int = 20) -> list[Escalation]:
    """A co-ordinator's own open items with deadlines, the most urgent first (home page)."""
    return list(escalation_open_list(user=user, now=now).filter(owner=owner).order_by("due_at", "id")[:limit])
