"""The port lead-time dashboard: every figure aggregated in the database, a fixed number of queries
whatever the number of requests (P4, P5, P7)."""

import math

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q, QuerySet, Sum

from .choices import PortStatus, RejectionCode
from .models import PortRejection
from .selectors import calendars, due_within_working_days_q, inside_cancellation_window_q

DUE_SOON_WORKING_DAYS = 5
LIST_LIMIT = 10
BREAKDOWN_LIMIT = 12


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(p) WITHIN GROUP (ORDER BY x): interpolated, like numpy's default."""

    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


def percentiles(queryset: QuerySet, field: str, ps: list[float]) -> dict[float, float | None]:
    """Interpolated percentiles of `field` over `queryset`, in one query on either database.

    PostgreSQL computes them itself. SQLite has no percentile function: a window query numbers the
    ordered values and returns only the two rows around each percentile's position, and the
    interpolation (the same formula as percentile_cont) is done here. Either way one query, and
    never more than two rows per percentile leave the database."""
    values = queryset.filter(**{f"{field}__isnull": False})
    if connection.vendor == "postgresql":
        row = values.aggregate(**{f"p{i}": PercentileCont(field, p) for i, p in enumerate(ps)})
        return {p: row[f"p{i}"] for i, p in enumerate(ps)}
    try:
        inner_sql, params = values.values_list(field).order_by().query.sql_with_params()
    except EmptyResultSet:  # a queryset that can match nothing (.none()) has no SQL
        return dict.fromkeys(ps)
    column = values.model._meta.get_field(field).column
    positions = " OR ".join(
        f"rn = CAST(1 + {p!r} * (n - 1) AS INTEGER) OR rn = CAST(1 + {p!r} * (n - 1) AS INTEGER) + 1" for p in ps
    )
    sql = (
        f"SELECT v, rn, n FROM (SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS n "  # noqa: S608
        f'FROM (SELECT "{column}" AS v FROM ({inner_sql}))) WHERE {positions}'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return dict.fromkeys(ps)
    n = rows[0][2]
    at = {rn: v for v, rn, _ in rows}
    result = {}
    for p in ps:
        position = 1 + p * (n - 1)
        low = math.floor(position)
        high_value = at.get(low + 1, at[low])
        result[p] = at[low] + (position - low) * (high_value - at[low])
    return result


def port_dashboard(queryset: QuerySet) -> dict:
    """Everything on the dashboard for the (already scoped and filtered) requests."""
    pairs = calendars()  # one query: the calendars the "due soon" filter needs
    due_q = due_within_working_days_q(DUE_SOON_WORKING_DAYS, pairs=pairs)
    window_q = inside_cancellation_window_q()
    completed = Q(status=PortStatus.COMPLETED, completion_working_days__isnull=False)
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
    )
    acceptance = percentiles(queryset, "acceptance_days", [0.5, 0.9])
    reasons = list(
        PortRejection.objects.filter(port_request__in=queryset.order_by().values("pk"))
        .values("code")
        .annotate(n=Count("id"))
        .order_by("-n", "code")
    )
    rejections = sum(r["n"] for r in reasons)
    labels = dict(RejectionCode.choices)
    for row in reasons:
        row["label"] = labels.get(row["code"], row["code"])

    def breakdown(field):
        return list(
            queryset.order_by()
            .values(field)
            .annotate(
                total=Count("id", distinct=True),
                open=Count("id", distinct=True, filter=~Q(status__in=[PortStatus.COMPLETED, PortStatus.CANCELLED])),
                completed=Count("id", distinct=True, filter=Q(status=PortStatus.COMPLETED)),
                rejections=Count("rejections"),
                avg_acceptance_days=Avg("acceptance_days"),
            )
            .order_by("-total", field)[:BREAKDOWN_LIMIT]
        )

    listed = queryset.select_related("partner").order_by("port_date", "id")
    return {
        "totals": totals,
        "by_status": [(PortStatus(s).label, s, totals[f"status_{s}"]) for s in PortStatus.values],
        "acceptance_median": acceptance[0.5],
        "acceptance_p90": acceptance[0.9],
        "rejections": rejections,
        "rejection_rate": (rejections / totals["submissions"]) if totals["submissions"] else None,
        "top_reasons": reasons,
        "due_soon": list(listed.filter(due_q)[:LIST_LIMIT]),
        "in_window": list(listed.filter(window_q)[:LIST_LIMIT]),
        "by_losing_provider": breakdown("losing_provider"),
        "by_country": breakdown("country"),
        "due_soon_days": DUE_SOON_WORKING_DAYS,
    }
