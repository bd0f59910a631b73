"""One way to run a state-machine transition, for onboarding orders, port requests and builds.

A service fetches and locks its object inside its transaction, then calls `transition_run`, which
checks, in the order a person understands the refusal:

1. the role: someone whose role never runs it is told so, whatever the state (PermissionDenied);
2. the tenant: a partner user acts only on their own partner's objects (PermissionDenied);
3. the state: the transition must start from the object's current state (TransitionRefused);
4. the person: for roles that act only on what they own (an order's own co-ordinator), that the
   object names them (PermissionDenied);

then runs the transition method and saves. Another save that won the race since the object was
read is a TransitionConflict. Only django-fsm-2's public API is used (`can_proceed`,
`has_transition_perm`, `get_all_<field>_transitions`).

The API maps TransitionConflict to 409 `{"code": "conflict"}` and TransitionRefused to 400
`{"code": "transition_not_allowed"}` (expoe_portal.api.exception_handler); pages show either as a
message.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm
from django_fsm import transition as fsm_transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description
from django_fsm_log.models import StateLog


def logged_transition(field: Any, source: Any, target: Any, *, who: Any = None, label: str = "", rule: str = "") -> Any:
    """django-fsm-2's `@transition` from `source` to `target` on `field`, run only by `who` (its
    `permission`), with its history kept by django-fsm-log (who ran it, and why: the method's `by`
    and `description` keywords), and the label (and rule id) pages and the API show for it.
    Transition methods only change fields in memory; services save."""
    custom = {key: value for key, value in (("label", label), ("rule", rule)) if value}

    def decorate(method: Any) -> Any:
        fsm = fsm_transition(field=field, source=source, target=target, permission=who, custom=custom)
        return fsm_log_by(fsm_log_description(fsm(method)))

    return decorate


class TransitionConflict(Exception):
    """Someone else changed the object first, or its state no longer allows this (API: 409)."""

    def __init__(self, message: str = "", *, noun: str = ""):
        if not message:
            message = f"This {noun or 'object'} was changed by someone else. Reload it to see its current state."
        super().__init__(message)


class TransitionRefused(Exception):
    """The transition cannot run from the object's current state (API: 400)."""


# A refusal by state within this many seconds of the object's last change is a lost race (a double
# click, two people at once), not a stale request: the API answers it as a conflict (409).
RACE_WINDOW = timedelta(seconds=2)


def changed_since(instance: Model, when: datetime) -> bool:
    """Whether the object's state changed at `when` or after, less the race window: the change that
    refused a request that began at `when` came from someone who got there at the same moment."""
    return StateLog.objects.for_(instance).filter(timestamp__gte=when - RACE_WINDOW).exists()


def transitions_of(instance: Model, *, field: str = "status") -> list[Any]:
    """Every transition of the object's state machine (django-fsm's Transition objects)."""
    return list(getattr(instance, f"get_all_{field}_transitions")())


def transitions_available(instance: Model, user: Any, names: Iterable[str], *, field: str = "status") -> list[Any]:
    """The transitions `user` may run on the object now (state, conditions and permission), in
    the order of `names` (the workflow's, not the class's)."""
    available = {t.name: t for t in getattr(instance, f"get_available_user_{field}_transitions")(user)}
    return [available[name] for name in names if name in available]


def transition_check(*, instance: Model, name: str, by: Any, noun: str, field: str = "status") -> str:
    """Refuse transition `name` on `instance` for `by` unless it may run now; returns its label.
    Services call it before validating the transition's input, so that a refusal by role or state
    comes first, as a person expects."""
    transition = next((t for t in transitions_of(instance, field=field) if t.name == name), None)
    if transition is None:
        raise ValueError(f"{type(instance).__name__} has no transition {name!r}.")
    label = transition.custom.get("label", name)
    role_may = getattr(transition.permission, "role_may", None)
    if role_may is not None and not role_may(by):
        raise PermissionDenied(f"Your role cannot “{label}”.")
    partner_id = getattr(instance, "partner_id", None)
    if getattr(by, "is_partner_user", False) and partner_id is not None and by.partner_id != partner_id:
        raise PermissionDenied(f"You can act only on your own partner's {noun}s.")
    method = getattr(instance, name)
    if not can_proceed(method):
        state = getattr(instance, f"get_{field}_display")()
        raise TransitionRefused(f"“{label}” is not possible while the {noun} is “{state}”.")
    if not has_transition_perm(method, by):
        role = by.get_role_display().lower() if hasattr(by, "get_role_display") else "user"
        raise PermissionDenied(f"Only the {noun}'s own {role} can “{label}”.")
    return label


def transition_run(
    *,
    instance: Model,
    name: str,
    by: Any,
    noun: str,
    description: str | None = None,
    partner_note: str = "",
    note_for_partner: bool = False,
    field: str = "status",
    **kwargs: Any,
) -> None:
    """Run transition `name` on `instance` as `by` and save it, or refuse it leaving the object
    unchanged (see transition_check).

    `description` is the history entry's note as staff read it; `partner_note` what partner users
    read of it (nothing when empty: a note is internal unless its author marks it for the partner,
    `note_for_partner`)."""
    transition_check(instance=instance, name=name, by=by, noun=noun, field=field)
    getattr(instance, name)(by=by, description=description, **kwargs)
    try:
        instance.save()
    except ConcurrentTransition as exc:
        raise TransitionConflict(noun=noun) from exc
    if partner_note:
        from .models import SharedNote

        entry = StateLog.objects.for_(instance).filter(transition=name).order_by("-timestamp", "-id").first()
        if entry is not None:
            SharedNote.objects.create(state_log=entry, text=partner_note, note_for_partner=note_for_partner)


def note_shared_with_partner(data: dict[str, Any], *, by: Any) -> str:
    """What the partner reads of a transition's note: all of it when its author showed it to them
    (`note_for_partner`) or wrote it as the partner's own user; otherwise nothing (an internal note)."""
    note = (data.get("note") or "").strip()
    return note if note and (bool(data.get("note_for_partner")) or by.is_partner_user) else ""


def history_notes(entries: Iterable[Any], *, user: Any) -> list[Any]:
    """History entries (StateLog rows, with `shared_note` selected) each given `note`, the note
    this user may read, and `note_for_partner`: staff read every note; partner users only what
    was shared with them (never an internal note), or nothing."""
    shown = []
    for entry in entries:
        shared = _shared_note(entry)
        entry.note_for_partner = bool(shared and shared.note_for_partner)
        # For staff pages: how much of the note the partner reads ("all", "part" or "none").
        partner_text = shared.text if shared else ""
        entry.partner_reads = "all" if partner_text == (entry.description or "") else "part" if partner_text else "none"
        if getattr(user, "is_partner_user", False):
            entry.note = shared.text if shared else None
        else:
            entry.note = entry.description or None
        shown.append(entry)
    return shown


def _shared_note(entry: Any) -> Any:
    try:
        return entry.shared_note  # a reverse one-to-one raises when there is none
    except ObjectDoesNotExist:
        return None
