"""Use cases for port requests (P1-P7). Each runs in one transaction and writes an audit row;
transitions are logged by django-fsm-log (who, when, note) and notify the partner after commit."""

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record, require_perm
from expoe_portal import bounds
from expoe_portal.cache import data_changed
from expoe_portal.phone import normalise_e164
from expoe_portal.transitions import (
    TransitionConflict,
    TransitionRefused,
    note_shared_with_partner,
    transition_check,
    transition_run,
)
from number_pool.choices import NumberStatus
from number_pool.models import Number
from partners.models import Partner

from . import dates
from . import numbers as bulk
from .calendar import add_working_days, cancellation_deadline, working_days_between
from .choices import (
    EDITABLE_STATUSES,
    REQUIRABLE_FIELDS,
    REQUIRED_DOCUMENT_NAMES,
    DocumentKind,
    NumberType,
    RejectionCode,
)
from .emails import port_email_queue
from .loa import current_loa, void_loa
from .models import PORT_DATA, PortDateChange, PortRejection, PortRequest
from .numbers import numbers_outside, parse_numbers
from .platform import queue_platform_work
from .providers import provider_named
from .rules import country_requirements, lead_time_rule_for

EDITABLE_FIELDS = (
    "customer_group",
    "country",
    "region",
    "number_type",
    "main_billing_number",
    "numbers",
    "registered_address",
    "losing_provider",
    "range_holder",
    "risks_acknowledged",
    "requested_port_date",
)
# A UK postcode anywhere in the address (P3: "registered address (with postcode)").
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


def _clean_fields(port_request: PortRequest, data: dict[str, Any], *, by: User) -> dict[str, list[Any]]:
    """Apply the editable fields in `data` to the request (in memory); return {field: [old, new]}.

    Checks the format of what is given (a number is a number, a nation belongs to the country);
    whether everything needed is there is checked at submission (P3)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be set here."] for field in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    changes: dict[str, list[Any]] = {}

    def put(field: str, value: Any) -> None:
        old = getattr(port_request, field)
        if old != value:
            # The audit row keeps plain values: a list's length, an object's name.
            def plain(v: Any) -> Any:
                return len(v) if isinstance(v, list) else (v if v is None or isinstance(v, str) else str(v))

            changes[field] = [plain(old), plain(value)]
            setattr(port_request, field, value)

    if "country" in data:
        country = (data["country"] or "").strip().upper()
        if country_requirements(country) is None:
            errors["country"] = [f"“{country}” is not a country we port numbers in."]
        else:
            put("country", country)
    requirements = country_requirements(port_request.country)
    if "region" in data or "country" in data:
        region = (data.get("region", port_request.region) or "").strip().upper()
        regions = requirements.regions if requirements else []
        if region and region not in regions:
            allowed = ", ".join(regions) if regions else "none (leave it blank)"
            errors["region"] = [f"“{region}” is not a nation of {port_request.country}; choose one of: {allowed}."]
        else:
            put("region", region)
    if "number_type" in data:
        number_type = data["number_type"] or ""
        if number_type and number_type not in NumberType.values:
            errors["number_type"] = [f"Choose one of: {', '.join(NumberType.values)}."]
        else:
            put("number_type", number_type)
    if "registered_address" in data:
        put("registered_address", (data["registered_address"] or "").strip())
    for field in ("losing_provider", "range_holder"):
        if field in data:
            # A provider on the list is named as the list spells it; any other stays as typed.
            typed = (data[field] or "").strip()
            listed = provider_named(typed)
            put(field, listed.name if listed else typed)
            setattr(port_request, f"{field}_listed", listed)
    if "main_billing_number" in data:
        raw = (data["main_billing_number"] or "").strip()
        try:
            put("main_billing_number", normalise_e164(raw, region=port_request.country) if raw else "")
        except ValidationError as exc:
            errors["main_billing_number"] = exc.messages
    if "numbers" in data:
        try:
            numbers = parse_numbers(data["numbers"], country=port_request.country)
        except ValidationError as exc:
            errors["numbers"] = exc.messages
        else:
            if outside := numbers_outside(numbers, port_request.country):
                errors["numbers"] = [
                    f"Not {port_request.country} numbers (one request ports one country's numbers): "
                    f"{', '.join(outside[:10])}{' …' if len(outside) > 10 else ''}."
                ]
            else:
                put("numbers", numbers)
    if "customer_group" in data:
        group = data["customer_group"]
        if group is not None and group.partner_id != port_request.partner_id:
            # N2: only the partner's own groups; another partner's reads as unknown.
            errors["customer_group"] = ["No such customer group for this partner."]
        else:
            put("customer_group", group)
    if "risks_acknowledged" in data:
        # P7: who acknowledged the risks, and when; unticking withdraws the acknowledgement.
        if data["risks_acknowledged"] and not port_request.risks_acknowledged:
            port_request.risks_acknowledged_by, port_request.risks_acknowledged_at = by, timezone.now()
            changes["risks_acknowledged"] = [False, True]
        elif not data["risks_acknowledged"] and port_request.risks_acknowledged:
            port_request.risks_acknowledged_by, port_request.risks_acknowledged_at = None, None
            changes["risks_acknowledged"] = [True, False]
    if "requested_port_date" in data:
        try:
            put("requested_port_date", dates.as_date(data["requested_port_date"], "requested_port_date"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not errors and {"requested_port_date", "country", "region", "number_type"} & set(changes):
        # P4: checked against the calendar and lead time the request has now (#18).
        try:
            dates.check_requested_date(port_request)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return changes


def _record_requested_date(port_request: PortRequest, changes: dict[str, list[Any]], by: User, reason: str) -> None:
    if "requested_port_date" in changes:
        old, new = changes["requested_port_date"]
        dates.record_date_change(
            port_request,
            field=PortDateChange.Field.REQUESTED,
            old=date.fromisoformat(old) if old else None,
            new=port_request.requested_port_date,
            by=by,
            reason=reason,
        )


def _require_requester(by: User, partner: Partner, *, action: str) -> None:
    require_perm(by, "porting.add_portrequest", action=action)
    if by.is_partner_user and by.partner_id != partner.pk:
        raise PermissionDenied(f"You are not allowed to {action} for another partner.")


@transaction.atomic
def port_request_create(*, by: User, partner: Partner, data: dict[str, Any]) -> PortRequest:
    """A draft port request for `partner` (partner users: their own partner only, P1)."""
    _require_requester(by, partner, action="create port requests")
    port_request = PortRequest(partner=partner, created_by=by)
    changes = _clean_fields(port_request, {"country": data.get("country") or "GB", **data}, by=by)
    port_request.save()
    bulk.numbers_sync(port_request)
    _record_requested_date(port_request, changes, by, "Asked for when the request was drafted.")
    audit_record(actor=by, action="port_request.created", target=port_request, changes=changes)
    data_changed(PORT_DATA)
    return port_request


@transaction.atomic
def port_request_update(*, by: User, port_request: PortRequest, data: dict[str, Any]) -> PortRequest:
    """Correct a draft or a rejected request (P5); submitted and accepted ones are fixed."""
    port_request = PortRequest.objects.select_for_update().get(pk=port_request.pk)
    _require_requester(by, port_request.partner, action="change port requests")
    require_perm(by, "porting.change_portrequest", action="change port requests")
    if port_request.status not in EDITABLE_STATUSES:
        raise TransitionRefused(
            f"A port request can be changed while it is a draft or rejected, not while it is "
            f"“{port_request.get_status_display()}”."
        )
    changes = _clean_fields(port_request, data, by=by)
    if changes:
        port_request.save()
        if "numbers" in changes:
            bulk.numbers_sync(port_request)
        _record_requested_date(
            port_request, changes, by, f"Changed while the request was {port_request.get_status_display().lower()}."
        )
        audit_record(actor=by, action="port_request.updated", target=port_request, changes=changes)
        data_changed(PORT_DATA)
    return port_request


# --- What submission needs (P3, P6, P7) -------------------------------------------------------


def missing_for_submission(port_request: PortRequest) -> dict[str, str]:
    """{field: message} for everything the request's country requires that is still missing: its
    fields, its documents (a signed letter of authority for GB) and the risk acknowledgement."""
    requirements = country_requirements(port_request.country)
    required = requirements.required_fields if requirements else list(REQUIRABLE_FIELDS)
    missing: dict[str, str] = {}
    for field in required:
        if field == "postcode":
            address = port_request.registered_address
            if address and not UK_POSTCODE.search(address):
                missing["registered_address"] = "Registered address: add the postcode of the address (P3)."
            continue
        if not getattr(port_request, field):
            missing[field] = f"{REQUIRABLE_FIELDS[field]} is required before submission (P3)."
    for kind in requirements.required_documents if requirements else []:
        if message := _missing_document(port_request, kind):
            missing[kind] = message
    if not port_request.risks_acknowledged:
        missing["risks_acknowledged"] = (
            "The customer's acknowledgement of the porting risks is required before submission (P7)."
        )
    return missing


def _missing_document(port_request: PortRequest, kind: str) -> str:
    name = REQUIRED_DOCUMENT_NAMES.get(kind, kind)
    if kind == DocumentKind.LETTER_OF_AUTHORITY:
        if current_loa(port_request) is not None:
            return ""
        if void_loa(port_request) is not None:
            return (
                f"{name.capitalize()} is required before submission: the one on file was signed before the "
                "numbers, the address, the losing provider or the end customer changed, so have it signed "
                "again (P3, P6)."
            )
        return f"{name.capitalize()} is required before submission (P3, P6)."
    if any(d.kind == kind for d in port_request.documents.all()):
        return ""
    return f"{name.capitalize()} is required before submission (P3, P6)."


def _missing_label(field: str) -> str:
    if field == "risks_acknowledged":
        return "risk acknowledgement"
    if field in REQUIRED_DOCUMENT_NAMES:
        return REQUIRED_DOCUMENT_NAMES[field]
    return REQUIRABLE_FIELDS[field].lower()


def _refuse_if_missing(port_request: PortRequest) -> None:
    missing = missing_for_submission(port_request)
    if missing:
        raise ValidationError(
            {
                **{field: [message] for field, message in missing.items()},
                "__all__": [f"Cannot submit yet; missing: {', '.join(_missing_label(f) for f in missing)}."],
            }
        )


def _numbers_in_pools(numbers: list[str]) -> list[Number]:
    return list(Number.objects.filter(e164__in_values=numbers).select_related("partner").order_by("e164"))


# --- Transitions ---------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _date(data: dict[str, Any], field: str, *, default: date, earliest: date | None, earliest_what: str) -> date:
    value = data.get(field) or default
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: ["Enter a date as YYYY-MM-DD."]}) from None
    bounds.require_sane_date(value, field=field)
    if value > _today():
        raise ValidationError({field: ["This cannot be in the future."]})
    if earliest and value < earliest:
        raise ValidationError({field: [f"This cannot be before {earliest_what} ({earliest:%d %b %Y})."]})
    return value


def _kwargs_submit(port_request: PortRequest, data: dict[str, Any], by: User) -> dict[str, Any]:
    _refuse_if_missing(port_request)
    dates.check_requested_date(port_request)  # a draft's date may have become too early since (P4)
    bulk.refuse_unportable(port_request)  # in a pool, or in another open request (issue #18)
    return {"at": timezone.now()}


def _kwargs_accept(port_request: PortRequest, data: dict[str, Any], by: User) -> dict[str, Any]:
    """P4: port date = acceptance date + the rule's working days in the number's country/nation."""
    accepted_on = _date(
        data,
        "accepted_on",
        default=_today(),
        earliest=timezone.localdate(port_request.submitted_at),
        earliest_what="the submission",
    )
    try:
        rule = lead_time_rule_for(port_request.country, port_request.number_type)
    except LookupError as exc:
        raise ValidationError({"accepted_on": [str(exc)]}) from exc
    rule_date = add_working_days(accepted_on, rule.working_days, port_request.country, port_request.region)
    # The carrier's confirmed date, when it gives one, is the port date; the rule's date is kept (#18).
    confirmed = dates.as_date(data.get("confirmed_port_date"), "confirmed_port_date")
    if confirmed is not None:
        dates.check_confirmed_date(
            port_request, confirmed, not_before=accepted_on, what="the acceptance", field="confirmed_port_date"
        )
    # A partial acceptance (issue #18): the numbers the carrier refused, read as `numbers` is.
    try:
        refused = parse_numbers(data.get("refused_numbers") or [], country=port_request.country)
    except ValidationError as exc:
        raise ValidationError({"refused_numbers": exc.messages}) from None
    data["refused"] = bulk.check_refused(port_request, refused, data.get("refusal_reason") or "")
    return {
        "accepted_on": accepted_on,
        "working_days": rule.working_days,
        "rule_label": rule.label,
        "port_date": confirmed or rule_date,
        "rule_port_date": rule_date,
    }


def _kwargs_reject(port_request: PortRequest, data: dict[str, Any], by: User) -> dict[str, Any]:
    code = data.get("code") or ""
    reason = (data.get("reason") or "").strip()
    if code not in RejectionCode.values:
        raise ValidationError({"code": [f"Choose the reason: {', '.join(RejectionCode.values)}."]})
    if code == RejectionCode.OTHER and not reason:
        raise ValidationError({"reason": ["Say what was wrong: the reason is “other”."]})
    return {}


def _kwargs_cancel_by_losing_provider(port_request: PortRequest, data: dict[str, Any], by: User) -> dict[str, Any]:
    """P7: accepted only until 48 hours before 00:00 UK time on the port date."""
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the losing provider cancelled."]})
    at = data.get("at") or timezone.now()
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            raise ValidationError({"at": ["Enter a date and time, e.g. 2026-11-27T10:00:00Z."]}) from None
    bounds.require_sane_date(at, field="at")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    # A minute's grace for clocks that differ between the caller and us.
    if at > timezone.now() + timedelta(minutes=1):
        raise ValidationError({"at": ["When the losing provider cancelled cannot be in the future."]})
    assert port_request.port_date is not None  # accepted (transition_check ran): it has its port date
    deadline = cancellation_deadline(port_request.port_date)
    if at > deadline:
        raise ValidationError(
            {
                "at": [
                    f"Too late: the losing provider could cancel only until "
                    f"{timezone.localtime(deadline):%d %b %Y %H:%M} UK time, 48 hours before 00:00 on the port "
                    f"date ({port_request.port_date:%d %b %Y}) (P7)."
                ]
            }
        )
    return {"at": at}


def _kwargs_complete(port_request: PortRequest, data: dict[str, Any], by: User) -> dict[str, Any]:
    completed_on = _date(
        data, "completed_on", default=_today(), earliest=port_request.accepted_on, earliest_what="the acceptance"
    )
    assert port_request.accepted_on is not None  # accepted (transition_check ran): it has its acceptance date
    days = working_days_between(port_request.accepted_on, completed_on, port_request.country, port_request.region)
    return {"completed_on": completed_on, "working_days": days}


def _kwargs_cancel(port_request: PortRequest, data: dict[str, Any], by: User) -> dict[str, Any]:
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the port request is cancelled."]})
    return {"reason": reason, "at": timezone.now()}


PORT_TRANSITIONS = {
    "submit": _kwargs_submit,
    "resubmit": _kwargs_submit,
    "accept": _kwargs_accept,
    "reject": _kwargs_reject,
    "cancel_by_losing_provider": _kwargs_cancel_by_losing_provider,
    "complete": _kwargs_complete,
    "cancel": _kwargs_cancel,
}
# The partner hears about these (point 8 of the issue); the email says what happened.
PORT_EMAILS = {
    "submit": "submitted",
    "resubmit": "submitted",
    "accept": "accepted",
    "reject": "rejected",
    "cancel_by_losing_provider": "cancelled_by_losing_provider",
    "cancel": "cancelled",
    "complete": "completed",
}


def _release_porting_numbers(port_request: PortRequest) -> None:
    Number.objects.filter(
        partner=port_request.partner, status=NumberStatus.PORTING, e164__in_values=port_request.numbers
    ).delete()


def _after_transition(port_request: PortRequest, name: str, data: dict[str, Any], by: User) -> dict[str, Any]:
    """What a transition does besides the request's own fields; returns extra audit changes."""
    split = {}
    if name == "accept" and data.get("refused"):
        child = bulk.split_refused(port_request, data["refused"], data.get("refusal_reason") or "", by=by)
        split = {"refused_numbers": len(data["refused"]), "child": child.pk}
    if name == "accept":
        # The numbers are reserved in the partner's pool as "porting" while in flight, so no one
        # else can add or port them; the database's unique constraint settles any race.
        if clashes := _numbers_in_pools(port_request.numbers):
            shown = ", ".join(f"{n.e164} ({n.partner.partner_id})" for n in clashes[:20])
            raise ValidationError({"numbers": [f"Already in a partner's pool: {shown}."]})
        bulk.insert_numbers(
            Number,
            port_request.numbers,
            partner=port_request.partner_id,
            status=NumberStatus.PORTING,
            added_at=timezone.now(),
            added_by=by.pk,
        )
        assert port_request.port_date is not None  # the accept transition has just set it
        dates.record_acceptance_date(port_request, by=by, confirmed=bool(data.get("confirmed_port_date")))
        return {"port_date": port_request.port_date.isoformat(), "rule": port_request.lead_time_rule, **split}
    if name == "reject":
        rejection = PortRejection.objects.create(
            port_request=port_request,
            code=data["code"],
            reason=(data.get("reason") or "").strip(),
            recorded_by=by,
        )
        return {"code": rejection.code, "reason": rejection.reason}
    if name in ("cancel_by_losing_provider", "cancel"):
        _release_porting_numbers(port_request)
    if name == "cancel_by_losing_provider":
        dates.record_confirmed_date_cleared(port_request, by=by, reason=data["reason"].strip())
    if name == "complete":
        # N1: ported numbers join the partner's pool, and the named customer group's.
        numbers = Number.objects.filter(
            partner=port_request.partner, status=NumberStatus.PORTING, e164__in_values=port_request.numbers
        )
        group = port_request.customer_group
        if group is not None:
            numbers.update(status=NumberStatus.ASSIGNED, customer_group=group)
        else:
            numbers.update(status=NumberStatus.AVAILABLE)
        assert port_request.completed_on is not None  # the complete transition has just set it
        return {"completed_on": port_request.completed_on.isoformat()}
    return {}


def port_request_transition(
    *,
    by: User,
    port_request: PortRequest,
    name: str,
    data: dict[str, Any] | None = None,
    expected_status: str | None = None,
) -> PortRequest:
    """Run one transition (P1, P3-P5, P7) in one transaction, or refuse it leaving nothing changed:
    PermissionDenied (role, or another partner), TransitionRefused (state), ValidationError (what
    it needs), TransitionConflict (someone else changed the request first). Email after commit."""
    if name not in PORT_TRANSITIONS:
        raise ValidationError({"transition": [f"“{name}” is not a transition of a port request."]})
    data = data or {}
    with transaction.atomic():
        port_request = PortRequest.objects.select_related("partner", "customer_group").get(pk=port_request.pk)
        if expected_status and port_request.status != expected_status:
            raise TransitionConflict(noun="port request")
        transition_check(instance=port_request, name=name, by=by, noun="port request")
        kwargs = PORT_TRANSITIONS[name](port_request, data, by)
        # A note is internal to EXPO.e staff unless its author marks it for the partner (their own
        # notes are theirs); what the transition tells the partner (a rejection's or a
        # cancellation's reason) always reaches them.
        note = (data.get("note") or "").strip()
        for_partner = bool(note_shared_with_partner(data, by=by))
        told = ""
        if name == "reject":
            code = RejectionCode(data["code"]).label
            reason = (data.get("reason") or "").strip()
            told = f"{code}{': ' + reason if reason else ''}"
        elif name in ("cancel", "cancel_by_losing_provider"):
            told = data["reason"].strip()
        description = " — ".join(part for part in (told, note) if part)
        partner_note = " — ".join(part for part in (told, note if for_partner else "") if part)
        transition_run(
            instance=port_request,
            name=name,
            by=by,
            noun="port request",
            description=description or None,
            partner_note=partner_note,
            note_for_partner=for_partner,
            **kwargs,
        )
        changes = _after_transition(port_request, name, data, by)
        bulk.numbers_follow(port_request, name)
        audit_record(
            actor=by,
            action=f"port_request.{name}",
            target=port_request,
            changes=changes,
        )
        port_email_queue(port_request, PORT_EMAILS[name])
        data_changed(PORT_DATA)
        queue_platform_work(port_request, name)  # BroadWorks follows the new status (N1, #18)
    return port_request


def port_request_submit(*, by: User, port_request: PortRequest, note: str = "") -> PortRequest:
    """P3, P7: refused while anything the country requires, or the risk acknowledgement, is missing."""
    return port_request_transition(by=by, port_request=port_request, name="submit", data={"note": note})


def port_request_resubmit(*, by: User, port_request: PortRequest, note: str = "") -> PortRequest:
    """P5: after correction; the lead time restarts at the new acceptance."""
    return port_request_transition(by=by, port_request=port_request, name="resubmit", data={"note": note})


def port_request_accept(
    *,
    by: User,
    port_request: PortRequest,
    accepted_on: date | None = None,
    confirmed_port_date: date | None = None,
    note: str = "",
) -> PortRequest:
    """P4: the port date is the carrier's confirmed date, else computed now with the rule."""
    data = {"accepted_on": accepted_on, "confirmed_port_date": confirmed_port_date, "note": note}
    return port_request_transition(by=by, port_request=port_request, name="accept", data=data)


def port_request_reject(
    *, by: User, port_request: PortRequest, code: str, reason: str = "", note: str = ""
) -> PortRequest:
    """P5: the rejection is kept with its reason code and text."""
    data = {"code": code, "reason": reason, "note": note}
    return port_request_transition(by=by, port_request=port_request, name="reject", data=data)


def port_request_cancel_by_losing_provider(
    *, by: User, port_request: PortRequest, reason: str, at: datetime | None = None
) -> PortRequest:
    """P7: until 48 h before 00:00 UK time on the port date; back to draft, port date cleared."""
    data = {"reason": reason, "at": at}
    return port_request_transition(by=by, port_request=port_request, name="cancel_by_losing_provider", data=data)


def port_request_complete(
    *, by: User, port_request: PortRequest, completed_on: date | None = None, note: str = ""
) -> PortRequest:
    """N1: the numbers join the partner's pool (and the named customer group)."""
    data = {"completed_on": completed_on, "note": note}
    return port_request_transition(by=by, port_request=port_request, name="complete", data=data)


def port_request_cancel(*, by: User, port_request: PortRequest, reason: str) -> PortRequest:
    return port_request_transition(by=by, port_request=port_request, name="cancel", data={"reason": reason})
