"""The audit log in sentences (issue #16): "Alan North accepted port 4: port date 31 Dec 2026",
with each change as field: old → new. Every action key a service records has its wording here
(tests/accounts/test_audit_sentences.py finds the keys in the code); an unknown key still reads
as a sentence. The rows keep their raw action and changes (the CSV export has both)."""

import re
from datetime import date, datetime
from typing import Any

from django.utils import timezone

# action -> what the actor did; {target} is the item's name, {id} its id.
VERBS: dict[str, str] = {
    "user.created": "created the user {target}",
    "token.created": "created the {target}",
    "token.revoked": "revoked the {target}",
    "tokens.revoked_all": "ended every API token of {target}",
    "second_factor.added": "added a second factor to the account {target}",
    "second_factor.removed": "removed a second factor from the account {target}",
    "second_factor.reset": "reset the two-factor authentication of {target}",
    "second_factor.recovery_codes_regenerated": "made new recovery codes for the account {target}",
    "second_factor.recovery_code_used": "used a recovery code of the account {target}",
    "second_factor.failed": "gave a wrong second factor for the account {target}",
    "partner.created": "created partner {target}",
    "partner.updated": "changed partner {target}",
    "numbers.added": "added numbers to the pool of {target}",
    "onboarding_order.created": "logged the signed onboarding order: {target}",
    "onboarding_account.recorded": "recorded a partner account as created: {target}",
    "partner_accounts.queued": "started creating the partner accounts: {target}",
    "customer_group.requested": "requested the build of customer {target}",
    "webhook_endpoint.created": "added the {target}",
    "webhook_endpoint.updated": "changed the {target}",
    "webhook_endpoint.deleted": "removed the {target}",
    "webhook_delivery.redelivered": "asked for another attempt: {target}",
    "customer_group.changed": "changed the build request of customer {target}",
    "customer_group.confirmed": "confirmed the build of customer {target}",
    "build.queued": "started {target}",
    "build.requeued": "retried {target}",
    "build.cancelled": "cancelled {target}",
    "build.callcabinet_confirmed": "confirmed the Call Cabinet customer made by hand: {target}",
    "build.akixi_partition_confirmed": "confirmed the Akixi partition made by hand: {target}",
    "build.akixi_users_confirmed": "confirmed the Akixi reporting users made by hand: {target}",
    "bulk_upload.checked": "checked {target}",
    "bulk_upload.confirmed": "confirmed {target}",
    "bulk_upload.refused": "found errors in {target}",
    "bulk_upload.retried": "retried the failed builds of {target}",
    "change.queued": "asked for a change: {target}",
    "change.retried": "retried the change {target}",
    "change.cancelled": "cancelled the change {target}",
    "change.confirmed_by_hand": "confirmed a step done by hand: {target}",
    "group_admin.password_revealed": "revealed the generated password of the administrator {target}, once",
    "drift.repair_queued": "queued a repair: {target}",
    "escalation.acknowledged": "acknowledged the escalation {target}",
    "escalation.level_reached": "escalated {target}",
    "escalation_contact.updated": "changed the escalation matrix contact {target}",
    "sla_policy.updated": "changed the SLA policy “{target}”",
    "lead_time_rule.updated": "changed the lead-time rule {target}",
    "porting_country.updated": "changed what a port request must say for {target}",
    "port_request.created": "created port {id}",
    "port_request.updated": "changed port {id}",
    "port_request.submit": "submitted port {id}",
    "port_request.resubmit": "resubmitted port {id}",
    "port_request.accept": "accepted port {id}",
    "port_request.reject": "recorded the rejection of port {id}",
    "port_request.cancel_by_losing_provider": "recorded the losing provider's cancellation of port {id}",
    "port_request.complete": "completed port {id}",
    "port_request.cancel": "cancelled port {id}",
    "port_request.port_date_changed": "changed the port date of port {id}",
    "port_request.platform_retry": "retried the platform step of port {id}",
    "port_document.added": "added a document to port {id}",
    "port_document.removed": "removed a document from port {id}",
    "port_loa.signed_online": "collected the end customer's online signature of the letter of authority for port {id}",
    "port_comment.added": "commented on port {id}",
    "provider.created": "added the provider {target}",
    "provider.updated": "changed the provider {target}",
    # Security events (#17): the portal itself refuses, locks out, and receives reset requests.
    "login.succeeded": "logged in",
    "login.failed": "refused a log-in as “{target}”",
    "login.locked_out": "locked out log-ins as “{target}” from one address after repeated failures",
    "login.logged_out": "logged out",
    "login.idle_signed_out": "was signed out for inactivity",
    "password.changed": "changed their password",
    "password.reset_requested": "received a password-reset request for {target}",
    "password.reset_completed": "set a new password with an emailed reset link",
}

# Field names as a reader says them, where the plain name is not enough.
FIELDS: dict[str, str] = {
    "rule": "lead time",
    "code": "reason",
    "internal": "internal",
    "kind": "document",
    "name": "name",
    "size": "size in bytes",
    "e164": "number",
    "callcabinet_reference": "Call Cabinet reference",
    "akixi_partition_reference": "Akixi partition reference",
    "rows_with_errors": "rows with errors",
    "at_risk_hours": "at risk (hours before)",
    "climb_every_hours": "climbs every (hours)",
    "target": "allowed",
    "losing_provider_other": "losing provider (other)",
    "range_holder_other": "range holder (other)",
    "emails_sent": "reset emails sent",
    "not_sent": "not sent:",
    "idle_minutes": "minutes idle",
    "codes_left": "recovery codes left",
    "codes": "recovery codes made",
    "authenticator_apps": "authenticator apps removed",
    "passkeys": "passkeys removed",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def audit_sentence(*, actor: str, action: str, target_label: str, target_id: str, changes: Any) -> str:
    """One row of the audit log as a sentence: who did what to which item, then what changed."""
    verb = VERBS.get(action)
    if verb is None:
        words = action.replace("_", " ").replace(".", ": ")
        verb = f"did “{words}” on {{target}}"
    sentence = f"{actor or 'The portal'} {verb.format(target=target_label, id=target_id)}"
    described = changes_text(changes)
    return f"{sentence}: {described}" if described else sentence


def changes_text(changes: Any) -> str:
    """The changes as "field: old → new" (a pair) or "field value", joined by "; "."""
    if not changes:
        return ""
    if not isinstance(changes, dict):
        return value_text(changes)
    parts = []
    for field, value in changes.items():
        name = FIELDS.get(field, field.replace("_", " "))
        if isinstance(value, list) and len(value) == 2 and not _is_plain_list(field):
            parts.append(f"{name}: {value_text(value[0])} → {value_text(value[1])}")
        else:
            parts.append(f"{name} {value_text(value)}")
    return "; ".join(parts)


def _is_plain_list(field: str) -> bool:
    # Lists of things (numbers, users, rows), never an [old, new] pair.
    return field in {"numbers", "users", "rows", "groups", "platforms", "steps", "contacts", "admins", "usernames"}


def value_text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        shown = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{shown:%-d %b %Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, str) and _ISO_DATE.match(value):
        return f"{date.fromisoformat(value):%-d %b %Y}"
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return value_text(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list | tuple):
        shown = ", ".join(value_text(item) for item in value[:10])
        return shown + (f" and {len(value) - 10} more" if len(value) > 10 else "")
    if isinstance(value, dict):
        return "(" + changes_text(value) + ")"
    return str(value)
