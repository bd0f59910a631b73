"""Read queries for port requests; every one goes through the scoping helper."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.models import User
from accounts.scoping import get_scoped_or_404, scope_for
from expoe_portal.transitions import history_notes, transitions_available

from .calendar import CANCELLATION_NOTICE, UK, add_working_days
from .choices import GbRegion, PortedNumberStatus, PortStatus
from .models import (
    PortComment,
    PortDateChange,
    PortDocument,
    PortedNumber,
    PortingCountry,
    PortRejection,
    PortRequest,
    Provider,
)


def provider_usage() -> QuerySet[Provider]:
    """Every provider with how many requests name it, as losing provider and as range holder (two
    counted subqueries: no join fans the rows out)."""

    def named_by(field: str) -> Subquery:
        counted = PortRequest.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
        return Subquery(counted.annotate(n=Count("pk")).values("n")[:1])

    return Provider.objects.select_related("updated_by").annotate(
        losing_count=Coalesce(named_by("losing_provider_listed"), 0),
        holding_count=Coalesce(named_by("range_holder_listed"), 0),
    )


def port_request_list(*, user: User) -> QuerySet[PortRequest]:
    return scope_for(user, PortRequest.objects.select_related("partner", "customer_group"))


def port_request_get(*, user: User, pk: int) -> PortRequest:
    queryset = PortRequest.objects.select_related(
        "partner", "customer_group", "risks_acknowledged_by", "created_by"
    ).prefetch_related(
        Prefetch("state_logs", queryset=StateLog.objects.select_related("by", "shared_note")),
        Prefetch("rejections", queryset=PortRejection.objects.select_related("recorded_by")),
        Prefetch("documents", queryset=PortDocument.objects.select_related("uploaded_by")),
        Prefetch("date_changes", queryset=PortDateChange.objects.select_related("by")),
    )
    return get_scoped_or_404(user, queryset, pk=pk)


def port_request_history(*, port_request: PortRequest, user: User) -> list[StateLog]:
    """The request's history, oldest first, each entry with the note this user may read (`note`):
    a partner user never reads an internal note."""
    # `.all()`: the history is prefetched (with who) by port_request_get and by the API's queryset.
    entries = sorted(port_request.state_logs.all(), key=lambda entry: (entry.timestamp, entry.id))
    return history_notes(entries, user=user)


def port_request_timeline(
    *,
    user: User,
    port_request: PortRequest,
    comments: Iterable[PortComment] | None = None,
    documents: Iterable[PortDocument] | None = None,
) -> list[dict[str, Any]]:
    """Everything that happened to a request, oldest first: its creation, each state change, each
    comment this user may read (partner users never see internal ones) and each document."""
    entries: list[dict[str, Any]] = [
        {"at": port_request.created_at, "kind": "created", "title": "Draft created", "by": port_request.created_by}
    ]
    for log in port_request_history(port_request=port_request, user=user):
        entries.append(
            {
                "at": log.timestamp,
                "kind": "state",
                "title": log.get_state_display(),
                "from": log.get_source_state_display() if log.source_state else "",
                "by": log.by,
                "text": log.note or "",
                "partner_reads": log.partner_reads,
                "shared_note": getattr(log, "shared_note", None) if log.partner_reads == "part" else None,
            }
        )
    for comment in comments if comments is not None else port_comments_for(user=user, port_request=port_request):
        entries.append(
            {
                "at": comment.created_at,
                "kind": "comment",
                "title": "Internal comment" if comment.internal else "Comment",
                "by": comment.author,
                "text": comment.body,
                "internal": comment.internal,
            }
        )
    for change in port_request.date_changes.all():
        entries.append(
            {
                "at": change.at,
                "kind": "date",
                "title": f"{change.get_field_display()} "
                f"{'set to ' + format(change.new, '%d %b %Y') if change.new else 'cleared'}",
                "by": change.by,
                "text": f"Was {change.old:%d %b %Y}. {change.reason}" if change.old else change.reason,
            }
        )
    for document in documents if documents is not None else port_request.documents.all():
        entries.append(
            {
                "at": document.uploaded_at,
                "kind": "document",
                "title": f"{document.get_kind_display()} uploaded",
                "by": document.uploaded_by,
                "text": document.original_name,
            }
        )
    return sorted(entries, key=lambda entry: entry["at"])


def port_comments_for(*, user: User, port_request: PortRequest) -> QuerySet[PortComment]:
    """Partner users never see internal comments, on any page or in any answer."""
    comments = scope_for(user, PortComment.objects.filter(port_request=port_request).select_related("author"))
    return comments.filter(internal=False) if user.is_partner_user else comments


def port_request_transitions(*, port_request: PortRequest, user: User) -> list[dict[str, str]]:
    """Transitions this user may run on the request now, in the workflow's order."""
    from .services import PORT_TRANSITIONS

    return [
        {"name": t.name, "label": t.custom.get("label", t.name), "rule": t.custom.get("rule", "")}
        for t in transitions_available(port_request, user, PORT_TRANSITIONS)
    ]


# --- Queue filters that depend on the calendar -----------------------------------------------------


def calendars() -> list[tuple[str, str]]:
    """Every (country, nation) whose working days can differ: GB's nations and each other country."""
    countries = PortingCountry.objects.values_list("code", flat=True)
    pairs = [("GB", region) for region in GbRegion.values]
    return pairs + [(code, "") for code in countries if code != "GB"]


def due_within_working_days_q(
    n: int, *, today: date | None = None, pairs: Iterable[tuple[str, str]] | None = None
) -> Q:
    """Accepted requests whose port date falls within the next `n` working days of their own
    country's (and nation's) calendar. One OR branch per calendar, so the database filters."""
    today = today or timezone.localdate()
    condition = Q(pk__in=[])
    for country, region in pairs if pairs is not None else calendars():
        until = add_working_days(today, n, country, region)
        branch = Q(country=country, port_date__lte=until)
        if country == "GB":
            branch &= Q(region=region)
        condition |= branch
    return Q(status=PortStatus.ACCEPTED, port_date__gte=today) & condition


def inside_cancellation_window_q(*, now: datetime | None = None) -> Q:
    """Accepted requests whose losing provider can no longer cancel (P7): 00:00 UK time on the port
    date is less than 48 hours away, and the day has not passed."""
    now = now or timezone.now()
    limit = (now + CANCELLATION_NOTICE).astimezone(UK)
    # 00:00 on day D is before `limit` for every D up to limit's date (and not that date itself
    # when limit is exactly midnight).
    last_day = limit.date() if limit.time() != limit.time().min else limit.date() - timedelta(days=1)
    return Q(status=PortStatus.ACCEPTED, port_date__gte=now.astimezone(UK).date(), port_date__lte=last_day)


# --- Each number's status (issue #18) --------------------------------------------------------------


def ported_number_counts(port_request: PortRequest) -> list[tuple[str, str, int]]:
    """(label, badge, how many) of the request's numbers in each status: one grouped query."""
    counted = dict(
        PortedNumber.objects.filter(port_request=port_request)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(s.label, s.badge, counted[s.value]) for s in PortedNumberStatus if counted.get(s.value)]


def refused_numbers(port_request: PortRequest, limit: int = 50) -> list[PortedNumber]:
    """The numbers the carrier refused in this request, with the reason (the first `limit`)."""
    return list(
        PortedNumber.objects.filter(port_request=port_request, status=PortedNumberStatus.REFUSED).order_by("e164")[
            :limit
        ]
    )
