"""Use cases for the escalation matrix (E1), the SLA policies and the escalation engine (E2)."""

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import AuditEvent, EscalationContact, User
from accounts.services import audit_record, require_perm
from expoe_portal.db import id_rows_sql, plain_rows
from expoe_portal.phone import normalise_e164
from expoe_portal.transitions import TransitionConflict

from .choices import MAX_LEVEL, CloseReason, SlaClock, SlaState
from .models import Escalation, EscalationEvent, SlaPolicy
from .selectors import escalation_data_changed
from .sources import SOURCES

logger = logging.getLogger(__name__)

MATRIX_FILE = Path(__file__).resolve().parent / "data" / "escalation_matrix.json"
CONTACT_FIELDS = ("role", "name", "phone", "email")


@dataclass
class MatrixLoadResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def _clean_contact_values(values: dict[str, Any]) -> dict[str, str]:
    cleaned = {key: str(values.get(key) or "").strip() for key in CONTACT_FIELDS}
    try:
        cleaned["phone"] = normalise_e164(cleaned["phone"])
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    return cleaned


@transaction.atomic
def escalation_matrix_load(*, path: Path = MATRIX_FILE, overwrite: bool = False) -> MatrixLoadResult:
    """E1: load the matrix from its data file. Idempotent: missing levels are created; existing
    levels are left as managers edited them unless `overwrite` resets them to the file."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    levels = [row.get("level") for row in rows]
    if sorted(levels) != [0, 1, 2, 3]:
        raise ValidationError(f"The matrix file must list levels 0, 1, 2 and 3 once each; it lists {levels}.")
    result = MatrixLoadResult()
    for row in rows:
        values = _clean_contact_values(row)
        contact = EscalationContact.objects.select_for_update().filter(level=row["level"]).first()
        if contact is None:
            contact = EscalationContact(level=row["level"], **values)
            contact.full_clean()
            contact.save()
            result.created.append(contact.level)
        elif overwrite and any(getattr(contact, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(contact, key, value)
            contact.full_clean()
            contact.save()
            result.updated.append(contact.level)
        else:
            result.unchanged.append(contact.level)
    return result


@transaction.atomic
def escalation_contact_update(*, by: User, contact: EscalationContact, **values: str) -> EscalationContact:
    """E1: a manager changes who is called at one level."""
    require_perm(by, "accounts.change_escalationcontact", action="edit the escalation matrix")
    contact = EscalationContact.objects.select_for_update().get(pk=contact.pk)
    cleaned = _clean_contact_values({**{key: getattr(contact, key) for key in CONTACT_FIELDS}, **values})
    return _save_edit(contact, cleaned, by=by, action="escalation_contact.updated")


def _save_edit(
    row: Any, values: dict[str, Any], *, by: User, action: str, check: Callable[[Any], None] | None = None
) -> Any:
    """A manager's edit of a matrix row or a policy: set the values, let `check` refuse the
    result, validate, save and audit what changed (nothing changed, nothing audited)."""
    changes = {key: [getattr(row, key), value] for key, value in values.items() if getattr(row, key) != value}
    for key, value in values.items():
        setattr(row, key, value)
    if check is not None:
        check(row)
    row.updated_by = by
    row.full_clean()
    row.save()
    if changes:
        audit_record(actor=by, action=action, target=row, changes=changes)
    return row


# --- SLA policies (E2) ---------------------------------------------------------------------------

POLICY_EDITABLE_FIELDS = ("target", "at_risk_hours", "breach_start_level", "climb_every_hours", "active")


@dataclass
class PolicyLoadResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def sla_policy_load(**kwargs: Any) -> PolicyLoadResult:
    """E2: create the default policies that are missing (those whose source exists); policies
    already there keep their managers' thresholds. Runs after every migrate (and test flush)."""
    from .policies import default_policies

    result = PolicyLoadResult()
    existing = set(SlaPolicy.objects.values_list("key", flat=True))
    for values in default_policies():
        if values["source"] not in SOURCES:
            continue  # its app is not there yet (the port policies before the porting app)
        if values["key"] in existing:
            result.unchanged.append(values["key"])
            continue
        policy = SlaPolicy(**values)
        policy.full_clean()
        SlaPolicy.objects.bulk_create([policy], ignore_conflicts=True)  # a concurrent migrate may win
        result.created.append(values["key"])
    return result


def sla_policy_update(*, by: User, policy: SlaPolicy, **values: int | bool | None) -> SlaPolicy:
    """E2: a manager tunes a policy's thresholds. Open escalations follow at the next evaluation
    (their deadlines are worked out again); levels already reached and notified stay."""
    require_perm(by, "escalations.change_slapolicy", action="edit SLA policies")
    unknown = set(values) - set(POLICY_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        escalation_data_changed()  # the dashboard names the policies and greys those switched off
        return _save_edit(policy, values, by=by, action="sla_policy.updated", check=_check_policy)


def _check_policy(policy: SlaPolicy) -> None:
    errors: dict[str, list[str]] = {}
    if policy.clock != SlaClock.ITEM_DEADLINE and not policy.target:
        errors["target"] = [f"Enter the {policy.target_display.split()[-1]} allowed (at least 1)."]
    if policy.climb_every_hours is None or policy.climb_every_hours < 1:
        errors["climb_every_hours"] = ["A breach climbs after at least 1 hour."]
    if policy.breach_start_level not in (0, 1):
        errors["breach_start_level"] = ["A breach starts at level 0 or level 1."]
    if errors:
        raise ValidationError(errors)


# --- The evaluator (E2) --------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    opened: int = 0
    closed: int = 0
    updated: int = 0
    events: list[int] = field(default_factory=list)  # events this run created (and notifies)
    raised: int = 0  # escalations whose level rose

    def __str__(self) -> str:
        return f"opened {self.opened}, closed {self.closed}, updated {self.updated}, new levels {len(self.events)}"

    @property
    def writes(self) -> int:
        return self.opened + self.closed + self.updated + self.raised + len(self.events)


def level_due(policy: SlaPolicy, due_at: datetime, now: datetime) -> int:
    """E2: the level a breach not acknowledged has reached: the policy's start level at the
    deadline, one more after each `climb_every_hours`, never above 3."""
    climbs = int((now - due_at) / timedelta(hours=policy.climb_every_hours))
    return min(MAX_LEVEL, policy.breach_start_level + climbs)


@dataclass
class _Run:
    """One evaluation: its clock, the matrix as it stood when it began, what it did so far, and
    whether it emails the levels it reaches."""

    now: datetime
    contacts: dict[int, EscalationContact]
    result: EvaluationResult
    notify: bool


def escalation_evaluate(*, now: datetime | None = None, notify: bool = True) -> EvaluationResult:
    """E2: bring every policy's escalations up to date: open one per new item, close those whose
    item was resolved, follow changed deadlines, and climb breaches up the matrix (E1).

    Idempotent, and safe to run in two processes at once: rows are created with
    "insert unless it exists" against unique constraints, levels only ever rise by compare-and-set,
    and a level's email is queued only by the run whose insert of its event row won.

    It reads plain rows (no model instances) and writes only what changed, in bulk: a run that
    finds nothing changed only reads, a fixed number of queries per policy whatever the number of
    items, and leaves the dashboard's cache as it was.

    `notify=False` (first deployment over existing data) records every level reached without
    emailing anyone, so old breaches do not flood the matrix; later runs notify as usual."""
    run = _Run(
        now=now or timezone.now(),
        contacts={c.level: c for c in EscalationContact.objects.all()},
        result=EvaluationResult(),
        notify=notify,
    )
    for policy in SlaPolicy.objects.all():
        with transaction.atomic():
            writes = run.result.writes
            _evaluate_policy(run, policy)
            if run.result.writes != writes:
                escalation_data_changed()
    return run.result


def _ids(ids: list[int]) -> RawSQL:
    """`pk__in=_ids(ids)`: any number of ids in one statement and one parameter."""
    return RawSQL(*id_rows_sql(ids))  # noqa: S611  (fixed SQL; the ids travel as its parameter)


def _close(ids: list[int], reason: str, now: datetime) -> int:
    if not ids:
        return 0
    return Escalation.objects.filter(pk__in=_ids(ids), closed_at__isnull=True).update(
        closed_at=now, close_reason=reason
    )


def in_utc(moment: datetime) -> datetime:
    """The same instant in UTC. Open escalations are read in UTC (`plain_rows`), and two aware
    datetimes compare fast only when they share one tzinfo object; against UK time Python works
    out both offsets each time, which made a steady run's comparisons 50 times slower (decision 119)."""
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


# What the evaluator compares of an open escalation with its item, in this order.
_FRESH_FIELDS = ("subject_label", "owner_id", "partner_id", "started_at", "due_at", "at_risk_at")


def _evaluate_policy(run: _Run, policy: SlaPolicy) -> None:
    now, result = run.now, run.result
    open_rows = Escalation.objects.filter(policy=policy, closed_at__isnull=True).order_by()
    source = SOURCES.get(policy.source)
    if source is None or not policy.active:
        if source is None:
            logger.warning("SLA policy %s has no source %r; closing its escalations.", policy.key, policy.source)
        result.closed += open_rows.update(closed_at=now, close_reason=CloseReason.POLICY_OFF)
        return

    at_risk = timedelta(hours=policy.at_risk_hours)
    # (subject type, subject id) -> the values its escalation should have, in _FRESH_FIELDS order.
    wanted: dict[tuple[str, int], tuple] = {}
    for item in source.open_items(policy, now):
        due = in_utc(source.due_at(policy, item))
        wanted[(item.subject_type, item.subject_id)] = (
            item.label[:200],
            item.owner_id,
            item.partner_id,
            in_utc(item.started_at),
            due,
            due - at_risk,
        )

    resolved: list[int] = []
    restarted: list[int] = []
    changed: list[tuple[int, tuple]] = []
    reopen: list[tuple[tuple[str, int], tuple]] = []
    for row in plain_rows(open_rows.values_list("id", "subject_type", "subject_id", *_FRESH_FIELDS)):
        key = (row[1], row[2])
        fresh = wanted.pop(key, None)
        if fresh is None:
            resolved.append(row[0])
        elif fresh[3] != row[6]:
            restarted.append(row[0])  # P5-style restarts: a new episode with a fresh clock
            reopen.append((key, fresh))
        elif fresh != row[3:]:  # datetimes compare as instants, whatever their time zone
            changed.append((row[0], fresh))
    result.closed += _close(resolved, CloseReason.RESOLVED, now) + _close(restarted, CloseReason.RESTARTED, now)
    if changed:
        Escalation.objects.bulk_update(
            [
                Escalation(pk=pk, subject_label=label, owner_id=owner, partner_id=partner, due_at=due, at_risk_at=risk)
                for pk, (label, owner, partner, _started, due, risk) in changed
            ],
            ["subject_label", "owner", "partner", "due_at", "at_risk_at"],
            batch_size=500,
        )
        result.updated += len(changed)
    new = [
        Escalation(
            policy=policy,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_label=label,
            owner_id=owner,
            partner_id=partner,
            started_at=started,
            due_at=due,
            at_risk_at=risk,
        )
        for (subject_type, subject_id), (label, owner, partner, started, due, risk) in [*wanted.items(), *reopen]
    ]
    if new:
        # Another evaluator may have inserted the same rows a moment ago: the unique constraints
        # decide, and the loser's rows are skipped rather than raising.
        Escalation.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        result.opened += len(new)
    _climb(run, policy)


def _climb(run: _Run, policy: SlaPolicy) -> None:
    """E2: record each level a breach has newly reached and notify that level's contact once."""
    now, result, contacts = run.now, run.result, run.contacts
    # Only breaches with a level still to record are read: not yet escalated, or (not acknowledged)
    # past the deadline by enough climbs for the next level (the SQL form of `level_due`).
    every = timedelta(hours=policy.climb_every_hours)
    due_for_a_level = Q(level__isnull=True)
    for level in range(MAX_LEVEL):
        climbs = max(0, level + 1 - policy.breach_start_level)
        due_for_a_level |= Q(level=level, acknowledged_at__isnull=True, due_at__lte=now - climbs * every)
    breached = plain_rows(
        Escalation.objects.filter(policy=policy, closed_at__isnull=True, due_at__lt=now)
        .filter(due_for_a_level)
        .order_by()
        .values_list("id", "due_at", "level", "acknowledged_at", "subject_label", "partner_id")
    )
    new_events: list[tuple[int, int, str, str]] = []
    raise_to: defaultdict[int, list[int]] = defaultdict(list)
    labels: dict[int, tuple[str, int | None]] = {}
    for pk, due, level, acknowledged_at, label, partner_id in breached:
        if acknowledged_at is not None:
            target = level if level is not None else policy.breach_start_level  # acknowledged: held
        else:
            target = level_due(policy, due, now)
        first = policy.breach_start_level if level is None else level + 1
        if target < first:
            continue
        labels[pk] = (label, partner_id)
        raise_to[target].append(pk)
        for reached in range(first, target + 1):
            contact = contacts.get(reached)
            new_events.append((pk, reached, contact.name if contact else "", contact.email if contact else ""))
    for target, ids in raise_to.items():
        # Compare-and-set: a level only rises, whoever gets there first.
        result.raised += (
            Escalation.objects.filter(pk__in=_ids(ids))
            .filter(Q(level__isnull=True) | Q(level__lt=target))
            .update(level=target, breached_at=Coalesce(F("breached_at"), Value(now)))
        )
    created = _insert_events(new_events, now)
    if not created:
        return
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action="escalation.level_reached",
            target_type="escalations.escalation",
            target_id=str(escalation_id),
            target_label=f"{policy.name}: {labels[escalation_id][0]}"[:200],
            partner_id=labels[escalation_id][1],
            changes={"level": level, "contact": email},
        )
        for _event_id, escalation_id, level, email in created
    )
    result.events.extend(event_id for event_id, *_ in created)
    if not run.notify:
        return
    from .emails import level_email_queue

    for event_id, *_ in created:
        level_email_queue(event_id=event_id)


def _insert_events(rows: list[tuple[int, int, str, str]], now: datetime) -> list[tuple[int, int, int, str]]:
    """Insert (escalation, level) events unless they exist; return (id, escalation, level, email)
    of the rows this call inserted. Two evaluators inserting the same event: the second waits for
    the first to commit, finds the row and gets nothing back, so it queues no email."""
    if not rows:
        return []
    table = EscalationEvent._meta.db_table
    at = connection.ops.adapt_datetimefield_value(now)
    created: list[tuple[int, int, int, str]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            batch = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
            params = [value for pk, level, name, email in batch for value in (pk, level, at, name, email)]
            cursor.execute(
                f"INSERT INTO {table} (escalation_id, level, at, contact_name, contact_email) "  # noqa: S608
                f"VALUES {values} ON CONFLICT (escalation_id, level) DO NOTHING "
                "RETURNING id, escalation_id, level, contact_email",
                params,
            )
            created.extend(cursor.fetchall())
    return created


# --- Acknowledging (E2) --------------------------------------------------------------------------


def escalation_acknowledge(*, by: User, escalation: Escalation, note: str) -> Escalation:
    """E2: a staff member takes a breach in hand (who, when, note); it stays at its level and
    climbs no further until the item is resolved."""
    require_perm(by, "escalations.acknowledge_escalation", action="acknowledge escalations")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say what is being done about it."]})
    now = timezone.now()
    with transaction.atomic():
        current = Escalation.objects.select_related("policy").get(pk=escalation.pk)
        if current.closed_at is not None:
            raise TransitionConflict("This escalation is closed: its item was resolved.")
        if current.acknowledged_at is not None:
            who = current.acknowledged_by.display_name if current.acknowledged_by else "someone"
            when = timezone.localtime(current.acknowledged_at)
            raise TransitionConflict(f"{who} acknowledged this escalation at {when:%d %b %Y %H:%M}.")
        state = current.state_at(now)
        if state != SlaState.BREACHED:
            label = SlaState(state).label.lower()
            raise ValidationError({"note": [f"Only a breach can be acknowledged; this item is {label}."]})
        # Compare-and-set, so that two people pressing at once record one acknowledgement.
        won = Escalation.objects.filter(pk=current.pk, acknowledged_at__isnull=True, closed_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by, acknowledge_note=note
        )
        if not won:
            raise TransitionConflict("Someone else acknowledged this escalation at the same moment.")
        current.refresh_from_db()
        audit_record(
            actor=by,
            action="escalation.acknowledged",
            target=current,
            changes={"level": current.level, "note": note},
        )
        escalation_data_changed()
    return current
