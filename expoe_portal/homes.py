"""Each role's home is a work list: what waits for the reader, each row with its deadline and one
link, and each count linking to the list page that shows exactly its rows.

A work list is a list page's own FilterSet with fixed parameters, over the queryset that page reads:
the home reads its rows with the same filter the linked page applies, so the count, the rows and the
page cannot disagree. The rows' deadlines come from their open escalations (E2) in one query.
Part of the composition root: it reads every app, through each app's selectors and filters.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from customers.choices import BuildStatus
from customers.filters import CustomerGroupFilter
from customers.selectors import customer_group_work_list
from escalations.choices import SlaState, SubjectType
from escalations.filters import EscalationFilter
from escalations.selectors import escalation_deadlines, escalation_load_per_owner, escalation_open_list
from onboarding.choices import OrderStatus
from onboarding.filters import OrderFilter
from onboarding.models import TrainingSession
from onboarding.selectors import (
    coordinator_list,
    onboarding_order_current,
    onboarding_order_list,
    open_orders_per_coordinator,
    order_next_step,
)
from porting.choices import PortStatus
from porting.filters import DUE_SOON_WORKING_DAYS, PortRequestFilter
from porting.selectors import port_request_list

ROWS_SHOWN = 10


@dataclass
class WorkRow:
    label: str
    url: str
    detail: str = ""
    due_at: datetime | None = None  # the deadline, when it is a moment
    due_on: date | None = None  # the deadline, when it is a day (a port date)
    state: str = ""  # an SlaState value, when an escalation watches the item
    subject: tuple[str, int] | None = None  # (escalation subject type, id): where its deadline comes from

    @property
    def deadline(self) -> datetime | None:
        """The deadline as a moment: a day's deadline (a port date) ends at that day's end."""
        if self.due_at is not None or self.due_on is None:
            return self.due_at
        return timezone.make_aware(datetime.combine(self.due_on, datetime.max.time()))

    @property
    def state_badge(self) -> str:
        return SlaState(self.state).badge if self.state else ""

    @property
    def state_label(self) -> str:
        return SlaState(self.state).label if self.state else ""


@dataclass
class WorkList:
    key: str
    title: str
    link: str  # the list page, filtered to exactly these rows
    count: int
    rows: list[WorkRow]
    empty: str = "Nothing waiting."

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


@dataclass
class Home:
    template: str
    lists: list[WorkList] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _read(filterset_class, params: dict[str, str], queryset: QuerySet, url_name: str) -> tuple[str, list, int]:
    """The rows the list page at `url_name` shows for `params`, the first ROWS_SHOWN of them, and
    how many there are (a count query only when there are more than are shown)."""
    query = QueryDict(mutable=True)
    query.update(params)
    filterset = filterset_class(query, queryset=queryset)
    if not filterset.is_valid():
        raise ValueError(f"A home links with filters its list refuses: {filterset.errors}")
    rows = list(filterset.qs[: ROWS_SHOWN + 1])
    count = len(rows) if len(rows) <= ROWS_SHOWN else filterset.qs.count()
    return f"{reverse(url_name)}?{urlencode(params)}", rows[:ROWS_SHOWN], count


# --- The kinds of row --------------------------------------------------------------------------


def orders(user: User, key: str, title: str, params: dict[str, str], *, empty: str, trainer: bool = False) -> WorkList:
    queryset = onboarding_order_list(user=user).order_by("signed_order_received_at", "id")
    if trainer:
        queryset = queryset.prefetch_related(Prefetch("training_sessions", queryset=TrainingSession.objects.all()))
    link, found, count = _read(OrderFilter, params, queryset, "onboarding:order_list")
    rows = []
    for order in found:
        detail = order.get_status_display()
        if trainer:
            if order.kickoff_at:
                detail += f"; kickoff {timezone.localtime(order.kickoff_at):%d %b %Y %H:%M}"
            if order.status == OrderStatus.TRAINING and (missing := order.training_outstanding()):
                detail += f"; still to train: {', '.join(missing)}"
        rows.append(
            WorkRow(
                label=f"Onboarding of {order.partner.partner_id} ({order.partner.name})",
                url=order.get_absolute_url(),
                detail=detail,
                due_at=order.confirmation_due_at if order.status == OrderStatus.RECEIVED else None,
                subject=(SubjectType.ONBOARDING_ORDER, order.pk),
            )
        )
    return WorkList(key, title, link, count, rows, empty)


def builds(user: User, key: str, title: str, params: dict[str, str], *, empty: str) -> WorkList:
    queryset = customer_group_work_list(user=user).order_by("id")
    link, found, count = _read(CustomerGroupFilter, params, queryset, "customers:group_list")
    rows = [
        WorkRow(
            label=f"{group.group_id} ({group.name})",
            url=group.get_absolute_url(),
            detail=BuildStatus(group.latest_build_status).label if group.latest_build_status else "Not built yet",
            subject=(SubjectType.CUSTOMER_GROUP, group.pk),
        )
        for group in found
    ]
    return WorkList(key, title, link, count, rows, empty)


def ports(user: User, key: str, title: str, params: dict[str, str], *, empty: str) -> WorkList:
    queryset = port_request_list(user=user).order_by("port_date", "submitted_at", "id")
    link, found, count = _read(PortRequestFilter, params, queryset, "porting:list")
    rows = []
    for port in found:
        detail = port.get_status_display()
        if port.port_date:
            detail += f"; port date {port.port_date:%d %b %Y}"
        rows.append(
            WorkRow(
                label=f"Port {port.pk}: {port.main_billing_number or 'numbers to come'} ({port.partner.partner_id})",
                url=port.get_absolute_url(),
                detail=detail,
                due_on=port.port_date if port.status == PortStatus.ACCEPTED else None,
                subject=(SubjectType.PORT_REQUEST, port.pk),
            )
        )
    return WorkList(key, title, link, count, rows, empty)


def escalations(user: User, key: str, title: str, params: dict[str, str], *, empty: str) -> WorkList:
    link, found, count = _read(EscalationFilter, params, escalation_open_list(user=user), "escalations:list")
    rows = [
        WorkRow(
            label=escalation.subject_label,
            url=escalation.subject_url or reverse("escalations:acknowledge", args=[escalation.pk]),
            detail=escalation.policy.name,
            due_at=escalation.due_at,
            state=escalation.state,
        )
        for escalation in found
    ]
    return WorkList(key, title, link, count, rows, empty)


def with_deadlines(user: User, lists: list[WorkList]) -> list[WorkList]:
    """Each row's deadline and state from its open escalation with the nearest deadline (one query);
    rows without one keep the deadline they carry (an order's O1 deadline, a port date), if any."""
    subjects = [row.subject for work in lists for row in work.rows if row.subject]
    deadlines = escalation_deadlines(user=user, subjects=subjects)
    for work in lists:
        for row in work.rows:
            escalation = deadlines.get(row.subject) if row.subject else None
            if escalation is not None:
                row.state = escalation.state
                if row.due_on is None:
                    row.due_at = escalation.due_at
        work.rows.sort(key=_nearest_first)
    return lists


def _nearest_first(row: WorkRow) -> tuple[int, Any]:
    """Rows by deadline, the nearest first; rows without a deadline last, in their list's order."""
    return (0, row.deadline) if row.deadline is not None else (1, 0)


# --- Each role's home --------------------------------------------------------------------------


def _team_lists(user: User) -> list[WorkList]:
    """Customer builds and ports that wait for the UC Provisioning team (any co-ordinator may act)."""
    return [
        builds(
            user,
            "builds-failed",
            "Customer builds that failed",
            {"build": BuildStatus.FAILED},
            empty="No build has failed.",
        ),
        builds(
            user,
            "builds-waiting",
            "Customer builds waiting for a co-ordinator's step by hand",
            {"build": "waiting"},
            empty="No build waits for a step by hand.",
        ),
        ports(
            user,
            "ports-submitted",
            "Ports waiting for the losing provider's answer",
            {"status": PortStatus.SUBMITTED},
            empty="No port waits for an answer.",
        ),
        ports(
            user,
            "ports-due-soon",
            f"Ports due within {DUE_SOON_WORKING_DAYS} working days",
            {"due_soon": "true"},
            empty=f"No port date in the next {DUE_SOON_WORKING_DAYS} working days.",
        ),
    ]


def coordinator_home(user: User) -> Home:
    lists = [
        orders(
            user,
            "orders-mine",
            "Onboarding orders waiting for your step",
            {"coordinator": user.username, "waiting_for": "coordinator"},
            empty="None of your onboarding orders waits for you.",
        ),
        *_team_lists(user),
        escalations(
            user,
            "escalations-mine",
            "Your items with deadlines",
            {"owner": user.username},
            empty="You own no open item with a deadline.",
        ),
    ]
    return Home("homes/staff.html", with_deadlines(user, lists))


def admin_home(user: User) -> Home:
    """The co-ordinators' lists across all co-ordinators, and what only administrators (or managers)
    do: confirm orders (O1) and assign their co-ordinator."""
    lists = [
        orders(
            user,
            "orders-to-confirm",
            "Onboarding orders waiting for your confirmation",
            {"waiting_for": "admin"},
            empty="Every order is confirmed.",
        ),
        orders(
            user,
            "orders-unassigned",
            "Confirmed orders waiting for a co-ordinator to be assigned",
            {"waiting_for": "assignment"},
            empty="Every confirmed order has its co-ordinator.",
        ),
        orders(
            user,
            "orders-coordinators",
            "Onboarding orders waiting for a co-ordinator's step",
            {"waiting_for": "coordinator"},
            empty="No order waits for a co-ordinator.",
        ),
        *_team_lists(user),
    ]
    return Home("homes/staff.html", with_deadlines(user, lists))


def manager_home(user: User) -> Home:
    lists = [
        escalations(
            user,
            "escalations-breached",
            "Breached: missed their deadline",
            {"state": SlaState.BREACHED},
            empty="Nothing has missed its deadline.",
        ),
        escalations(
            user,
            "escalations-at-risk",
            "At risk: close to their deadline",
            {"state": SlaState.AT_RISK},
            empty="Nothing is close to its deadline.",
        ),
        orders(
            user,
            "orders-unassigned",
            "Confirmed orders waiting for a co-ordinator to be assigned",
            {"waiting_for": "assignment"},
            empty="Every confirmed order has its co-ordinator.",
        ),
    ]
    return Home("homes/staff.html", with_deadlines(user, lists), {"load": coordinator_load(user)})


def coordinator_load(user: User) -> list[dict[str, Any]]:
    """Each co-ordinator's open orders and open items with deadlines, with the links to them. Three
    queries whatever the number of co-ordinators."""
    orders_open = open_orders_per_coordinator(user=user)
    items = escalation_load_per_owner(user=user)
    rows = []
    for coordinator in coordinator_list():
        mine = items.get(coordinator.pk, {"open": 0, "at_risk": 0, "breached": 0})
        owner = urlencode({"owner": coordinator.username})
        rows.append(
            {
                "name": coordinator.display_name,
                "orders": orders_open.get(coordinator.pk, 0),
                "orders_link": f"{reverse('onboarding:order_list')}?"
                + urlencode({"coordinator": coordinator.username, "open": "true"}),
                **mine,
                "items_link": f"{reverse('escalations:list')}?{owner}",
                "at_risk_link": f"{reverse('escalations:list')}?{owner}&state=at_risk",
                "breached_link": f"{reverse('escalations:list')}?{owner}&state=breached",
            }
        )
    return rows


def trainer_home(user: User) -> Home:
    """Kickoff calls and training (O4, O5) on the orders the trainer is allocated to; nothing else
    (a trainer acts on no build, port or escalation)."""
    lists = [
        orders(
            user,
            "orders-training",
            "Kickoff calls and training waiting for you",
            {"trainer": user.username, "waiting_for": "trainer"},
            empty="No partner waits for training from you.",
            trainer=True,
        )
    ]
    return Home("homes/staff.html", with_deadlines(user, lists))


def partner_home(user: User) -> Home:
    """A partner user's own partner only (every read is scoped): the onboarding's next step and who
    owns it, their customers' builds, and their ports that need them."""
    partner = user.partner
    order = onboarding_order_current(user=user, partner=partner) if partner else None
    lists = [
        builds(
            user,
            "builds-not-started",
            "Customers waiting for you to request their build",
            {"build": "not_started"},
            empty="Every customer's build is requested.",
        ),
        builds(
            user,
            "builds-open",
            "Your customers' builds under way or stopped",
            {"build": "open"},
            empty="No build is under way.",
        ),
    ]
    if user.has_perm("porting.change_portrequest"):
        lists += [
            ports(
                user,
                "ports-rejected",
                "Ports rejected: correct them and submit again",
                {"status": PortStatus.REJECTED},
                empty="No port was rejected.",
            ),
            ports(
                user,
                "ports-draft",
                "Draft ports to finish and submit",
                {"status": PortStatus.DRAFT},
                empty="No draft port.",
            ),
        ]
    return Home(
        "homes/partner.html",
        with_deadlines(user, lists),
        {"partner": partner, "order": order, "next_step": order_next_step(order) if order else None},
    )


HOMES = {
    Role.PROVISIONING_ADMIN: admin_home,
    Role.COORDINATOR: coordinator_home,
    Role.MANAGER: manager_home,
    Role.TRAINER: trainer_home,
    Role.PARTNER_USER: partner_home,
}


def home_for(user: User) -> Home:
    """The user's home by role; a superuser without a role sees the administrator's."""
    return HOMES.get(user.role, admin_home)(user)
