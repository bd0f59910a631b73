"""Bulk ports (issue #18): each number of a request with its own status, the checks before
submission (P3), and the split of a partial acceptance into a child request.

A request's `numbers` list stays what it ports (the exports, the search and the CSV COPY path read
it); the PortedNumber rows follow it and the request's transitions in bulk, in the caller's
transaction: a fixed number of queries whatever the number of numbers (10,000 at most)."""

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models

from accounts.models import User
from accounts.services import audit_record
from expoe_portal import bounds
from expoe_portal.db import value_rows_sql
from expoe_portal.phone import normalise_e164, region_of
from number_pool.models import Number
from number_pool.parsing import expand_entries, parse_number_list, parse_range

from .choices import PortedNumberStatus, PortStatus
from .models import PortComment, PortedNumber, PortRequest

# Numbers named in one message at most; the rest are counted.
SHOWN = 20
# Another request holds a number while it is with the carrier or being corrected for it; a draft
# holds nothing (it may never be submitted), a closed request nothing any more.
HOLDING_STATUSES = [PortStatus.SUBMITTED, PortStatus.ACCEPTED, PortStatus.REJECTED]
# What each transition makes of the numbers still in the request (refused ones stay refused).
STATUS_AFTER = {
    "submit": PortedNumberStatus.REQUESTED,
    "resubmit": PortedNumberStatus.REQUESTED,
    "accept": PortedNumberStatus.ACCEPTED,
    "cancel_by_losing_provider": PortedNumberStatus.REQUESTED,
    "complete": PortedNumberStatus.PORTED,
    "cancel": PortedNumberStatus.CANCELLED,
}


def _shown(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN:,} more" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


# --- The rows follow the request ------------------------------------------------------------------


def insert_numbers(model: type[models.Model], numbers: list[str], **constants: Any) -> None:
    """One INSERT ... SELECT of a row per number (its `e164`), every other column a constant: the
    numbers travel as one parameter (expoe_portal.db), no model instance is made. 10,000 rows in
    one statement, where bulk_create builds 10,000 objects and sends them in batches."""
    if not numbers:
        return
    fields = [model._meta.get_field(name) for name in ("e164", *constants)]
    values = [field.get_db_prep_save(constants[field.name], connection) for field in fields[1:]]
    rows_sql, rows_params = value_rows_sql(numbers)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    constant_sql = "".join(", %s" for _ in values)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns})"  # noqa: S608 - names from the models
        f" SELECT value{constant_sql} FROM ({rows_sql}) AS numbers"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *rows_params])


def numbers_sync(port_request: PortRequest) -> None:
    """After the request's `numbers` changed (a draft or a rejected request): a row for each number,
    none for a number taken out. Rows refused in this request stay (its record of the refusal)
    unless the number is named again. Three queries at most."""
    existing = dict(PortedNumber.objects.filter(port_request=port_request).values_list("e164", "status"))
    wanted = set(port_request.numbers)
    gone = [e for e, status in existing.items() if e not in wanted and status != PortedNumberStatus.REFUSED]
    again = [e for e, status in existing.items() if e in wanted and status != PortedNumberStatus.REQUESTED]
    if gone:
        PortedNumber.objects.filter(port_request=port_request, e164__in_values=gone).delete()
    if again:
        PortedNumber.objects.filter(port_request=port_request, e164__in_values=again).update(
            status=PortedNumberStatus.REQUESTED, refusal_reason=""
        )
    insert_numbers(
        PortedNumber,
        [e for e in port_request.numbers if e not in existing],
        port_request=port_request.pk,
        status=PortedNumberStatus.REQUESTED,
        refusal_reason="",
    )


def numbers_follow(port_request: PortRequest, name: str) -> None:
    """After transition `name`: one UPDATE of the request's numbers (a rejection changes none: the
    carrier refused the request as a whole, its numbers stay requested, P5)."""
    status = STATUS_AFTER.get(name)
    if status is not None:
        PortedNumber.objects.filter(port_request=port_request).exclude(status=PortedNumberStatus.REFUSED).update(
            status=status
        )


# --- Checks before submission (P3) ----------------------------------------------------------------


def submission_refusals(port_request: PortRequest) -> list[str]:
    """Each number that cannot be ported to us, with where it already is: a partner's pool (the
    portal has it already) or another request that holds it. Two queries for any number of numbers."""
    numbers = port_request.numbers
    refusals = [
        f"{e164} is already in {partner_id}'s pool"
        for e164, partner_id in Number.objects.filter(e164__in_values=numbers)
        .order_by("e164")
        .values_list("e164", "partner__partner_id")
    ]
    held = (
        PortedNumber.objects.filter(
            e164__in_values=numbers,
            status__in=[PortedNumberStatus.REQUESTED, PortedNumberStatus.ACCEPTED],
            port_request__status__in=HOLDING_STATUSES,
        )
        .exclude(port_request=port_request)
        .order_by("e164", "port_request_id")
        .values_list("e164", "port_request_id", "port_request__status")
    )
    refusals += [f"{e164} is in port request {pk} ({PortStatus(status).label.lower()})" for e164, pk, status in held]
    return refusals


def refuse_unportable(port_request: PortRequest) -> None:
    if refusals := submission_refusals(port_request):
        raise ValidationError({"numbers": [f"Cannot be ported (P3): {_shown(refusals)}."]})


def repeats_refused(repeats: list[str]) -> ValidationError:
    named = list(dict.fromkeys(repeats))
    return ValidationError(f"Each number once: named more than once: {_shown(named)}.", code="repeated")


# --- The range holder, where the numbering data knows it (P3) --------------------------------------

BLOCKS_FILE = Path(__file__).resolve().parent / "data" / "number_blocks.json"


@cache
def number_blocks() -> dict[str, str]:
    """E.164 block prefix -> range holder, from porting/data/number_blocks.json (a sample in the style
    of Ofcom's numbering data, covering the demo's ranges, not the real allocation)."""
    data = json.loads(BLOCKS_FILE.read_text(encoding="utf-8"))
    return {block["prefix"]: block["holder"] for block in data["blocks"]}


def range_holder_of(e164: str, blocks: dict[str, str]) -> str | None:
    # The longest block prefix wins (Ofcom allocates some ranges in 1,000-number blocks, others
    # in 10,000s): at most a dozen lookups a number, no query.
    for end in range(len(e164), 3, -1):
        if holder := blocks.get(e164[:end]):
            return holder
    return None


def range_holder_warnings(port_request: PortRequest) -> list[str]:
    """Numbers whose block the numbering data gives to another range holder than the one entered:
    a warning for the co-ordinator to check, not a refusal (the data is a sample, and may lag)."""
    entered = (port_request.range_holder or "").strip()
    if not entered or not port_request.numbers:
        return []
    blocks = number_blocks()
    others: dict[str, list[str]] = defaultdict(list)
    for e164 in port_request.numbers:
        holder = range_holder_of(e164, blocks)
        if holder and holder.casefold() != entered.casefold():
            others[holder].append(e164)
    return [
        f"{len(numbers):,} number{'s' if len(numbers) > 1 else ''} ({_shown(numbers)}) "
        f"{'are' if len(numbers) > 1 else 'is'} in a block held by {holder}, not {entered}."
        for holder, numbers in sorted(others.items())
    ]


# --- Partial acceptance --------------------------------------------------------------------------


def check_refused(port_request: PortRequest, refused: list[str], reason: str) -> list[str]:
    """The numbers the carrier refused at acceptance (already read as `numbers` is): each one of the
    request's, never all of them, and the reason given with them."""
    if not refused:
        return []
    ours = set(port_request.numbers)
    if strangers := [n for n in refused if n not in ours]:
        raise ValidationError({"refused_numbers": [f"Not numbers of this request: {_shown(strangers)}."]})
    if len(refused) == len(ours):
        raise ValidationError(
            {"refused_numbers": ["Every number is refused: record a rejection of the request instead."]}
        )
    if not reason.strip():
        raise ValidationError({"refusal_reason": ["Say why the carrier refused these numbers."]})
    return refused


def split_refused(port_request: PortRequest, refused: list[str], reason: str, *, by: User) -> PortRequest:
    """Move the refused numbers into a new draft child request (same partner, customer and details,
    the reason in its history); the request goes on with the others. The refused numbers' rows stay
    on this request as `refused`, with the reason."""
    reason = reason.strip()[: bounds.NOTE]
    gone = set(refused)
    port_request.numbers = [n for n in port_request.numbers if n not in gone]
    port_request.save(update_fields=["numbers"])
    PortedNumber.objects.filter(port_request=port_request, e164__in_values=refused).update(
        status=PortedNumberStatus.REFUSED, refusal_reason=reason
    )
    child = PortRequest(
        partner=port_request.partner,
        customer_group=port_request.customer_group,
        parent=port_request,
        numbers=refused,
        created_by=by,
        **{
            field: getattr(port_request, field)
            for field in (
                "country",
                "region",
                "number_type",
                "main_billing_number",
                "registered_address",
                "losing_provider",
                "losing_provider_listed",
                "range_holder",
                "range_holder_listed",
                "risks_acknowledged_by",
                "risks_acknowledged_at",
            )
        },
    )
    child.save()
    numbers_sync(child)
    PortComment.objects.create(
        port_request=child,
        author=by,
        internal=False,
        body=f"Split from port request {port_request.pk}: the carrier refused these numbers. Reason: {reason}",
    )
    audit_record(
        actor=by,
        action="port_request.created",
        target=child,
        changes={"parent": port_request.pk, "numbers": len(refused), "refusal_reason": reason},
    )
    return child


# --- Reading what people type ------------------------------------------------------------------


def parse_numbers(value: str | list[str | dict[str, str]] | None, *, country: str = "GB") -> list[str]:
    """Numbers as E.164, ranges expanded, in order, without repeats.

    Accepts a list whose items are numbers or `{"first", "last"}` ranges (the API), or text with
    one number or range per line (the form). Raises ValidationError naming each unreadable entry."""
    region = country or "GB"
    repeats: list[str] = []  # issue #18: a number named twice in one request is refused (P3)
    if isinstance(value, str):
        numbers = parse_number_list(value, repeats=repeats) if value.strip() else []
        if repeats:
            raise repeats_refused(repeats)
        return numbers

    def parse_item(item: str | dict[str, str]) -> list[str]:
        if not isinstance(item, dict):
            return [normalise_e164(str(item), region=region)]
        if set(item) != {"first", "last"}:
            raise ValidationError('A range is {"first": ..., "last": ...}.')
        first, last = (normalise_e164(str(item[key]), region=region) for key in ("first", "last"))
        return parse_range(first, last)

    # The numbers cap (NUMBERS_PER_REQUEST_MAX) is checked there, before and while reading.
    numbers = expand_entries(value or [], parse_item, lambda index, item: f"Item {index} ({item})", repeats=repeats)
    if repeats:
        raise repeats_refused(repeats)
    return numbers


def numbers_outside(numbers: list[str], country: str) -> list[str]:
    """P2: every number of a request belongs to its country (its calendar and rules apply)."""
    return [number for number in numbers if region_of(number) != country]
