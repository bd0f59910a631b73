"""Every URL the portal serves, checked for every kind of user.

The URL list comes from Django's resolver, so a new URL without a declared expectation fails
`test_every_url_has_an_expectation`. Object URLs point at partner B's objects: partner A's user
must get 404 for them (never 403 or 200), and 200 (or their role's answer) for their own.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.choices import Role

from .access_objects import (
    a_partner_user_pk,
    a_provider_pk,
    delivery_b,
    drift_a_pk,
    drift_b_pk,
    endpoint_a_pk,
    endpoint_b_pk,
    escalation_a_pk,
    escalation_b_pk,
    event_a_pk,
    event_b_pk,
    events_world,
    first_contact_pk,
    first_country_pk,
    first_policy_pk,
    first_rule_pk,
    group_a_change,
    group_a_pk,
    group_b_change,
    group_b_no_such_change,
    group_b_pk,
    number_a_pk,
    number_b_pk,
    order_a_account,
    order_a_pk,
    order_a_transition,
    order_b_account,
    order_b_pk,
    order_b_transition,
    partner_a_pk,
    partner_b_pk,
    port_a_document,
    port_a_pk,
    port_a_transition,
    port_b_document,
    port_b_pk,
    port_b_transition,
    run_pk,
    upload_a_pk,
    upload_b_pk,
)

LOGIN = "login"  # anonymous page requests redirect to the login page
ANON, ADMIN, COORD, TRAINER, MANAGER, PARTNER = (
    "anonymous",
    Role.PROVISIONING_ADMIN,
    Role.COORDINATOR,
    Role.TRAINER,
    Role.MANAGER,
    Role.PARTNER_USER,
)
WHO = [ANON, ADMIN, COORD, TRAINER, MANAGER, PARTNER]


@dataclass
class Expect:
    """GET status for each kind of user; `kwargs` builds the URL's arguments from the world."""

    statuses: dict
    kwargs: object = None
    # For URLs of partner-owned objects: the partner user's status for their own partner's object.
    own_partner: int | None = None
    own_kwargs: object = None
    notes: str = field(default="")


def everyone(status, **overrides):
    return {**dict.fromkeys(WHO, status), **overrides}


def signed_in(status, anonymous=LOGIN, **overrides):
    return {**dict.fromkeys(WHO, status), ANON: anonymous, **overrides}


EXPECTATIONS = {
    "home": Expect(signed_in(200), notes="each role's own work list; a partner user's is their own partner's"),
    "healthz": Expect(everyone(200)),
    # Decided by the caller's address or token, not by who is signed in: the test client calls from
    # loopback, which METRICS_ALLOWED_NETWORKS allows by default (tests/portal/test_metrics.py: the rest).
    "metrics": Expect(everyone(200)),
    "system_health": Expect(signed_in(200, **{PARTNER: 403})),
    # Staff; each visit reads the platforms (here none answers: the checks fail, the page still shows).
    "platforms": Expect(signed_in(200, **{PARTNER: 403})),
    "accounts:login": Expect(everyone(302, **{ANON: 200})),
    "accounts:logout": Expect(everyone(405)),  # logging out is a POST
    "accounts:password_change": Expect(signed_in(200)),
    "accounts:api_tokens": Expect(signed_in(200)),  # one's own tokens; an administrator's shows everyone's
    "accounts:api_token_revoke": Expect(signed_in(405), kwargs=lambda world: {"pk": 1}),  # POST only
    # Password reset by email (#17): open to anyone, signed in or not; a wrong link says it no longer works.
    "accounts:password_reset": Expect(everyone(200)),
    "accounts:password_reset_done": Expect(everyone(200)),
    "accounts:password_reset_confirm": Expect(everyone(200), kwargs=lambda world: {"uidb64": "MQ", "token": "x-y"}),
    "accounts:password_reset_complete": Expect(everyone(200)),
    "partners:partner_list": Expect(signed_in(200)),
    "partners:partner_create": Expect(signed_in(403, **{ADMIN: 200, COORD: 200})),
    "onboarding:partner_detail": Expect(
        signed_in(200, **{PARTNER: 404}), kwargs=partner_b_pk, own_partner=200, own_kwargs=partner_a_pk
    ),
    "partners:partner_edit": Expect(
        signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 404}),
        kwargs=partner_b_pk,
        own_partner=403,
        own_kwargs=partner_a_pk,
    ),
    "onboarding:my_partner": Expect(signed_in(302, **{PARTNER: 200})),
    "onboarding:order_list": Expect(signed_in(200)),
    "onboarding:order_create": Expect(signed_in(403, **{ADMIN: 200})),
    # Trainers see only the orders they are allocated to; order B has no trainer yet.
    "onboarding:order_detail": Expect(
        signed_in(200, **{TRAINER: 404, PARTNER: 404}),
        kwargs=order_b_pk,
        own_partner=200,
        own_kwargs=order_a_pk,
    ),
    "onboarding:order_transition": Expect(  # GET points back to the order page; running is a POST
        signed_in(302, **{TRAINER: 404, PARTNER: 404}),
        kwargs=order_b_transition,
        own_partner=302,
        own_kwargs=order_a_transition,
    ),
    "onboarding:order_accounts_provision": Expect(  # POST only; scoped first
        signed_in(405, **{TRAINER: 404, PARTNER: 404}), kwargs=order_b_pk, own_partner=405, own_kwargs=order_a_pk
    ),
    "onboarding:order_account_record": Expect(
        signed_in(405, **{TRAINER: 404, PARTNER: 404}),
        kwargs=order_b_account,
        own_partner=405,
        own_kwargs=order_a_account,
    ),
    "number_pool:number_list": Expect(signed_in(200)),  # scoped: a partner user sees their own pool
    "number_pool:numbers_add": Expect(signed_in(403, **{ADMIN: 200, COORD: 200})),
    "customers:group_list": Expect(signed_in(200)),
    "customers:group_create": Expect(signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 200})),
    "customers:group_detail": Expect(
        signed_in(200, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=200, own_kwargs=group_a_pk
    ),
    "customers:group_edit": Expect(
        signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 404}),
        kwargs=group_b_pk,
        own_partner=200,
        own_kwargs=group_a_pk,
    ),
    "customers:group_preview": Expect(
        signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 404}),
        kwargs=group_b_pk,
        own_partner=200,
        own_kwargs=group_a_pk,
    ),
    "customers:group_submit": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=405, own_kwargs=group_a_pk
    ),
    "customers:group_build_status": Expect(  # the build section htmx polls
        signed_in(200, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=200, own_kwargs=group_a_pk
    ),
    "customers:group_changes_status": Expect(  # the changes section htmx polls
        signed_in(200, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=200, own_kwargs=group_a_pk
    ),
    "customers:group_change": Expect(  # those who build change a customer (#15); scoped first
        signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 404}),
        kwargs=group_b_change,
        own_partner=200,
        own_kwargs=group_a_change,
    ),
    # Scoped, then the change looked up in the group (a change of another group is a 404); POST only.
    "customers:group_change_act": Expect(signed_in(404), kwargs=group_b_no_such_change),
    "customers:group_build_cancel": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=405, own_kwargs=group_a_pk
    ),
    "customers:group_callcabinet_confirm": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=405, own_kwargs=group_a_pk
    ),
    "customers:group_handover": Expect(  # what the partner passes to the end customer; scoped
        signed_in(200, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=200, own_kwargs=group_a_pk
    ),
    "customers:group_handover_reveal": Expect(  # POST only (a password shown once); scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=405, own_kwargs=group_a_pk
    ),
    # Bulk onboarding (#15): those who build upload and confirm; anyone may read an upload in scope.
    "customers:bulk_upload": Expect(signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 200})),
    "customers:bulk_template": Expect(
        signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 200}), kwargs=lambda world: {"fmt": "xlsx"}
    ),
    "customers:bulk_detail": Expect(
        signed_in(200, **{PARTNER: 404}), kwargs=upload_b_pk, own_partner=200, own_kwargs=upload_a_pk
    ),
    "customers:bulk_errors": Expect(  # the upload's mistakes as CSV
        signed_in(200, **{PARTNER: 404}), kwargs=upload_b_pk, own_partner=200, own_kwargs=upload_a_pk
    ),
    "customers:bulk_confirm": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=upload_b_pk, own_partner=405, own_kwargs=upload_a_pk
    ),
    "customers:bulk_progress": Expect(  # htmx polls it once confirmed; before, it points to the upload
        signed_in(302, **{PARTNER: 404}), kwargs=upload_b_pk, own_partner=302, own_kwargs=upload_a_pk
    ),
    "customers:bulk_retry": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=upload_b_pk, own_partner=405, own_kwargs=upload_a_pk
    ),
    "porting:list": Expect(signed_in(200)),  # scoped: a partner user sees their own partner's requests
    "porting:export_csv": Expect(signed_in(200)),  # scoped the same way
    "porting:create": Expect(signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 200})),
    "porting:dashboard": Expect(signed_in(403, **{ADMIN: 200, COORD: 200, MANAGER: 200})),
    "porting:rules": Expect(signed_in(200)),
    "porting:rule_edit": Expect(signed_in(403, **{ADMIN: 200, MANAGER: 200}), kwargs=first_rule_pk),
    "porting:country_edit": Expect(signed_in(403, **{ADMIN: 200, MANAGER: 200}), kwargs=first_country_pk),
    "porting:providers": Expect(signed_in(403, **{MANAGER: 200})),
    "porting:provider_edit": Expect(signed_in(403, **{MANAGER: 200}), kwargs=a_provider_pk),
    "porting:detail": Expect(signed_in(200, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=200, own_kwargs=port_a_pk),
    "porting:edit": Expect(
        signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 404}),
        kwargs=port_b_pk,
        own_partner=200,
        own_kwargs=port_a_pk,
    ),
    "porting:transition": Expect(  # GET points back to the request page; running is a POST
        signed_in(302, **{PARTNER: 404}), kwargs=port_b_transition, own_partner=302, own_kwargs=port_a_transition
    ),
    "porting:document_add": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=405, own_kwargs=port_a_pk
    ),
    "porting:document_download": Expect(  # only through this permission-checked view
        signed_in(200, **{PARTNER: 404}), kwargs=port_b_document, own_partner=200, own_kwargs=port_a_document
    ),
    "porting:document_remove": Expect(  # POST only, after a confirmation; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=port_b_document, own_partner=405, own_kwargs=port_a_document
    ),
    "porting:loa_download": Expect(  # the letter of authority to sign, pre-filled: whoever sees the request
        signed_in(200, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=200, own_kwargs=port_a_pk
    ),
    "porting:loa_sign": Expect(  # signing online: those who may add the request's documents
        signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 404}),
        kwargs=port_b_pk,
        own_partner=200,
        own_kwargs=port_a_pk,
    ),
    "porting:comment_add": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=405, own_kwargs=port_a_pk
    ),
    "porting:platform_retry": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=405, own_kwargs=port_a_pk
    ),
    "porting:date_change": Expect(  # POST only; scoped first; the service checks the role (#18)
        signed_in(405, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=405, own_kwargs=port_a_pk
    ),
    # The second factor (#17). These users have none: the login's second step sends them on; adding
    # an authenticator app is open to everyone; removals and new recovery codes are POSTs.
    "accounts:second_factor": Expect(signed_in(302)),
    "accounts:two_factor": Expect(signed_in(200)),
    "accounts:totp_add": Expect(signed_in(200)),
    "accounts:recovery_codes": Expect(signed_in(405)),
    "accounts:factor_remove": Expect(signed_in(405), kwargs=lambda world: {"kind": "app", "pk": 1}),
    # The users page is the provisioning administrators' (they reset a lost factor).
    "accounts:user_list": Expect(signed_in(403, **{ADMIN: 200})),
    "accounts:user_detail": Expect(signed_in(403, **{ADMIN: 200}), kwargs=a_partner_user_pk),
    "accounts:user_reset_factors": Expect(signed_in(405), kwargs=a_partner_user_pk),
    # django-otp-webauthn's ceremonies (accounts/passkeys.py) are POSTs answering JSON.
    "otp_webauthn:credential-registration-begin": Expect(signed_in(405, anonymous=403)),
    "otp_webauthn:credential-registration-complete": Expect(signed_in(405, anonymous=403)),
    "otp_webauthn:credential-authentication-begin": Expect(signed_in(405, anonymous=403)),
    "otp_webauthn:credential-authentication-complete": Expect(signed_in(405, anonymous=403)),
    "otp_webauthn:js-i18n-catalog": Expect(everyone(200)),
    "accounts:audit_list": Expect(signed_in(200, **{TRAINER: 403, PARTNER: 403})),
    "accounts:audit_export_csv": Expect(signed_in(200, **{TRAINER: 403, PARTNER: 403})),
    "escalations:contact_list": Expect(signed_in(200)),
    "escalations:contact_edit": Expect(signed_in(403, **{MANAGER: 200}), kwargs=first_contact_pk),
    # E2: the dashboard and its export are the managers'; escalation pages are for staff (partner
    # users read their own partner's escalations through the API only).
    "escalations:dashboard": Expect(signed_in(403, **{MANAGER: 200})),
    "escalations:export_csv": Expect(signed_in(403, **{MANAGER: 200})),
    # Staff read open items with deadlines (the dashboard's and homes' counts link here); partner
    # users read their own through the API only.
    "escalations:list": Expect(signed_in(200, **{PARTNER: 403})),
    "escalations:acknowledge": Expect(  # trainers: only partners they are allocated to (none here)
        signed_in(200, **{PARTNER: 404, TRAINER: 404}),
        kwargs=escalation_b_pk,
        own_partner=403,
        own_kwargs=escalation_a_pk,
    ),
    "escalations:policy_list": Expect(signed_in(200, **{PARTNER: 403})),
    "escalations:policy_edit": Expect(signed_in(403, **{MANAGER: 200}), kwargs=first_policy_pk),
    # Reconciliation (#15): drift scoped like customers; runs for staff; repair for those who change customers.
    "reconciliation:drift_list": Expect(signed_in(200)),
    "reconciliation:drift_detail": Expect(
        signed_in(200, **{PARTNER: 404}), kwargs=drift_b_pk, own_partner=200, own_kwargs=drift_a_pk
    ),
    "reconciliation:run_detail": Expect(signed_in(200, **{PARTNER: 403}), kwargs=run_pk),
    "reconciliation:group_repair": Expect(  # GET: the confirmation page; the repair is its POST
        signed_in(403, **{ADMIN: 200, COORD: 200, PARTNER: 404}),
        kwargs=group_b_pk,
        own_partner=200,
        own_kwargs=group_a_pk,
    ),
    "reconciliation:group_check": Expect(  # POST only; scoped first
        signed_in(405, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=405, own_kwargs=group_a_pk
    ),
    "drift-list": Expect(signed_in(200, anonymous=401)),
    "drift-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=drift_b_pk, own_partner=200, own_kwargs=drift_a_pk
    ),
    "drift-repair": Expect(signed_in(405, anonymous=401), kwargs=drift_b_pk),  # POST only
    "reconciliation-run-list": Expect(signed_in(200, anonymous=401, **{PARTNER: 403})),
    "reconciliation-run-detail": Expect(signed_in(200, anonymous=401, **{PARTNER: 403}), kwargs=run_pk),
    "api-token": Expect(everyone(405)),  # the token endpoint takes POST only
    # API tokens (#17): everyone lists their own (administrators everyone's); a token is revoked
    # with DELETE, never read on its own.
    "auth-token-list": Expect(signed_in(200, anonymous=401)),
    "auth-token-detail": Expect(signed_in(405, anonymous=401), kwargs=lambda world: {"pk": 1}),
    "api-schema": Expect(everyone(200)),
    "api-docs": Expect(everyone(200)),
    "partner-list": Expect(signed_in(200, anonymous=401)),
    "partner-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}),
        kwargs=partner_b_pk,
        own_partner=200,
        own_kwargs=partner_a_pk,
    ),
    "onboarding-order-list": Expect(signed_in(200, anonymous=401)),
    "onboarding-order-detail": Expect(
        signed_in(200, anonymous=401, **{TRAINER: 404, PARTNER: 404}),
        kwargs=order_b_pk,
        own_partner=200,
        own_kwargs=order_a_pk,
    ),
    "onboarding-order-transitions": Expect(
        signed_in(200, anonymous=401, **{TRAINER: 404, PARTNER: 404}),
        kwargs=order_b_pk,
        own_partner=200,
        own_kwargs=order_a_pk,
    ),
    # POST-only actions: DRF answers the method before looking anything up, so nothing leaks.
    "onboarding-order-run-transition": Expect(signed_in(405, anonymous=401), kwargs=order_b_transition),
    "onboarding-order-record-account": Expect(signed_in(405, anonymous=401), kwargs=order_b_account),
    "onboarding-order-accounts-create": Expect(signed_in(405, anonymous=401), kwargs=order_b_pk),
    "number-list": Expect(signed_in(200, anonymous=401)),
    "number-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}),
        kwargs=number_b_pk,
        own_partner=200,
        own_kwargs=number_a_pk,
    ),
    "number-range": Expect(signed_in(405, anonymous=401)),  # POST only
    "customer-group-list": Expect(signed_in(200, anonymous=401)),
    "customer-group-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=200, own_kwargs=group_a_pk
    ),
    "customer-group-plan": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=200, own_kwargs=group_a_pk
    ),
    "customer-group-build": Expect(signed_in(405, anonymous=401), kwargs=group_b_pk),  # POST only
    "customer-group-changes": Expect(  # GET lists a customer's changes, POST starts one (#15)
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=group_b_pk, own_partner=200, own_kwargs=group_a_pk
    ),
    "customer-group-change-act": Expect(signed_in(405, anonymous=401), kwargs=group_b_no_such_change),  # POST
    "customer-group-callcabinet-confirmation": Expect(signed_in(405, anonymous=401), kwargs=group_b_pk),  # POST
    "customer-group-manual-confirmation": Expect(signed_in(405, anonymous=401), kwargs=group_b_pk),  # POST
    "bulk-upload-list": Expect(signed_in(200, anonymous=401)),  # scoped: a partner user sees their own
    "bulk-upload-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=upload_b_pk, own_partner=200, own_kwargs=upload_a_pk
    ),
    "bulk-upload-confirm": Expect(signed_in(405, anonymous=401), kwargs=upload_b_pk),  # POST only
    "bulk-upload-retry": Expect(signed_in(405, anonymous=401), kwargs=upload_b_pk),  # POST only
    "port-request-list": Expect(signed_in(200, anonymous=401)),  # scoped: a partner user sees their own
    "port-request-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=200, own_kwargs=port_a_pk
    ),
    "port-request-transitions": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=200, own_kwargs=port_a_pk
    ),
    "port-request-run-transition": Expect(signed_in(405, anonymous=401), kwargs=port_b_transition),  # POST only
    "port-request-letter-of-authority": Expect(  # the PDF to sign
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=port_b_pk, own_partner=200, own_kwargs=port_a_pk
    ),
    "port-request-sign-letter-of-authority": Expect(signed_in(405, anonymous=401), kwargs=port_b_pk),  # POST only
    "port-request-port-date": Expect(signed_in(405, anonymous=401), kwargs=port_b_pk),  # POST only (#18)
    "escalation-contact-list": Expect(signed_in(200, anonymous=401)),
    "escalation-contact-detail": Expect(signed_in(200, anonymous=401), kwargs=first_contact_pk),
    # E2: partner users read their own partner's escalations; acknowledging is a POST.
    "escalation-list": Expect(signed_in(200, anonymous=401)),
    "escalation-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404, TRAINER: 404}),
        kwargs=escalation_b_pk,
        own_partner=200,
        own_kwargs=escalation_a_pk,
    ),
    "escalation-acknowledge": Expect(signed_in(405, anonymous=401), kwargs=escalation_b_pk),
    # Events and webhooks (#18): scoped like everything else; redelivering is a POST.
    "event-list": Expect(signed_in(200, anonymous=401)),
    "event-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=event_b_pk, own_partner=200, own_kwargs=event_a_pk
    ),
    "webhook-endpoint-list": Expect(signed_in(200, anonymous=401)),
    "webhook-endpoint-detail": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=endpoint_b_pk, own_partner=200, own_kwargs=endpoint_a_pk
    ),
    "webhook-endpoint-deliveries": Expect(
        signed_in(200, anonymous=401, **{PARTNER: 404}), kwargs=endpoint_b_pk, own_partner=200, own_kwargs=endpoint_a_pk
    ),
    "webhook-endpoint-redeliver": Expect(signed_in(405, anonymous=401), kwargs=delivery_b),  # POST only
    "events:webhooks": Expect(signed_in(200)),  # scoped: a partner user sees their own endpoints
    "events:webhook_endpoint": Expect(
        signed_in(200, **{PARTNER: 404}), kwargs=endpoint_b_pk, own_partner=200, own_kwargs=endpoint_a_pk
    ),
    "events:webhook_redeliver": Expect(signed_in(405), kwargs=delivery_b),  # POST only
}


def iter_url_names(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"


def test_every_url_has_an_expectation():
    served = set(iter_url_names())
    assert not served - set(EXPECTATIONS), f"declare access expectations for {sorted(served - set(EXPECTATIONS))}"
    assert not set(EXPECTATIONS) - served, "these expectations name URLs that no longer exist"


def _get(client, url, user):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _port_document(port_request):
    from django.core.files.base import ContentFile

    from porting.models import PortDocument

    document = PortDocument(
        port_request=port_request, kind="latest_bill", original_name="bill.pdf", content_type="application/pdf", size=9
    )
    document.file.save("bill.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    return document


@pytest.fixture
def world(world, settings, tmp_path):
    """The shared world plus an onboarding order for each partner: A's finished, B's just logged."""
    from django.utils import timezone

    from customers.models import BulkUpload, CustomerGroup
    from number_pool.models import Number
    from onboarding.models import OnboardingOrder
    from onboarding.services import onboarding_order_create
    from porting.models import PortRequest

    now = timezone.now()
    world.order_a = OnboardingOrder.objects.create(
        partner=world.partner_a, signed_order_received_at=now, confirmation_due_at=now, confirmed_at=now
    )
    world.order_b = onboarding_order_create(by=world.user(ADMIN), partner=world.partner_b, signed_order_received_at=now)
    world.number_a = Number.objects.create(e164="+442079460001", partner=world.partner_a)
    world.number_b = Number.objects.create(e164="+442079460002", partner=world.partner_b)
    world.group_a = CustomerGroup.objects.create(partner=world.partner_a, group_id="AlphaOne", name="Alpha One")
    world.group_b = CustomerGroup.objects.create(partner=world.partner_b, group_id="BetaOne", name="Beta One")
    world.upload_a = BulkUpload.objects.create(partner=world.partner_a, filename="a.csv")
    world.upload_b = BulkUpload.objects.create(partner=world.partner_b, filename="b.csv")
    world.port_a = PortRequest.objects.create(partner=world.partner_a, country="GB")
    world.port_b = PortRequest.objects.create(partner=world.partner_b, country="GB")
    settings.PORTING_DOCUMENT_ROOT = str(tmp_path)  # uploaded documents stay out of the repository
    world.document_a = _port_document(world.port_a)
    world.document_b = _port_document(world.port_b)
    from escalations.models import Escalation
    from escalations.services import escalation_evaluate
    from reconciliation.models import Drift, ReconciliationRun

    world.run = ReconciliationRun.objects.create(started_at=now, finished_at=now)
    drift = {"platform": "broadworks", "aspect": "bw_numbers", "ours": [], "theirs": []}
    world.drift_a = Drift.objects.create(group=world.group_a, first_seen_at=now, last_seen_at=now, **drift)
    world.drift_b = Drift.objects.create(group=world.group_b, first_seen_at=now, last_seen_at=now, **drift)
    escalation_evaluate()  # order B's O1 confirmation clock
    world.escalation_b = Escalation.objects.get(partner=world.partner_b, subject_id=world.order_b.pk)
    world.escalation_a = Escalation.objects.create(
        policy=world.escalation_b.policy,
        subject_type="onboarding_order",
        subject_id=world.order_a.pk,
        subject_label="Onboarding of ACME01",
        partner=world.partner_a,
        started_at=now,
        at_risk_at=now,
        due_at=now,
    )
    events_world(world)
    return world


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url_name", sorted(EXPECTATIONS))
def test_access_matrix(client, world, url_name, who):
    expect = EXPECTATIONS[url_name]
    url = reverse(url_name, kwargs=expect.kwargs(world) if expect.kwargs else None)
    user = None if who == ANON else world.user(who)
    response = _get(client, url, user)
    wanted = expect.statuses[who]
    if wanted == LOGIN:
        assert response.status_code == 302, (url, who, response.status_code)
        assert response.url.startswith(reverse("accounts:login")), response.url
    else:
        assert response.status_code == wanted, (url, who, response.status_code)


@pytest.mark.parametrize("url_name", sorted(name for name, e in EXPECTATIONS.items() if e.own_kwargs))
def test_partner_user_reaches_own_partner_objects(client, world, url_name):
    expect = EXPECTATIONS[url_name]
    response = _get(client, reverse(url_name, kwargs=expect.own_kwargs(world)), world.user(PARTNER))
    assert response.status_code == expect.own_partner


@pytest.mark.parametrize("url_name", sorted(name for name, e in EXPECTATIONS.items() if e.own_kwargs))
def test_other_partner_object_is_404_for_partner_b_too(client, world, url_name):
    """Symmetric: partner B's user cannot reach partner A's objects either."""
    expect = EXPECTATIONS[url_name]
    response = _get(client, reverse(url_name, kwargs=expect.own_kwargs(world)), world.user("partner_b_user"))
    assert response.status_code == 404
