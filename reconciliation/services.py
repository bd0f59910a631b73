"""Use cases of reconciliation (#15): a run over the built customers (read-only on every platform),
drift recorded and resolved, and a repair queued as a change of the customer on the build engine."""

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from customers import changes as customer_changes
from customers import services as customer_services
from customers.models import AkixiUser, CustomerGroup, GroupAdmin, ServiceBuild
from integrations.base import calling_for
from integrations.platforms import get_platforms
from number_pool.models import Number
from partners.models import Partner

from .checks import Observation, Record, observe
from .choices import ASPECT_PLATFORM, RULE_BROKEN, RunTrigger
from .models import Drift, ReconciliationRun
from .repairs import Plan, plan_for
from .selectors import built_groups, drift_in_scope

CHUNK = 500  # customers read from our database, and their drift written, at a time
ERRORS_KEPT = 300


def reconcile(
    *,
    partner: Partner | None = None,
    group: CustomerGroup | None = None,
    trigger: str = RunTrigger.NIGHTLY,
    by: User | None = None,
    platforms: Any = None,
    chunk: int = CHUNK,
) -> ReconciliationRun:
    """Compare every built customer (of `partner`, or just `group`) with each platform it uses, and
    record the differences as drift: new drift opened, open drift seen again updated, drift found
    equal resolved. Read-only on the platforms (checks.ReadOnly). A customer whose reads fail is
    recorded in the run's errors; the run goes on. A platform in manual mode is not checked."""
    run = ReconciliationRun.objects.create(
        trigger=trigger, partner=partner, group=group, requested_by=by, started_at=timezone.now()
    )
    platforms = platforms or get_platforms()
    skip: dict[str, str] = {}  # platforms found in manual mode: not asked again in this run
    not_checked: dict[str, int] = defaultdict(int)
    ids = list(built_groups(partner=partner, group=group).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        records = _records(ids[start : start + chunk])
        seen: dict[int, Observation] = {}
        for pk, (partner_pk, record) in records.items():
            with calling_for(f"reconcile:{run.pk}", partner=Partner(pk=partner_pk)):
                seen[pk] = observation = observe(record, platforms, skip=skip)
            for platform, reason in observation.not_checked.items():
                not_checked[platform] += 1
                if reason.startswith("manual mode"):
                    skip.setdefault(platform, reason)
                else:
                    run.error_count += 1
                    if len(run.errors) < ERRORS_KEPT:
                        run.errors.append({"group": record.group_id, "platform": platform, "error": reason[:500]})
        _record(run, records, seen)
        run.groups_checked += len(records)
    # Customers decommissioned (or no longer built) since: nothing of theirs is drift any more.
    gone = drift_in_scope(partner=partner, group=group).filter(resolved_at__isnull=True)
    run.drift_resolved += gone.exclude(group__in=built_groups(partner=partner, group=group)).update(
        resolved_at=timezone.now()
    )
    run.not_checked = dict(not_checked)
    run.finished_at = timezone.now()
    run.save()
    return run


def _records(ids: list[int]) -> dict[int, tuple[int, Record]]:
    """Our side of these customers, in five queries whatever their number."""
    numbers, admins, users = defaultdict(list), defaultdict(list), defaultdict(list)
    for gid, e164 in Number.objects.filter(customer_group_id__in=ids).values_list("customer_group_id", "e164"):
        numbers[gid].append(e164)
    for gid, user_id in GroupAdmin.objects.filter(group_id__in=ids).values_list("group_id", "user_id"):
        admins[gid].append(user_id)
    for gid, username in AkixiUser.objects.filter(group_id__in=ids).values_list("group_id", "username"):
        users[gid].append(username)
    rows = CustomerGroup.objects.filter(pk__in=ids).values_list(
        "pk",
        "partner_id",
        "partner__partner_id",
        "group_id",
        "name",
        "domain",
        "business_profile_number",
        "present_group_number_as_clid",
        "voice_portal_number",
        "voice_portal_extension",
        "akixi_licence",
        "callcabinet_admin_name",
        "callcabinet_admin_email",
    )
    records = {}
    for pk, partner_pk, sp, gid, name, domain, bpn, present, vpn, vpe, licence, cc_name, cc_email in rows:
        records[pk] = (
            partner_pk,
            Record(
                group_id=gid,
                name=name,
                partner_id=sp,
                domain=domain,
                numbers=numbers[pk],
                business_profile_number=bpn,
                present_as_caller_id=present,
                voice_portal_number=vpn,
                voice_portal_extension=vpe,
                admins=admins[pk],
                akixi_licence=licence,
                akixi_users=users[pk],
                callcabinet_admin_name=cc_name,
                callcabinet_admin_email=cc_email,
            ),
        )
    return dict(sorted(records.items()))


def _record(run: ReconciliationRun, records: dict[int, tuple[int, Record]], seen: dict[int, Observation]) -> None:
    """Write what these customers' observations mean for their drift: a fixed number of queries."""
    now = run.started_at
    open_rows: dict[tuple[int, str], Drift] = {}
    open_platforms: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for d in Drift.objects.filter(group_id__in=list(records), resolved_at__isnull=True).only(
        "id", "group_id", "aspect", "ours", "theirs"
    ):
        open_rows[(d.group_id, d.aspect)] = d
        open_platforms[d.group_id].append((ASPECT_PLATFORM[d.aspect], d.pk))
    new, still, changed, resolved = [], [], [], []
    for pk, observation in seen.items():
        record = records[pk][1]
        for aspect, (ours, theirs) in observation.compared.items():
            row = open_rows.get((pk, aspect))
            if ours == theirs:
                if row is not None:
                    resolved.append(row.pk)
            elif row is None:
                new.append(
                    Drift(
                        group_id=pk,
                        platform=ASPECT_PLATFORM[aspect],
                        aspect=aspect,
                        ours=ours,
                        theirs=theirs,
                        rule=RULE_BROKEN.get(aspect, ""),
                        first_seen_at=now,
                        last_seen_at=now,
                        last_run=run,
                    )
                )
            else:
                still.append(row.pk)
                if (row.ours, row.theirs) != (ours, theirs):
                    row.ours, row.theirs = ours, theirs
                    changed.append(row)
        # A platform the customer no longer uses has nothing to drift from.
        unused = {p for p, used in record.uses.items() if not used}
        resolved += [drift for platform, drift in open_platforms[pk] if platform in unused]
    with transaction.atomic():
        # (Another run at the same moment may have opened the same drift: the constraint keeps one.)
        Drift.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        # Drift seen again: one statement; what either side says rewritten only where it changed.
        Drift.objects.filter(pk__in=still).update(last_seen_at=now, last_run=run)
        Drift.objects.bulk_update(changed, ["ours", "theirs"], batch_size=1000)
        if resolved:
            Drift.objects.filter(pk__in=resolved, resolved_at__isnull=True).update(resolved_at=timezone.now())
    run.drift_new += len(new)
    run.drift_still += len(still)
    run.drift_resolved += len(resolved)


# --- Repair ------------------------------------------------------------------------------------


def may_repair(user: User, group: CustomerGroup) -> bool:
    """Who changes a customer may repair it (the change itself checks again)."""
    return customer_services.can_assign_numbers(user, group)


def repair_plan(*, group: CustomerGroup) -> Plan:
    """What a repair of the customer would run now, and what only a person can do."""
    return plan_for(Drift.objects.filter(group=group, resolved_at__isnull=True).select_related("group"))


def drift_repair(*, by: User, group: CustomerGroup) -> ServiceBuild:
    """Queue one change of the customer that re-runs the idempotent steps restoring its platforms
    to our record, for every open drift a step can fix (the rest is for a person: ValidationError
    when nothing is left for steps). The drift resolves when a later run finds both sides equal."""
    if not may_repair(by, group):
        raise PermissionDenied("You cannot change this customer group.")
    with transaction.atomic():
        plan = repair_plan(group=group)
        if not plan.steps:
            left = [text for _drift, text in plan.by_hand] or ["There is no open drift to repair."]
            raise ValidationError(left)
        change = customer_changes.change_repair(
            by=by,
            group=group,
            steps=plan.steps,
            summary=plan.summary,
            details=plan.details,
            new_admin_passwords=plan.new_admin_passwords,
        )
        Drift.objects.filter(pk__in=[d.pk for d in plan.repairs]).update(repair=change)
        audit_record(actor=by, action="drift.repair_queued", target=change, changes={"steps": plan.steps})
    return change
