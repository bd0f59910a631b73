"""Use cases for the number pool (N1, N2). Each runs in one transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record, require_perm
from expoe_portal.db import value_rows_sql
from partners.models import Partner

from .choices import NumberStatus
from .models import Number


def _clashing_numbers(numbers: list[str]) -> list[Number]:
    return list(Number.objects.filter(e164__in_values=numbers).select_related("partner").order_by("e164"))


def _clash_message(clashes: list[Number], *, limit: int = 20) -> str:
    shown = ", ".join(f"{n.e164} ({n.partner.partner_id})" for n in clashes[:limit])
    more = f" and {len(clashes) - limit} more" if len(clashes) > limit else ""
    return f"Already in a partner's pool: {shown}{more}."


@transaction.atomic
def numbers_add(*, by: User, partner: Partner, numbers: list[str]) -> int:
    """N1: add numbers (already canonical E.164) to a partner's pool, all or none.

    A number belongs to one pool only: duplicates and overlaps are refused naming the clashing
    numbers, and the database's unique constraint settles any race. Runs a fixed number of
    queries however many numbers are added."""
    require_perm(by, "number_pool.add_number", action="add numbers to a partner's pool")
    if not numbers:
        raise ValidationError({"numbers": ["Enter at least one number."]})
    if clashes := _clashing_numbers(numbers):
        raise ValidationError({"numbers": [_clash_message(clashes)]})
    rows_sql, params = value_rows_sql(numbers)
    table = Number._meta.db_table
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (e164, partner_id, status, added_at, added_by_id) "  # noqa: S608
                f"SELECT v.value, %s, %s, %s, %s FROM ({rows_sql}) AS v",
                [partner.pk, NumberStatus.AVAILABLE, timezone.now(), by.pk, *params],
            )
            added = cursor.rowcount
    except IntegrityError as exc:  # another request added some of them since the check above
        raise ValidationError({"numbers": [_clash_message(_clashing_numbers(numbers))]}) from exc
    audit_record(
        actor=by,
        action="numbers.added",
        target=partner,
        changes={"count": added, "first": numbers[0], "last": numbers[-1]},
    )
    return added
