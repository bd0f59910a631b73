"""Port dates (P4, P7, #18): the date the partner asks for, the carrier's confirmed date, and every
change of either, kept with who and why.

The requested date is checked against the lead-time rule counted from today: acceptance is never
before today, so the rule's date counted from today is the earliest any acceptance could give; a
date before it can never be met. The confirmed date is what the carrier says, and may differ from
both the rule's date and the requested one; it only has to be a working day of the number's
country (and nation), on or after the acceptance."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from expoe_portal import bounds
from expoe_portal.cache import data_changed
from expoe_portal.transitions import TransitionRefused

from .calendar import add_working_days, holiday_name, is_working_day, working_days_between
from .choices import PortStatus
from .models import CARRIER_EVENTS, PORT_DATA, PortDateChange, PortRequest
from .rules import lead_time_rule_for


def as_date(value: Any, field: str) -> date | None:
    """A date from a form, the API or a service call (a `date` or YYYY-MM-DD), or None when blank."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: ["Enter a date as YYYY-MM-DD."]}) from None
    bounds.require_sane_date(value, field=field)
    return value


def _not_working_day(day: date, country: str, region: str) -> str | None:
    """Why `day` is not a working day of the calendar, or None when it is one."""
    if is_working_day(day, country, region):
        return None
    holiday = holiday_name(day, country, region)
    where = f"{country}{'/' + region if region else ''}"
    if holiday:
        return f"{day:%a %d %b %Y} is a public holiday in {where} ({holiday}); choose a working day."
    return f"{day:%a %d %b %Y} is a weekend day; choose a working day."


def earliest_requestable(port_request: PortRequest, *, today: date | None = None) -> date:
    """P4: the earliest date a partner may ask for: today + the rule's working days."""
    rule = lead_time_rule_for(port_request.country, port_request.number_type)
    return add_working_days(today or timezone.localdate(), rule.working_days, port_request.country, port_request.region)


def check_requested_date(port_request: PortRequest, field: str = "requested_port_date") -> None:
    """P4: the requested date is a working day of the number's country and nation, and no earlier
    than the lead-time rule allows counting from today. Raises ValidationError on `field`."""
    day = port_request.requested_port_date
    if day is None:
        return
    if reason := _not_working_day(day, port_request.country, port_request.region):
        raise ValidationError({field: [reason]})
    try:
        earliest = earliest_requestable(port_request)
    except LookupError as exc:
        raise ValidationError({field: [str(exc)]}) from exc
    if day < earliest:
        raise ValidationError(
            {
                field: [
                    f"Too early: the lead time allows {earliest:%a %d %b %Y} at the earliest "
                    f"(working days from today for this country and number type)."
                ]
            }
        )


def check_confirmed_date(port_request: PortRequest, day: date, *, not_before: date, what: str, field: str) -> None:
    """The carrier's confirmed date: a working day of the number's calendar, not before `not_before`."""
    if day < not_before:
        raise ValidationError({field: [f"This cannot be before {what} ({not_before:%d %b %Y})."]})
    if reason := _not_working_day(day, port_request.country, port_request.region):
        raise ValidationError({field: [reason]})


def slippage(port_request: PortRequest) -> int | None:
    """Working days from the requested date to the confirmed one (negative: confirmed earlier)."""
    asked, confirmed = port_request.requested_port_date, port_request.port_date
    if asked is None or confirmed is None:
        return None
    calendar = (port_request.country, port_request.region)
    if confirmed >= asked:
        return working_days_between(asked, confirmed, *calendar)
    return -working_days_between(confirmed, asked, *calendar)


def record_date_change(
    port_request: PortRequest, *, field: str, old: date | None, new: date | None, by: User | None, reason: str
) -> PortDateChange | None:
    """Keep one change of a date (in the caller's transaction); nothing when it did not change."""
    if old == new:
        return None
    return PortDateChange.objects.create(
        port_request=port_request, field=field, old=old, new=new, by=by, reason=reason[: bounds.NOTE]
    )


def record_acceptance_date(port_request: PortRequest, *, by: User, confirmed: bool) -> None:
    """At acceptance (in its transaction): the slippage from the requested date, and the first
    confirmed date in the history, the carrier's (`confirmed`) or the rule's."""
    port_request.slippage_working_days = slippage(port_request)
    PortRequest.objects.filter(pk=port_request.pk).update(slippage_working_days=port_request.slippage_working_days)
    record_date_change(
        port_request,
        field=PortDateChange.Field.CONFIRMED,
        old=None,
        new=port_request.port_date,
        by=by,
        reason="Confirmed by the carrier at acceptance." if confirmed else "The lead-time rule's date at acceptance.",
    )


def record_confirmed_date_cleared(port_request: PortRequest, *, by: User, reason: str) -> None:
    """P7: the losing provider's cancellation clears the confirmed date; the history keeps it (the
    date cleared is the latest confirmed one it recorded)."""
    latest = port_request.date_changes.filter(field=PortDateChange.Field.CONFIRMED).order_by("-at", "-id").first()
    if latest is not None and latest.new is not None:
        record_date_change(
            port_request,
            field=PortDateChange.Field.CONFIRMED,
            old=latest.new,
            new=None,
            by=by,
            reason=f"Cancelled by the losing provider: {reason}",
        )


def port_date_change(*, by: User, port_request: PortRequest, port_date: Any, reason: str) -> PortRequest:
    """P4, P7: the carrier moves the confirmed port date of an accepted port. Co-ordinators record
    it with the reason; the losing provider's 48-hour window (P7) and the port-date SLA follow the
    new date, since both read `port_date`."""
    reason = (reason or "").strip()
    with transaction.atomic():
        port_request = PortRequest.objects.select_for_update().get(pk=port_request.pk)
        if not CARRIER_EVENTS(port_request, by):
            raise PermissionDenied("Only the UC Provisioning team changes a confirmed port date.")
        if port_request.status != PortStatus.ACCEPTED:
            raise TransitionRefused(
                f"The port date can be changed while the port is accepted, not while it is "
                f"“{port_request.get_status_display()}”."
            )
        errors: dict[str, list[str]] = {}
        if not reason:
            errors["reason"] = ["Say why the port date changes (the carrier's reason)."]
        try:
            new = as_date(port_date, "port_date")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            new = None
        if new is None and "port_date" not in errors:
            errors["port_date"] = ["Enter the new port date."]
        if errors:
            raise ValidationError(errors)
        assert new is not None and port_request.accepted_on is not None  # accepted: it has its acceptance
        today = timezone.localdate()
        not_before = max(today, port_request.accepted_on)
        check_confirmed_date(port_request, new, not_before=not_before, what="today", field="port_date")
        old = port_request.port_date
        if new == old:
            raise ValidationError({"port_date": ["That is already the port date."]})
        port_request.port_date = new
        port_request.slippage_working_days = slippage(port_request)
        port_request.save(update_fields=["port_date", "slippage_working_days", "updated_at"])
        record_date_change(port_request, field=PortDateChange.Field.CONFIRMED, old=old, new=new, by=by, reason=reason)
        audit_record(
            actor=by,
            action="port_request.port_date_changed",
            target=port_request,
            changes={"port_date": [old.isoformat() if old else None, new.isoformat()], "reason": reason},
        )
        data_changed(PORT_DATA)
    return port_request
