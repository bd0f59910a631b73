"""The port lead-time dashboard: every figure aggregated in the database, a fixed number of queries
whatever the number of requests (P4, P5, P7), and kept for a short while in the cache under a
version of the port data that every change to a request bumps (#14)."""

import math

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from expoe_portal.cache import cached_read

from .calendar import UK
from .choices import CLOSED_STATUSES, PortStatus, RejectionCode
from .models import PORT_DATA, PortRejection
from .selectors import calendars, due_within_working_days_q, inside_cancellation_window_q

DUE_SOON_WORKING_DAYS = 5
LIST_LIMIT = 10
BREAKDOWN_LIMIT = 12
# Requested against confirmed (#18): working days from the date the partner asked for to the
# carrier's confirmed date, counted in these bands (name, label, SQL condition on the column).
SLIPPAGE_BANDS = [
    ("earlier", "Earlier than asked", "< 0"),
    ("as_asked", "As asked", "= 0"),
    ("up_to_5", "1 to 5 working days later", "BETWEEN 1 AND 5"),
    ("over_5", "More than 5 working days later", "> 5"),
]
_BAND_Q = {
    "earlier": Q(slippage_working_days__lt=0),
    "as_asked": Q(slippage_working_days=0),
    "up_to_5": Q(slippage_working_days__gte=1, slippage_working_days__lte=5),
    "over_5": Q(slippage_working_days__gt=5),
}


def slippage_figures() -> dict:
    """The slippage aggregates of one group of requests: how many had a date asked for and
    confirmed, the average working days between them, and the count in each band."""
    return {
        "slipped_count": Count("id", filter=Q(slippage_working_days__isnull=False)),
        "avg_slippage": Avg("slippage_working_days"),
        **{f"slippage_{name}": Count("id", filter=_BAND_Q[name]) for name, _, _ in SLIPPAGE_BANDS},
    }


# The version bump makes a change show at once; the time limit only bounds how long a change made
# behind the services' back (a shell, a data migration) can go unseen.
CACHE_SECONDS = 60


def percentiles(queryset: QuerySet, field: str, ps: list[float]) -> dict[float, float | None]:
    """Interpolated percentiles of `field` over `queryset` (as PostgreSQL's percentile_cont and
    numpy's default), in one query on either database.

    The field holds whole days, so its distinct values are few: the database counts each value (a
    grouped pass that PostgreSQL runs in parallel, where percentile_cont sorts every value in one
    process, decision 116) and the positions are found in that count here. NULLs do not count."""
    counted = list(
        queryset.order_by()
        .filter(**{f"{field}__isnull": False})
        .values_list(field)
        .annotate(n=Count("pk"))
        .order_by(field)
    )
    total = sum(n for _, n in counted)
    if not total:
        return dict.fromkeys(ps)

    def nth(rank: int):  # the rank-th value (0-based) of all of them in order
        seen = 0
        for value, n in counted:
            seen += n
            if rank < seen:
                return value
        return counted[-1][0]

    result = {}
    for p in ps:
        position = p * (total - 1)
        low = math.floor(position)
        low_value, high_value = nth(low), nth(min(low + 1, total - 1))
        result[p] = float(low_value + (position - low) * (high_value - low_value))
    return result


def port_dashboard(queryset: QuerySet) -> dict:
    """Everything on the dashboard for the (already scoped and filtered) requests.

    One pass over the requests for the totals (and, on PostgreSQL, the percentiles), one grouped
    pass per breakdown, the reasons by a join to the rejections, and the two short lists from the
    (status, port_date) index: a fixed number of queries whatever the number of requests."""
    pairs = calendars()  # one query: the calendars the "due soon" filter needs
    due_q = due_within_working_days_q(DUE_SOON_WORKING_DAYS, pairs=pairs)
    window_q = inside_cancellation_window_q()
    completed = Q(status=PortStatus.COMPLETED, completion_working_days__isnull=False)
    in_sql = connection.vendor == "postgresql"
    totals = queryset.order_by().aggregate(
        total=Count("id"),
        submissions=Sum("submission_count"),
        due_soon=Count("id", filter=due_q),
        in_window=Count("id", filter=window_q),
        completed_count=Count("id", filter=completed),
        completed_on_time=Count("id", filter=completed & Q(completion_working_days__lte=F("lead_time_working_days"))),
        avg_completion_working_days=Avg("completion_working_days", filter=completed),
        avg_rule_working_days=Avg("lead_time_working_days", filter=completed),
        **{f"status_{s}": Count("id", filter=Q(status=s)) for s in PortStatus.values},
        # Issue #18: the same figures in numbers (a bulk port of 10,000 is not one port's work).
        numbers=Coalesce(Sum("number_count"), 0),
        numbers_due_soon=Coalesce(Sum("number_count", filter=due_q), 0),
        numbers_ported=Coalesce(Sum("number_count", filter=completed), 0),
        **{f"numbers_{s}": Coalesce(Sum("number_count", filter=Q(status=s)), 0) for s in PortStatus.values},
        **slippage_figures(),
    )
    # The requests not accepted yet do not count.
    acceptance = percentiles(queryset, "acceptance_days", [0.5, 0.9])
    reasons = list(rejections_of(queryset).values("code").annotate(n=Count("id")).order_by("-n", "code"))
    rejections = sum(r["n"] for r in reasons)
    labels = dict(RejectionCode.choices)
    for row in reasons:
        row["label"] = labels.get(row["code"], row["code"])

    if in_sql:
        by_provider, by_country = breakdowns_in_one_pass(queryset)
    else:
        by_provider, by_country = breakdown(queryset, "losing_provider"), breakdown(queryset, "country")
    listed = queryset.select_related("partner").order_by("port_date", "id")
    return {
        "totals": totals,
        "by_status": [(PortStatus(s).label, s, totals[f"status_{s}"]) for s in PortStatus.values],
        "numbers_by_status": [(PortStatus(s).label, s, totals[f"numbers_{s}"]) for s in PortStatus.values],
        "acceptance_median": acceptance[0.5],
        "acceptance_p90": acceptance[0.9],
        "rejections": rejections,
        "rejection_rate": (rejections / totals["submissions"]) if totals["submissions"] else None,
        "top_reasons": reasons,
        "due_soon": list(listed.filter(due_q)[:LIST_LIMIT]),
        "in_window": list(listed.filter(window_q)[:LIST_LIMIT]),
        "by_losing_provider": by_provider,
        "by_country": by_country,
        "due_soon_days": DUE_SOON_WORKING_DAYS,
        "slippage_bands": [(label, totals[f"slippage_{name}"]) for name, label, _ in SLIPPAGE_BANDS],
    }


def rejections_of(requests: QuerySet) -> QuerySet[PortRejection]:
    """The rejections of `requests`: joined to them only when they are a part of all requests (a
    filter or a partner's scope); every request's rejections are simply all of them."""
    if not requests.query.where:
        return PortRejection.objects.all()
    return PortRejection.objects.filter(port_request__in=requests.order_by().values("pk"))


BREAKDOWNS = ("losing_provider", "country")


def breakdown(queryset: QuerySet, field: str) -> list[dict]:
    """One grouped pass: each request is one row (no join), so plain conditional counts; the
    rejections are the count kept on each request. The largest groups first."""
    return list(
        queryset.order_by()
        .values(field)
        .annotate(
            total=Count("id"),
            numbers=Coalesce(Sum("number_count"), 0),
            open=Count("id", filter=~Q(status__in=CLOSED_STATUSES)),
            completed=Count("id", filter=Q(status=PortStatus.COMPLETED)),
            rejections=Coalesce(Sum("rejection_count"), 0),
            avg_acceptance_days=Avg("acceptance_days"),
            **slippage_figures(),
        )
        .order_by("-total", field)[:BREAKDOWN_LIMIT]
    )


# What the one pass reads of each request.
SUMMED = ("id", "status", "rejection_count", "acceptance_days", "number_count", "slippage_working_days")


def breakdowns_in_one_pass(queryset: QuerySet) -> tuple[list[dict], list[dict]]:
    """`breakdown` by losing provider and by country from one pass over the requests (PostgreSQL's
    GROUPING SETS), not one each: the same figures, the same order."""
    try:
        inner, params = (
            queryset.order_by()
            .values(
                "id",
                "status",
                "rejection_count",
                "acceptance_days",
                "number_count",
                "slippage_working_days",
                *BREAKDOWNS,
            )
            .query.sql_with_params()
        )
    except EmptyResultSet:
        return [], []
    closed = ", ".join(["%s"] * len(CLOSED_STATUSES))
    sql = (
        "SELECT GROUPING(losing_provider) = 0, losing_provider, country, COUNT(id),"  # noqa: S608 - our SQL
        f" COUNT(id) FILTER (WHERE status NOT IN ({closed})), COUNT(id) FILTER (WHERE status = %s),"
        " COALESCE(SUM(rejection_count), 0), AVG(acceptance_days), COALESCE(SUM(number_count), 0),"
        " COUNT(slippage_working_days), AVG(slippage_working_days), "
        + ", ".join(f"COUNT(id) FILTER (WHERE slippage_working_days {band})" for _, _, band in SLIPPAGE_BANDS)
        + f" FROM ({inner}) AS requests GROUP BY GROUPING SETS ((losing_provider), (country))"
    )
    groups: dict[str, list[dict]] = {field: [] for field in BREAKDOWNS}
    with connection.cursor() as cursor:
        cursor.execute(sql, (*CLOSED_STATUSES, PortStatus.COMPLETED, *params))
        for row in cursor.fetchall():
            (
                by_provider,
                provider,
                country,
                total,
                open_,
                completed,
                rejections,
                avg,
                numbers,
                slipped,
                avg_slip,
                *bands,
            ) = row
            field, key = ("losing_provider", provider) if by_provider else ("country", country)
            groups[field].append(
                {
                    field: key,
                    "total": total,
                    "numbers": numbers,
                    "open": open_,
                    "completed": completed,
                    "rejections": rejections,
                    "avg_acceptance_days": float(avg) if avg is not None else None,
                    "slipped_count": slipped,
                    "avg_slippage": float(avg_slip) if avg_slip is not None else None,
                    **{f"slippage_{name}": n for (name, _, _), n in zip(SLIPPAGE_BANDS, bands, strict=True)},
                }
            )

    def largest_first(field: str) -> list[dict]:
        # As order_by("-total", field) on PostgreSQL: ties by name, an empty name (NULL) last.
        rows = groups[field]
        return sorted(rows, key=lambda row: (-row["total"], row[field] is None, row[field] or ""))[:BREAKDOWN_LIMIT]

    return largest_first("losing_provider"), largest_first("country")


# --- The cache: keyed by the filtered query, the day and the version of the port data -------------


def port_dashboard_cached(queryset: QuerySet) -> dict:
    """port_dashboard(queryset), from the cache when the same requests (the same SQL: the same
    filters and the same scope) were counted since the port data last changed, on the same day."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        sql, params = "", ()
    # "Due soon" counts from today's date, the 48-hour window from the UK date.
    days = (timezone.localdate(), timezone.now().astimezone(UK).date())
    return cached_read(PORT_DATA, (sql, params, days), lambda: port_dashboard(queryset), seconds=CACHE_SECONDS)
