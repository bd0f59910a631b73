"""Demo port requests for `manage.py seed_demo`: one per state, moved there through the real
services by the demo user whose role runs each step (so history, audit rows and emails are the
portal's own). Idempotent: a partner that already has port requests is left as it is."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from customers.models import CustomerGroup
from partners.models import Partner

from .choices import DocumentKind, PortStatus
from .documents import loa_sign_online
from .loa import Signature, loa_pdf
from .models import PortRequest
from .providers import providers_load
from .rules import load_porting_rules
from .services import port_request_create, port_request_transition, port_request_update

# status, numbers (first, count), losing provider, nation, the steps that lead there
DEMO_PORTS = [
    (PortStatus.DRAFT, ("0113 496 0500", 3), "Virgin Media", "ENG", []),
    (PortStatus.SUBMITTED, ("0113 496 0510", 5), "BT", "ENG", ["submit"]),
    (PortStatus.REJECTED, ("0131 496 0520", 2), "BT", "SCT", ["submit", "reject"]),
    (PortStatus.ACCEPTED, ("029 2018 0530", 10), "TalkTalk", "WLS", ["submit", "accept"]),
    (PortStatus.COMPLETED, ("028 9018 0540", 4), "BT", "NIR", ["submit", "accept", "complete"]),
    (PortStatus.CANCELLED, ("0113 496 0550", 1), "Gamma", "ENG", ["cancel"]),
]
STEP_DATA = {
    "reject": {"code": "postcode_mismatch", "reason": "The losing provider has EH2 2AQ for this address."},
    "cancel": {"reason": "The customer decided to keep their current provider."},
    "submit": {"note": "Letter of authority signed by the customer.", "note_for_partner": True},
    "accept": {"note": "Accepted by the losing provider.", "note_for_partner": True},
}


# How many days before seeding each demo step happened, so the lead-time dashboard has a history to
# show (median days to acceptance, completion against the rule). The completed port completes on
# its port date.
STEP_DAYS_AGO = {
    PortStatus.SUBMITTED: {"submit": 1},
    PortStatus.REJECTED: {"submit": 6, "reject": 4},
    PortStatus.ACCEPTED: {"submit": 9, "accept": 6},
    PortStatus.COMPLETED: {"submit": 47, "accept": 44},
}


def _backdate(port_request: PortRequest, step: str, at) -> None:
    """Demo only: move a step that just ran back to `at`, in the request and in its history."""
    from django.contrib.contenttypes.models import ContentType
    from django_fsm_log.models import StateLog

    logs = StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(PortRequest), object_id=port_request.pk, transition=step
    )
    logs.update(timestamp=at)
    if step == "submit":
        PortRequest.objects.filter(pk=port_request.pk).update(
            submitted_at=at, created_at=at - timedelta(days=1), risks_acknowledged_at=at - timedelta(hours=1)
        )
        _backdate_letter(port_request, at - timedelta(hours=2))
    if step == "reject":
        port_request.rejections.update(at=at)


def _backdate_letter(port_request: PortRequest, signed_at) -> None:
    """Demo only: the letter was signed before the backdated submission; its PDF says so too."""
    from django.core.files.base import ContentFile

    letter = port_request.documents.filter(kind=DocumentKind.LETTER_OF_AUTHORITY).first()
    if letter is None or letter.signed_at is None:
        return
    by = letter.uploaded_by
    signature = Signature(
        name=letter.signer_name,
        position=letter.signer_position,
        at=signed_at,
        address=str(letter.signed_from),
        collected_by=f"{by.display_name} ({by.username})" if by else "",
    )
    content = loa_pdf(port_request, signature=signature)
    letter.file.save(letter.original_name, ContentFile(content), save=False)
    letter.size, letter.signed_at = len(content), signed_at
    letter.save(update_fields=["file", "size", "signed_at"])
    type(letter).objects.filter(pk=letter.pk).update(uploaded_at=signed_at)


def _weekday(days_ago: int):
    """The day `days_ago` before today, moved back to a Friday if it falls on a weekend."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return day - timedelta(days=max(0, day.weekday() - 4))


def _step_data(status, step: str, port_request: PortRequest) -> dict:
    data = dict(STEP_DATA.get(step, {}))
    days_ago = STEP_DAYS_AGO.get(status, {}).get(step)
    if step == "accept" and days_ago is not None:
        data["accepted_on"] = _weekday(days_ago)
    if step == "complete":
        data["completed_on"] = port_request.port_date
    return data


def _step_time(status, step: str, port_request: PortRequest):
    days_ago = STEP_DAYS_AGO.get(status, {}).get(step)
    if step == "complete":
        return datetime.combine(port_request.port_date, time(12), tzinfo=timezone.get_current_timezone())
    if days_ago is None:
        return None
    return datetime.combine(_weekday(days_ago), time(10), tzinfo=timezone.get_current_timezone())


def _numbers(first: str, count: int) -> list[dict | str]:
    from expoe_portal.phone import normalise_e164

    start = normalise_e164(first)
    last = f"+{int(start[1:]) + count - 1}"
    return [{"first": start, "last": last}] if count > 1 else [start]


def seed_port_requests(*, partners: dict[str, Partner], staff: dict, partner_user) -> list[tuple[int, str]]:
    """ACME01's port requests in every state; returns (id, status) rows for the banner."""
    load_porting_rules()
    providers_load()
    partner = partners["ACME01"]
    if PortRequest.objects.filter(partner=partner).exists():
        return list(PortRequest.objects.filter(partner=partner).order_by("pk").values_list("pk", "status"))
    coordinator = staff["coordinator"]
    group = CustomerGroup.objects.filter(partner=partner).order_by("group_id").first()
    with transaction.atomic():
        for status, (first, count), provider, region, steps in DEMO_PORTS:
            port_request = port_request_create(
                by=partner_user,
                partner=partner,
                data={
                    "country": "GB",
                    "region": region,
                    "number_type": "multi_line" if count > 3 else "analogue",
                    "main_billing_number": first,
                    "numbers": _numbers(first, count),
                    "registered_address": "Acme House, 1 Market Street, Leeds LS1 6DT",
                    "losing_provider": provider,
                    "range_holder": f"{provider} Wholesale",
                    "customer_group": group if status == PortStatus.COMPLETED else None,
                    "risks_acknowledged": status != PortStatus.DRAFT,
                },
            )
            if "submit" in steps:
                # GB requires the end customer's signed letter of authority before submission (P3, P6).
                loa_sign_online(
                    by=partner_user,
                    port_request=port_request,
                    name="Jo Bloggs",
                    position="Office Manager, Acme Ltd",
                    consent=True,
                    address="192.0.2.10",
                )
            for step in steps:
                by = partner_user if step == "submit" else coordinator
                data = _step_data(status, step, port_request)
                port_request = port_request_transition(by=by, port_request=port_request, name=step, data=data)
                if (at := _step_time(status, step, port_request)) is not None:
                    _backdate(port_request, step, at)
                    port_request.refresh_from_db()
            if status == PortStatus.DRAFT:
                port_request_update(by=partner_user, port_request=port_request, data={"range_holder": ""})
    return list(PortRequest.objects.filter(partner=partner).order_by("pk").values_list("pk", "status"))
