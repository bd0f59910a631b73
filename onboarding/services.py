"""Use cases for onboarding orders (O1-O7). Each runs in one transaction."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.choices import Role
from accounts.models import User
from accounts.services import audit_record, require_perm
from expoe_portal.transitions import TransitionConflict, note_shared_with_partner, transition_check, transition_run
from partners.models import Partner

from .choices import (
    CLOSED_STATUSES,
    AccountPlatform,
    AccountStatus,
    OrderStatus,
    TrainingPlatform,
)
from .models import ORDER_COORDINATOR, OnboardingAccount, OnboardingOrder, TrainingSession
from .partner_accounts import order_for_accounts

# --- Onboarding orders (O1-O7) ---------------------------------------------------------------


def _log_state(order: OnboardingOrder, *, by: User, transition: str, source: str | None, description: str = "") -> None:
    StateLog.objects.create(
        content_object=order,
        by=by,
        transition=transition,
        source_state=source,
        state=order.status,
        description=description or None,
    )


@transaction.atomic
def onboarding_order_create(
    *, by: User, partner: Partner, signed_order_received_at: datetime | None, note: str = ""
) -> OnboardingOrder:
    """O1: log a signed onboarding order; the 48-hour confirmation clock starts at its arrival."""
    require_perm(by, "onboarding.add_onboardingorder", action="log signed onboarding orders")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)  # one order at a time per partner
    errors: dict[str, list[str]] = {}
    if signed_order_received_at is None:
        errors["signed_order_received_at"] = ["Enter when the signed order was received."]
    elif signed_order_received_at > timezone.now():
        errors["signed_order_received_at"] = ["The signed order cannot arrive in the future."]
    if partner.live:
        errors["partner"] = [f"{partner.partner_id} is already live."]
    elif partner.onboarding_orders.exclude(status__in=CLOSED_STATUSES).exists():
        errors["partner"] = [f"{partner.partner_id} already has an open onboarding order."]
    if errors:
        raise ValidationError(errors)
    assert signed_order_received_at is not None  # refused above when missing
    order = OnboardingOrder(
        partner=partner,
        signed_order_received_at=signed_order_received_at,
        confirmation_due_at=OnboardingOrder.confirmation_due_for(signed_order_received_at),
        logged_by=by,
    )
    order.save()
    OnboardingAccount.objects.bulk_create(OnboardingAccount(order=order, platform=p) for p in AccountPlatform.values)
    _log_state(order, by=by, transition="log_signed_order", source=None, description=note)
    audit_record(actor=by, action="onboarding_order.created", target=order)
    return order


def _required_text(data: dict[str, Any], field: str, message: str) -> str:
    value = (data.get(field) or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


def _user_in_role(data: dict[str, Any], field: str, role: str, label: str) -> User:
    user = data.get(field)
    if user is None:
        raise ValidationError({field: [f"Choose the {label}."]})
    if getattr(user, "role", None) != role or not user.is_active:
        raise ValidationError({field: [f"{user} is not an active {label}."]})
    return user


def _kwargs_assign_coordinator(order: OnboardingOrder, data: dict[str, Any]) -> dict[str, Any]:
    return {"coordinator": _user_in_role(data, "coordinator", Role.COORDINATOR, "co-ordinator")}


def _kwargs_arrange_kickoff(order: OnboardingOrder, data: dict[str, Any]) -> dict[str, Any]:
    """O4: the kickoff needs both its date and time and the allocated trainer."""
    errors: dict[str, list[str]] = {}
    if data.get("kickoff_at") is None:
        errors["kickoff_at"] = ["Enter the kickoff call's date and time."]
    try:
        trainer = _user_in_role(data, "trainer", Role.TRAINER, "trainer")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"kickoff_at": data["kickoff_at"], "trainer": trainer}


def _kwargs_hold(order: OnboardingOrder, data: dict[str, Any]) -> dict[str, Any]:
    return {"reason": _required_text(data, "reason", "Say why the order is on hold.")}


def _kwargs_cancel(order: OnboardingOrder, data: dict[str, Any]) -> dict[str, Any]:
    return {"reason": _required_text(data, "reason", "Say why the order is cancelled.")}


def _kwargs_record_training(order: OnboardingOrder, data: dict[str, Any]) -> dict[str, Any]:
    """O5: one session per platform, on a day that has happened."""
    platform = data.get("platform")
    if platform not in TrainingPlatform.values:
        raise ValidationError({"platform": ["Choose the platform the training covered."]})
    if order.training_sessions.filter(platform=platform).exists():
        label = TrainingPlatform(platform).label
        raise ValidationError({"platform": [f"Training on {label} is already recorded."]})
    held_on = data.get("held_on") or timezone.localdate()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": ["Record a training session once it has happened."]})
    return {}


def _kwargs_none(order: OnboardingOrder, data: dict[str, Any]) -> dict[str, Any]:
    return {}


ORDER_TRANSITIONS = {
    "confirm": _kwargs_none,
    "assign_coordinator": _kwargs_assign_coordinator,
    "complete_accounts": _kwargs_none,
    "arrange_kickoff": _kwargs_arrange_kickoff,
    "record_training": _kwargs_record_training,
    "go_live": _kwargs_none,
    "hold": _kwargs_hold,
    "resume": _kwargs_none,
    "cancel": _kwargs_cancel,
}


def onboarding_order_transition(
    *,
    by: User,
    order: OnboardingOrder,
    name: str,
    data: dict[str, Any] | None = None,
    expected_status: str | None = None,
) -> OnboardingOrder:
    """Run one transition of an onboarding order (O1-O6), in one transaction.

    Refused without a change when the user's role may not run it (PermissionDenied), when the
    order's state does not allow it (TransitionRefused), when something it needs is missing
    (ValidationError), or when someone else changed the order first (TransitionConflict): either
    the caller saw an older state (`expected_status`), or two runs raced and the other one won.
    Emails go out only after the transaction commits.
    """
    if name not in ORDER_TRANSITIONS:
        raise ValidationError({"transition": [f"“{name}” is not a transition of an onboarding order."]})
    data = data or {}
    with transaction.atomic():
        order = OnboardingOrder.objects.select_related("partner").get(pk=order.pk)
        if expected_status and order.status != expected_status:
            raise TransitionConflict(noun="order")
        transition_check(instance=order, name=name, by=by, noun="order")
        if blocker := transition_blocker(order, name):
            raise ValidationError(blocker)
        kwargs = ORDER_TRANSITIONS[name](order, data)
        # A note is internal to EXPO.e staff unless its author marks it for the partner (their
        # own notes are theirs); what the transition itself says (the platform trained on) is not.
        note = (data.get("note") or "").strip()
        for_partner = bool(note_shared_with_partner(data, by=by))
        partner_note = note if for_partner else ""
        if name == "record_training":
            platform = TrainingPlatform(data["platform"])
            note = f"{platform.label}{': ' + note if note else ''}"
            partner_note = f"{platform.label}{': ' + partner_note if partner_note else ''}"
        transition_run(
            instance=order,
            name=name,
            by=by,
            noun="order",
            description=note or None,
            partner_note=partner_note,
            note_for_partner=for_partner,
            **kwargs,
        )
        if name == "record_training":
            TrainingSession.objects.create(
                order=order,
                platform=data["platform"],
                trainer=by,
                held_on=data.get("held_on") or timezone.localdate(),
                notes=(data.get("note") or "").strip(),
                notes_for_partner=for_partner,
            )
        if name == "go_live":
            order.partner.save(update_fields=["live", "updated_at"])
        if name in ORDER_EMAILS:
            from .emails import order_email_queue

            order_email_queue(order, ORDER_EMAILS[name])
    return order


# The typed use cases (what views, the API and tests call by name go through the table above).
def onboarding_order_confirm(*, by: User, order: OnboardingOrder, note: str = "") -> OnboardingOrder:
    """O1: the signed order is confirmed (and the confirmation email goes out)."""
    return onboarding_order_transition(by=by, order=order, name="confirm", data={"note": note})


def onboarding_order_assign_coordinator(
    *, by: User, order: OnboardingOrder, coordinator: User, note: str = ""
) -> OnboardingOrder:
    return onboarding_order_transition(
        by=by, order=order, name="assign_coordinator", data={"coordinator": coordinator, "note": note}
    )


def onboarding_order_complete_accounts(*, by: User, order: OnboardingOrder, note: str = "") -> OnboardingOrder:
    """O2: every partner account is created."""
    return onboarding_order_transition(by=by, order=order, name="complete_accounts", data={"note": note})


def onboarding_order_arrange_kickoff(
    *, by: User, order: OnboardingOrder, kickoff_at: datetime, trainer: User, note: str = ""
) -> OnboardingOrder:
    """O4: the kickoff call's date and time, and the allocated trainer."""
    return onboarding_order_transition(
        by=by, order=order, name="arrange_kickoff", data={"kickoff_at": kickoff_at, "trainer": trainer, "note": note}
    )


def onboarding_order_record_training(
    *, by: User, order: OnboardingOrder, platform: str, held_on: date | None = None, note: str = ""
) -> OnboardingOrder:
    """O5: training given on one platform."""
    data = {"platform": platform, "held_on": held_on, "note": note}
    return onboarding_order_transition(by=by, order=order, name="record_training", data=data)


def onboarding_order_go_live(*, by: User, order: OnboardingOrder, note: str = "") -> OnboardingOrder:
    """O6: the partner is live (and its users hear so)."""
    return onboarding_order_transition(by=by, order=order, name="go_live", data={"note": note})


def onboarding_order_hold(*, by: User, order: OnboardingOrder, reason: str) -> OnboardingOrder:
    return onboarding_order_transition(by=by, order=order, name="hold", data={"reason": reason})


def onboarding_order_resume(*, by: User, order: OnboardingOrder, note: str = "") -> OnboardingOrder:
    return onboarding_order_transition(by=by, order=order, name="resume", data={"note": note})


def onboarding_order_cancel(*, by: User, order: OnboardingOrder, reason: str) -> OnboardingOrder:
    return onboarding_order_transition(by=by, order=order, name="cancel", data={"reason": reason})


ORDER_EMAILS = {"confirm": "confirmation", "go_live": "go_live"}


def transition_blocker(order: OnboardingOrder, name: str) -> str:
    """What a transition still waits for (O2's accounts, O5's training), or "" when nothing."""
    if name == "complete_accounts" and (missing := order.accounts_outstanding()):
        return f"Still to be created: {', '.join(missing)}."
    if name == "record_training" and not order.training_outstanding():
        return "Training on every platform is recorded."
    if name == "go_live" and (missing := order.training_outstanding()):
        return f"Training still to be given (O5): {', '.join(missing)}."
    return ""


def can_record_accounts(order: OnboardingOrder, user: User) -> bool:
    return order.status == OrderStatus.COORDINATOR_ASSIGNED and ORDER_COORDINATOR(order, user)


@transaction.atomic
def onboarding_account_record(*, by: User, order: OnboardingOrder, platform: str, reference: str) -> OnboardingAccount:
    """O2 (K1, C1): the order's co-ordinator records one partner account as created."""
    order = order_for_accounts(by=by, order=order)
    if platform not in AccountPlatform.values:
        raise ValidationError({"platform": [f"“{platform}” is not a partner account platform."]})
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": ["Enter the account's ID on the platform."]})
    account = OnboardingAccount.objects.select_for_update().get(order=order, platform=platform)
    account.status = AccountStatus.DONE
    account.reference = reference
    account.error = ""
    account.completed_by = by
    account.completed_at = timezone.now()
    account.save()
    audit_record(
        actor=by,
        action="onboarding_account.recorded",
        target=account,
        changes={"platform": platform, "reference": reference},
    )
    return account


# --- Number inventory (N1, N2) -----------------------------------------------------------------


# --- Customer groups: the build request (G1-G6, B1, V1-V2, A1-A2, K2, K4, C2-C5) ----------------
