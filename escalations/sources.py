"""Where open items with deadlines come from (E2). One small class per kind of item.

A source answers one question with one query: which items are open now, and when did each one's
clock start (and, for items that carry their own deadline, when is it due)? The evaluator in
`services.py` knows nothing else about onboarding, builds or ports, so a new kind of item (the port
policies) plugs in by registering a source here, without touching the engine.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django_fsm_log.models import StateLog

from customers.choices import BuildKind, BuildStatus
from customers.models import ServiceBuild
from expoe_portal.db import plain_rows
from onboarding.models import OnboardingOrder
from porting.calendar import UK, uk_midnight
from porting.calendar import add_working_days as add_local_working_days
from porting.choices import PortStatus
from porting.models import PortRejection, PortRequest
from reconciliation.models import Drift

from .choices import SlaClock, SubjectType


class OpenItem(NamedTuple):
    """One open item as a plain tuple: a source makes one per open item on every evaluation."""

    subject_type: str
    subject_id: int
    label: str
    partner_id: int | None
    owner_id: int | None
    started_at: datetime
    due_at: datetime | None = None  # only for items that carry their own deadline (SlaClock.ITEM_DEADLINE)
    calendar: tuple = ()  # whose working days count, for working-time clocks (country, nation)


class Source:
    """Finds a policy's open items. Subclasses set `key`, `subject_type` and `url_name`."""

    key: str = ""
    subject_type: str = ""
    url_name: str = ""
    label: str = ""

    def open_items(self, policy, now) -> list[OpenItem]:
        raise NotImplementedError

    def due_at(self, policy, item: OpenItem) -> datetime:
        """The item's deadline under the policy: its own, or the start plus the policy's target."""
        if policy.clock == SlaClock.ITEM_DEADLINE or policy.target is None:
            if item.due_at is None:
                raise ValueError(f"{self.key} items carry no deadline of their own; give {policy.key} a target.")
            return item.due_at
        if policy.clock == SlaClock.WORKING_DAYS:
            return self.add_working_days(item, policy.target)
        return item.started_at + timedelta(hours=policy.target)

    def add_working_days(self, item: OpenItem, days: int) -> datetime:
        """Without a calendar of its own a source counts Monday to Friday (no holidays)."""
        moment, left = item.started_at, days
        while left:
            moment += timedelta(days=1)
            if moment.weekday() < 5:
                left -= 1
        return moment


SOURCES: dict[str, Source] = {}
SUBJECT_URL_NAMES: dict[str, str] = {}


def register(source_class):
    source = source_class()
    SOURCES[source.key] = source
    SUBJECT_URL_NAMES.setdefault(source.subject_type, source.url_name)
    return source_class


def subject_url(subject_type: str, subject_id: int) -> str:
    """The item's own page (order, customer group, port request); empty when it has none yet."""
    name = SUBJECT_URL_NAMES.get(subject_type)
    if not name:
        return ""
    try:
        return reverse(name, args=[subject_id])
    except NoReverseMatch:
        return ""


# --- Onboarding (O1 and the time spent in each stage) ----------------------------------------


@register
class OrderConfirmationSource(Source):
    """O1: the order confirmation. Clock: from the signed order; stops at confirmation or
    cancellation; due at the order's own `confirmation_due_at` (48 h, fixed when it was logged)."""

    key = "order_confirmation"
    subject_type = SubjectType.ONBOARDING_ORDER
    url_name = "onboarding:order_detail"
    label = "Order confirmation"

    def open_items(self, policy, now):
        rows = OnboardingOrder.objects.filter(confirmed_at__isnull=True, cancelled_at__isnull=True).values_list(
            "id",
            "partner_id",
            "partner__partner_id",
            "partner__name",
            "coordinator_id",
            "signed_order_received_at",
            "confirmation_due_at",
        )
        return [
            OpenItem(self.subject_type, pk, f"Onboarding of {pid} ({name})", partner, owner, started, due)
            for pk, partner, pid, name, owner, started, due in plain_rows(rows.order_by())
        ]


@register
class OnboardingStageSource(Source):
    """Time spent in one onboarding stage (`policy.source_arg`). Clock: from the moment the order
    entered the stage (its latest transition); stops when it leaves (on hold stops it too)."""

    key = "onboarding_stage"
    subject_type = SubjectType.ONBOARDING_ORDER
    url_name = "onboarding:order_detail"
    label = "Time in an onboarding stage"

    def open_items(self, policy, now):
        entered = StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(OnboardingOrder), object_id=OuterRef("pk")
        ).order_by("-timestamp", "-id")
        rows = (
            OnboardingOrder.objects.filter(status=policy.source_arg)
            .annotate(entered=Coalesce(Subquery(entered.values("timestamp")[:1]), F("updated_at")))
            .values_list("id", "partner_id", "partner__partner_id", "partner__name", "coordinator_id", "entered")
        )
        return [
            OpenItem(self.subject_type, pk, f"Onboarding of {pid} ({name})", partner, owner, started)
            for pk, partner, pid, name, owner, started in plain_rows(rows.order_by())
        ]


@register
class CustomerBuildSource(Source):
    """A customer build, or a change after it (#15), that has not succeeded: queued, running (perhaps
    stuck) or failed. Clock: from when it first started (a retry does not restart it); stops at success
    or cancel. A group has one open at most, so one item per group."""

    key = "customer_build"
    subject_type = SubjectType.CUSTOMER_GROUP
    url_name = "customers:group_detail"
    label = "Customer build"

    def open_items(self, policy, now):
        owners = partner_coordinators()
        rows = (
            ServiceBuild.objects.filter(status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING, BuildStatus.FAILED])
            .annotate(clock_from=Coalesce("started_at", "queued_at", output_field=DateTimeField()))
            .filter(clock_from__isnull=False)
            .values_list(
                "group_id", "group__group_id", "group__name", "group__partner_id", "clock_from", "kind", "summary"
            )
        )
        return [
            OpenItem(
                self.subject_type, group, _label(group_id, name, kind, summary), partner, owners.get(partner), started
            )
            for group, group_id, name, partner, started, kind, summary in plain_rows(rows.order_by())
        ]


def _label(group_id: str, name: str, kind: str, summary: str) -> str:
    """A build is named by its group; a change after it (#15; one open per group) by what it does."""
    return f"Build of {group_id} ({name})" if kind == BuildKind.BUILD else f"Change of {group_id} ({name}): {summary}"


@register
class RuleBreakingDriftSource(Source):
    """Drift found by the nightly reconciliation that breaks a rule outright (#15): an Akixi user
    scoped beyond the customer's own partition (K4), a Call Cabinet customer that is not Essential
    (C2). One item per customer (its page lists the drift). Clock: from when the first such drift was
    seen; stops when a later reconciliation finds every one of them resolved."""

    key = "rule_breaking_drift"
    subject_type = SubjectType.CUSTOMER_GROUP
    url_name = "customers:group_detail"
    label = "Platform drift that breaks a rule"

    def open_items(self, policy, now):
        owners = partner_coordinators()
        rows = (
            Drift.objects.filter(resolved_at__isnull=True)
            .exclude(rule="")
            .values_list("group_id", "group__group_id", "group__name", "group__partner_id", "first_seen_at", "rule")
        )
        # Few rows (drift that breaks a rule is rare): folded per customer here, on any database.
        found: dict[int, tuple[str, str, int, datetime, set[str]]] = {}
        for group, group_id, name, partner, seen, rule in plain_rows(rows.order_by()):
            _gid, _name, _partner, started, rules = found.setdefault(group, (group_id, name, partner, seen, set()))
            found[group] = (group_id, name, partner, min(started, seen), rules | {rule})
        return [
            OpenItem(
                self.subject_type,
                group,
                f"Drift of {group_id} ({name}) breaks {', '.join(sorted(rules))}",
                partner,
                owners.get(partner),
                started,
            )
            for group, (group_id, name, partner, started, rules) in found.items()
        ]


def partner_coordinators() -> dict[int, int | None]:
    """Partner pk -> the co-ordinator of the partner's latest onboarding order: who owns the partner's
    items. One query over the orders (a few per partner, newest first), not a subquery per item."""
    owners: dict[int, int | None] = {}
    rows = OnboardingOrder.objects.order_by("partner_id", "-signed_order_received_at", "-id").values_list(
        "partner_id", "coordinator_id"
    )
    for partner, coordinator in rows:
        owners.setdefault(partner, coordinator)
    return owners


# --- Number porting (P1, P4, P5) -------------------------------------------------------------------


class PortSource(Source):
    """Open port requests: one query for the requests in a status, one open item per request."""

    subject_type = SubjectType.PORT_REQUEST
    url_name = "porting:detail"

    def port_rows(self, *clock_fields: str, **filters):
        """(id, main billing number, partner pk, partner ID, coordinator, *clock_fields) per request.

        The co-ordinator comes from one small query per partner, not a subquery per request."""
        owners = partner_coordinators()
        rows = plain_rows(
            PortRequest.objects.filter(**filters)
            .values_list("id", "main_billing_number", "partner_id", "partner__partner_id", *clock_fields)
            .order_by()
        )
        return [(pk, number, partner, pid, owners.get(partner), *clock) for pk, number, partner, pid, *clock in rows]

    def port_item(self, pk, number, partner, partner_id, owner, started, due=None, calendar=()) -> OpenItem:
        label = f"Port {pk}: {number or 'numbers to come'} ({partner_id})"
        return OpenItem(self.subject_type, pk, label, partner, owner, started, due, calendar)


@register
class PortAcceptanceSource(PortSource):
    """The losing provider accepts or rejects a submitted port (P1). Clock: from the latest
    submission (a resubmission after a rejection restarts it, P5); stops at acceptance, rejection
    or cancellation. Working days follow the number's country and nation (porting's calendar, P4)."""

    key = "port_acceptance"
    label = "Port accepted or rejected"

    def open_items(self, policy, now):
        rows = self.port_rows(
            "submitted_at", "country", "region", status=PortStatus.SUBMITTED, submitted_at__isnull=False
        )
        return [
            self.port_item(*request, started, calendar=(country or "GB", region or ""))
            for *request, started, country, region in rows
        ]

    def add_working_days(self, item, days):
        """The same time of day, `days` working days later in the number's own calendar (UK time)."""
        country, region = item.calendar or ("GB", "")
        local = item.started_at.astimezone(UK)
        due_day = _working_days_later(local.date(), days, country, region)
        return datetime.combine(due_day, local.time(), tzinfo=UK).astimezone(UTC)


@lru_cache(maxsize=4096)
def _working_days_later(start: date, days: int, country: str, region: str) -> date:
    # Thousands of requests share a submission day: count each day's working days once.
    return add_local_working_days(start, days, country, region)


@lru_cache(maxsize=4096)
def _uk_midnight(day: date) -> datetime:
    # In UTC, as the database's rows are read (see escalations.services.in_utc).
    return uk_midnight(day).astimezone(UTC)


@register
class PortDateSource(PortSource):
    """An accepted port is completed by its port date (P4): due at the end of the port date, UK
    time. Clock: from acceptance; stops at completion or cancellation (a losing provider's
    cancellation sends the port back to draft, which stops it too, P7)."""

    key = "port_date"
    label = "Port completed by its port date"

    def open_items(self, policy, now):
        rows = self.port_rows(
            "accepted_on", "port_date", status=PortStatus.ACCEPTED, port_date__isnull=False, accepted_on__isnull=False
        )
        return [
            self.port_item(*request, _uk_midnight(accepted_on), _uk_midnight(port_date + timedelta(days=1)))
            for *request, accepted_on, port_date in rows
        ]


@register
class PortRejectedTwiceSource(PortSource):
    """E2 (#18): a port rejected twice needs someone above the team to look at it. One item per
    request, due at its second rejection (counted since the losing provider's latest cancellation,
    P7, which restarts the process); stops at acceptance, completion or cancellation."""

    key = "port_rejected_twice"
    label = "Port rejected twice"

    def open_items(self, policy, now):
        rejections = PortRejection.objects.filter(port_request=OuterRef("pk")).filter(
            Q(port_request__losing_provider_cancelled_at__isnull=True)
            | Q(at__gt=OuterRef("losing_provider_cancelled_at"))
        )
        second = Subquery(rejections.order_by("at", "id").values("at")[1:2])
        owners = partner_coordinators()
        rows = (
            PortRequest.objects.filter(status__in=[PortStatus.SUBMITTED, PortStatus.REJECTED], rejection_count__gte=2)
            .annotate(second=second)
            .filter(second__isnull=False)
            .values_list("id", "main_billing_number", "partner_id", "partner__partner_id", "second")
        )
        return [
            self.port_item(pk, number, partner, pid, owners.get(partner), second, second)
            for pk, number, partner, pid, second in plain_rows(rows.order_by())
        ]
