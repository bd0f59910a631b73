from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import EmptyResultSet
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import EscalationContact, User
from accounts.scoping import get_scoped_or_404, scope_for
from expoe_portal import cache as shared_cache

from .choices import MAX_LEVEL, SlaState
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
    the figures in one grouped query and the oldest breaches in another, both cached for a short
    while (escalation_dashboard_cached)."""
    now = now or timezone.now()
    return {"now": now, **escalation_dashboard_cached(user=user, now=now)}


def _trend_weeks(now: datetime, weeks: int) -> list[date]:
    """The Mondays of the last `weeks` weeks (local time), oldest first."""
    this_week = timezone.localtime(now).date()
    this_week -= timedelta(days=this_week.weekday())
    return [this_week - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _week_start(monday: date) -> datetime:
    return timezone.make_aware(datetime.combine(monday, time.min))


def _figures_queryset(user: User, now: datetime, weeks: int = TREND_WEEKS) -> QuerySet:
    """Open escalations, and those breached in the trend's weeks, counted per policy and owner in one
    grouped query: each figure a conditional count over the same rows."""
    mondays = _trend_weeks(now, weeks)
    bounds = [_week_start(monday) for monday in [*mondays, mondays[-1] + timedelta(weeks=1)]]
    is_open = Q(closed_at__isnull=True)
    breached = is_open & Q(due_at__lt=now)
    figures = {
        "open": Count("id", filter=is_open),
        # The states as escalation_state_expression decides them.
        "on_track": Count("id", filter=is_open & Q(due_at__gte=now, at_risk_at__gt=now)),
        "at_risk": Count("id", filter=is_open & Q(due_at__gte=now, at_risk_at__lte=now)),
        "breached": Count("id", filter=breached),
        # Work not yet escalated belongs to level 0 (Escalation.current_level).
        "level_0": Count("id", filter=breached & (Q(level=0) | Q(level__isnull=True))),
        **{f"level_{n}": Count("id", filter=breached & Q(level=n)) for n in range(1, MAX_LEVEL + 1)},
        **{
            f"week_{i}": Count("id", filter=Q(breached_at__gte=bounds[i], breached_at__lt=bounds[i + 1]))
            for i in range(weeks)
        },
    }
    rows = Escalation.objects.filter(is_open | Q(breached_at__gte=bounds[0]))
    return (
        scope_for(user, rows)
        .order_by()
        .values("policy_id", "owner_id", "owner__username", "owner__first_name", "owner__last_name")
        .annotate(**figures)
    )


def escalation_figures(*, user: User, now: datetime | None = None, weeks: int = TREND_WEEKS) -> dict[str, Any]:
    """The dashboard's figures: counts by policy, state and level, each co-ordinator's open items and
    breaches, and breaches per week (by the week the breach was recorded) for the last `weeks`
    weeks, oldest first, weeks without breaches included. Two queries: the policies, the figures."""
    now = now or timezone.now()
    policies = list(SlaPolicy.objects.order_by("position", "key"))
    empty = {"on_track": 0, "at_risk": 0, "breached": 0, "levels": [0] * (MAX_LEVEL + 1)}
    counts: dict[int, dict[str, Any]] = {}
    owners: dict[int | None, dict[str, Any]] = {}
    per_week = [0] * weeks
    for row in _figures_queryset(user, now, weeks):
        entry = counts.setdefault(row["policy_id"], {**empty, "levels": [0] * (MAX_LEVEL + 1)})
        for state in ("on_track", "at_risk", "breached"):
            entry[state] += row[state]
        for n in range(MAX_LEVEL + 1):
            entry["levels"][n] += row[f"level_{n}"]
        for i in range(weeks):
            per_week[i] += row[f"week_{i}"]
        if row["open"]:
            owner = owners.setdefault(
                row["owner_id"],
                {
                    "owner_id": row["owner_id"],
                    "name": (f"{row['owner__first_name']} {row['owner__last_name']}".strip() or row["owner__username"])
                    if row["owner_id"]
                    else "Not assigned",
                    "username": row["owner__username"],
                    "open": 0,
                    "at_risk": 0,
                    "breached": 0,
                },
            )
            for figure in ("open", "at_risk", "breached"):
                owner[figure] += row[figure]
    by_policy = [{"policy": policy, **counts.get(policy.pk, empty)} for policy in policies]
    totals = {key: sum(row[key] for row in by_policy) for key in ("on_track", "at_risk", "breached")} | {
        "levels": [sum(row["levels"][n] for row in by_policy) for n in range(MAX_LEVEL + 1)]
    }
    coordinators = sorted(
        owners.values(),
        key=lambda row: (-row["breached"], -row["open"], row["username"] is None, row["username"] or ""),
    )
    mondays = _trend_weeks(now, weeks)
    return {
        "by_policy": by_policy,
        "totals": totals,
        "coordinators": coordinators,
        "trend": [{"week": monday, "count": count} for monday, count in zip(mondays, per_week, strict=True)],
    }


def breach_trend(*, user: User, now: datetime | None = None, weeks: int = TREND_WEEKS) -> list[dict[str, Any]]:
    """Breaches per week (by the week the breach was recorded), the last `weeks` weeks, oldest
    first, weeks without breaches included."""
    return escalation_figures(user=user, now=now, weeks=weeks)["trend"]


# --- The dashboard's cache --------------------------------------------------------------------
# The figures are kept (expoe_portal.cache) under the SQL that counts them (so under the user's
# scope: a partner user's figures and a manager's are different entries, never shared) and the
# version of the escalation data, which every service that writes escalations bumps once its
# transaction commits. A change shows at once; time passing (an item falling due) shows within
# CACHE_SECONDS.

CACHE_SECONDS = 30
ESCALATION_DATA = "escalations"


def data_version() -> int:
    return shared_cache.data_version(ESCALATION_DATA)


def _bump_version() -> None:
    shared_cache.version_bump(ESCALATION_DATA)


def escalation_data_changed() -> None:
    """Call in every use case that writes escalations: once the transaction commits, every cached
    figure is stale."""
    shared_cache.data_changed(ESCALATION_DATA)


def escalation_dashboard_cached(*, user: User, now: datetime | None = None) -> dict[str, Any]:
    """escalation_figures and the oldest breaches, from the cache when the same rows (the same SQL:
    the same scope) were read since the last change and less than CACHE_SECONDS ago. The breaches
    are kept with the figures they add up to: a breach that is counted is listed (their timers are
    worked out when the page is drawn), and reading them was a quarter of the page's time."""
    now = now or timezone.now()
    # The scope is the SQL that narrows the escalations to what the user may see (a partner, a
    # trainer's partners, everything); the figures also depend on the day (the trend's weeks).
    try:
        scope = scope_for(user, Escalation.objects.order_by()).query.sql_with_params()
    except EmptyResultSet:  # a user who may see nothing
        scope = ("", ())
    return shared_cache.cached_read(
        ESCALATION_DATA,
        (scope, timezone.localtime(now).date()),
        lambda: {
            **escalation_figures(user=user, now=now),
            "breaches": escalation_breaches_oldest_first(user=user, now=now),
            "at_risk_items": escalation_at_risk_soonest_first(user=user, now=now),
        },
        seconds=CACHE_SECONDS,
    )


def escalation_at_risk_soonest_first(*, user: User, now: datetime | None = None, limit: int = 25) -> list[Escalation]:
    """Open items inside their at-risk window, the nearest deadline first (the dashboard names them)."""
    now = now or timezone.now()
    at_risk = escalation_open_list(user=user, now=now).filter(due_at__gte=now, at_risk_at__lte=now)
    return list(at_risk.order_by("due_at", "id")[:limit])


def escalation_deadlines(
    *, user: User, subjects: list[tuple[str, int]], now: datetime | None = None
) -> dict[tuple[str, int], Escalation]:
    """(subject type, subject id) -> the item's open escalation with the nearest deadline, for the
    rows of a work list; one query whatever the number of rows."""
    by_type: dict[str, set[int]] = {}
    for subject_type, subject_id in subjects:
        by_type.setdefault(subject_type, set()).add(subject_id)
    if not by_type:
        return {}
    condition = Q(pk__in=[])
    for subject_type, ids in by_type.items():
        condition |= Q(subject_type=subject_type, subject_id__in=sorted(ids))
    nearest: dict[tuple[str, int], Escalation] = {}
    for escalation in escalation_open_list(user=user, now=now).filter(condition).order_by("-due_at", "-id"):
        nearest[(escalation.subject_type, escalation.subject_id)] = escalation  # the last written is the nearest
    return nearest


def escalation_load_per_owner(*, user: User, now: datetime | None = None) -> dict[int, dict[str, int]]:
    """Owner pk -> their open items with deadlines, how many at risk and how many breached (the
    managers' home: each co-ordinator's load). One grouped query."""
    now = now or timezone.now()
    rows = (
        scope_for(user, Escalation.objects.filter(closed_at__isnull=True, owner__isnull=False))
        .order_by()
        .values("owner")
        .annotate(
            open=Count("id"),
            at_risk=Count("id", filter=Q(due_at__gte=now, at_risk_at__lte=now)),
            breached=Count("id", filter=Q(due_at__lt=now)),
        )
    )
    return {row["owner"]: {key: row[key] for key in ("open", "at_risk", "breached")} for row in rows}
