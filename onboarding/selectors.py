from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.choices import Role
from accounts.models import User
from accounts.scoping import get_scoped_or_404, scope_for
from expoe_portal.transitions import history_notes, transitions_available
from partners.models import Partner

from .choices import (
    CLOSED_STATUSES,
    ORDER_STAGES,
    AccountPlatform,
    AccountStatus,
    OrderStatus,
    SlaState,
    TrainingPlatform,
)
from .models import OnboardingAccount, OnboardingOrder, TrainingSession

# --- Onboarding orders ---------------------------------------------------------------------


def sla_state_expression(now: datetime) -> Case:
    """O1's SLA state in SQL, so that lists filter and sort on it (mirrors OnboardingOrder.sla_state_at)."""
    stopped = Coalesce("confirmed_at", "cancelled_at")
    at_risk_from = now + timedelta(hours=settings.ONBOARDING_SLA_AT_RISK_HOURS)
    return Case(
        When(
            Q(confirmed_at__isnull=False) | Q(cancelled_at__isnull=False),
            then=Case(
                When(confirmation_due_at__gte=stopped, then=Value(SlaState.MET)),
                default=Value(SlaState.BREACHED),
            ),
        ),
        When(confirmation_due_at__lt=now, then=Value(SlaState.BREACHED)),
        When(confirmation_due_at__lte=at_risk_from, then=Value(SlaState.AT_RISK)),
        default=Value(SlaState.ON_TRACK),
        output_field=CharField(),
    )


def onboarding_order_list(*, user: User, now: datetime | None = None) -> QuerySet[OnboardingOrder]:
    queryset = OnboardingOrder.objects.select_related("partner", "coordinator", "trainer").annotate(
        sla=sla_state_expression(now or timezone.now())
    )
    return scope_for(user, queryset)


# Whose move an open order waits for: the step its stage needs next, and who runs that step.
WAITING_FOR_CHOICES = [
    ("admin", "The administrator's order confirmation"),
    ("assignment", "A co-ordinator to be assigned"),
    ("coordinator", "Its co-ordinator"),
    ("trainer", "Its trainer"),
]


def training_finished_q() -> Q:
    """Every platform's training session recorded (O5): the order can go live."""
    condition = Q()
    for platform in TrainingPlatform.values:
        condition &= Q(Exists(TrainingSession.objects.filter(order=OuterRef("pk"), platform=platform)))
    return condition


def waiting_for_q(who: str) -> Q:
    """Open orders whose next step is `who`'s (one of WAITING_FOR_CHOICES): received orders wait for
    the administrator's confirmation (O1), confirmed ones for a co-ordinator to be assigned; the
    co-ordinator creates the accounts (O2), arranges the kickoff (O4), takes the order live once
    training is finished (O6) and resumes it from hold; the trainer trains (O5)."""
    if who == "admin":
        return Q(status=OrderStatus.RECEIVED)
    if who == "assignment":
        return Q(status=OrderStatus.CONFIRMED)
    if who == "coordinator":
        return Q(status__in=[OrderStatus.COORDINATOR_ASSIGNED, OrderStatus.ACCOUNTS_CREATED, OrderStatus.ON_HOLD]) | (
            Q(status=OrderStatus.TRAINING) & training_finished_q()
        )
    if who == "trainer":
        return Q(status=OrderStatus.KICKOFF_ARRANGED) | (Q(status=OrderStatus.TRAINING) & ~training_finished_q())
    raise ValueError(f"Nobody called {who!r} runs an onboarding step.")


def coordinator_list() -> QuerySet[User]:
    """The active co-ordinators, by name (the managers' home shows each one's load)."""
    return User.objects.filter(role=Role.COORDINATOR, is_active=True).order_by("first_name", "last_name", "username")


def open_orders_per_coordinator(*, user: User) -> dict[int, int]:
    """Co-ordinator pk -> how many open orders they own (the managers' home), in one query."""
    rows = (
        scope_for(user, OnboardingOrder.objects.exclude(status__in=CLOSED_STATUSES))
        .filter(coordinator__isnull=False)
        .order_by()
        .values("coordinator")
        .annotate(n=Count("id"))
        .values_list("coordinator", "n")
    )
    return dict(rows)


def onboarding_order_get(*, user: User, pk: int) -> OnboardingOrder:
    queryset = OnboardingOrder.objects.select_related("partner", "coordinator", "trainer").prefetch_related(
        Prefetch("accounts", queryset=OnboardingAccount.objects.select_related("completed_by")),
        Prefetch("training_sessions", queryset=TrainingSession.objects.select_related("trainer")),
        Prefetch("state_logs", queryset=StateLog.objects.select_related("by", "shared_note")),
    )
    return get_scoped_or_404(user, queryset, pk=pk)


def partners_awaiting_order(*, user: User) -> QuerySet[Partner]:
    """Partners that can take a new onboarding order: not live, and no open order."""
    open_orders = OnboardingOrder.objects.filter(partner=OuterRef("pk")).exclude(status__in=CLOSED_STATUSES)
    return scope_for(user, Partner.objects.filter(live=False).exclude(Exists(open_orders)))


def onboarding_order_current(*, user: User, partner: Partner) -> OnboardingOrder | None:
    """The partner's open order, or else its latest one."""
    orders = scope_for(user, OnboardingOrder.objects.filter(partner=partner)).select_related("coordinator", "trainer")
    return orders.exclude(status__in=CLOSED_STATUSES).first() or orders.first()


def onboarding_order_history(*, order: OnboardingOrder, user: User) -> list[StateLog]:
    """The order's history, oldest first, each entry with the note this user may read (`note`):
    a partner user never reads an internal note."""
    return history_notes(sorted(order.state_logs.all(), key=lambda entry: (entry.timestamp, entry.id)), user=user)


def onboarding_order_transitions(*, order: OnboardingOrder, user: User) -> list[dict[str, str]]:
    """Transitions this user may run on the order now; `blocked` says what one still waits for."""
    from .services import ORDER_TRANSITIONS, transition_blocker

    return [
        {"name": t.name, "label": t.custom.get("label", t.name), "blocked": transition_blocker(order, t.name)}
        for t in transitions_available(order, user, ORDER_TRANSITIONS)  # the workflow's order
    ]


NEXT_STEPS = {
    OrderStatus.RECEIVED: ("EXPO.e confirms your order", "UC Provisioning administrator"),
    OrderStatus.CONFIRMED: ("A co-ordinator is assigned to you", "UC Provisioning Team"),
    OrderStatus.COORDINATOR_ASSIGNED: (
        "Your partner accounts are created on BroadWorks, Akixi and Call Cabinet",
        "coordinator",
    ),
    OrderStatus.ACCOUNTS_CREATED: (
        "Your kickoff call is arranged and your trainer introduced",
        "coordinator",
    ),
    OrderStatus.KICKOFF_ARRANGED: ("Training on each platform", "trainer"),
    OrderStatus.TRAINING: ("Training is completed, then your access goes live", "trainer"),
    OrderStatus.LIVE: ("You can create customers and users in the Partner Portal", "you"),
    OrderStatus.ON_HOLD: ("The order is on hold", "coordinator"),
    OrderStatus.CANCELLED: ("The order was cancelled", ""),
}
# The same steps as staff read them: about the partner, not to it.
STAFF_NEXT_STEPS = {
    OrderStatus.RECEIVED: "Send the order confirmation",
    OrderStatus.CONFIRMED: "Assign a co-ordinator",
    OrderStatus.COORDINATOR_ASSIGNED: "Create the partner's accounts on BroadWorks, Akixi and Call Cabinet",
    OrderStatus.ACCOUNTS_CREATED: "Arrange the kickoff call and introduce the trainer",
    OrderStatus.KICKOFF_ARRANGED: "Give the training on each platform",
    OrderStatus.TRAINING: "Finish the training, then make the partner live",
    OrderStatus.LIVE: "Nothing: the partner creates its customers and users",
    OrderStatus.ON_HOLD: "The order is on hold",
    OrderStatus.CANCELLED: "The order was cancelled",
}


def order_next_step(order: OnboardingOrder, *, for_partner: bool = True) -> dict[str, str]:
    """What happens next and who owns it, in the words of whoever reads it: the partner's (their
    onboarding page) or staff's (the order's page)."""
    step, owner = NEXT_STEPS[order.status]
    if not for_partner:
        step = STAFF_NEXT_STEPS[order.status]
        owner = "the partner" if owner == "you" else owner
    if owner == "coordinator":
        owner = order.coordinator.display_name if order.coordinator else "UC Provisioning Team"
    elif owner == "trainer":
        owner = order.trainer.display_name if order.trainer else ("your trainer" if for_partner else "the trainer")
    if order.status == OrderStatus.ON_HOLD and order.hold_reason:
        step = f"{step}: {order.hold_reason}"
    return {"step": step, "owner": owner}


def order_stepper(order: OnboardingOrder) -> list[dict[str, str]]:
    """The stages for the stepper: done, current or to come (an order on hold shows where it stopped)."""
    position_of: dict[str, int] = {stage: i for i, stage in enumerate(ORDER_STAGES)}
    current = order.held_from if order.status == OrderStatus.ON_HOLD else order.status
    reached = position_of.get(current, -1)
    return [
        {
            "value": stage.value,
            "label": stage.label,
            "state": "done"
            if i < reached or (order.status == OrderStatus.LIVE and i == reached)
            else "current"
            if i == reached
            else "todo",
        }
        for i, stage in enumerate(ORDER_STAGES)
    ]


def akixi_reseller_confirmed(partner_id: str) -> bool:
    """Akixi in manual mode: whether the partner's reseller account (K1) was recorded as done."""
    return OnboardingAccount.objects.filter(
        order__partner__partner_id=partner_id, platform=AccountPlatform.AKIXI, status=AccountStatus.DONE
    ).exists()


def callcabinet_reseller_confirmed(partner_id: str) -> bool:
    """Call Cabinet in manual mode: whether the partner's reseller account (C1) was recorded as done."""
    return OnboardingAccount.objects.filter(
        order__partner__partner_id=partner_id, platform=AccountPlatform.CALLCABINET, status=AccountStatus.DONE
    ).exists()
