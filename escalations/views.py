from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from expoe_portal.charts import bar_chart
from expoe_portal.csv_export import csv_response
from expoe_portal.forms import apply_service_errors
from expoe_portal.pages import saved_by_service
from expoe_portal.transitions import TransitionConflict

from . import selectors, services
from .filters import EscalationFilter
from .forms import AcknowledgeForm, EscalationContactForm, SlaPolicyForm


@login_required
@permission_required("accounts.view_escalationcontact", raise_exception=True)
def contact_list(request):
    contacts = selectors.escalation_contact_list(user=request.user)
    can_edit = request.user.has_perm("accounts.change_escalationcontact")
    return render(request, "escalations/contact_list.html", {"contacts": contacts, "can_edit": can_edit})


@login_required
def contact_edit(request, pk):
    contact = selectors.escalation_contact_get(user=request.user, pk=pk)
    if not request.user.has_perm("accounts.change_escalationcontact"):
        raise PermissionDenied("Only managers edit the escalation matrix.")
    initial = {"phone": contact.phone_display}
    form = EscalationContactForm(request.POST or None, instance=contact, initial=initial)
    saved = saved_by_service(
        request,
        form,
        lambda: services.escalation_contact_update(by=request.user, contact=contact, **form.cleaned_data),
        success=f"Level {contact.level} contact saved.",
        then="escalations:contact_list",
    )
    return saved or render(request, "escalations/contact_form.html", {"form": form, "contact": contact})


# --- Escalations (E2) -----------------------------------------------------------------------


def _require_staff(user):
    # Partner users read their own escalations through the API only; the pages are for staff.
    if not user.is_staff_member:
        raise PermissionDenied("Escalations are for EXPO.e staff.")


@login_required
@permission_required("escalations.view_escalation_dashboard", raise_exception=True)
def dashboard(request):
    data = selectors.escalation_dashboard(user=request.user)
    contacts = selectors.escalation_contacts_by_level()
    for escalation in [*data["breaches"], *data["at_risk_items"]]:
        escalation.contact = contacts.get(escalation.current_level)
    return render(
        request,
        "escalations/dashboard.html",
        {
            **data,
            "chart": bar_chart(
                [(f"{row['week']:%d %b}", row["count"], "danger") for row in data["trend"]],
                title="Breaches per week, last 12 weeks",
                columns=True,
                axis="Breaches",
                testid="breach-trend",
            ),
            "can_acknowledge": request.user.has_perm("escalations.acknowledge_escalation"),
        },
    )


@login_required
@permission_required("escalations.view_escalation", raise_exception=True)
@require_GET
def escalation_list(request):
    """Open items with deadlines, nearest deadline first, narrowed by the filters the dashboard's and
    the homes' counts link with (state, level, policy, owner, partner): each count shows its rows."""
    _require_staff(request.user)
    filterset = EscalationFilter(request.GET, queryset=selectors.escalation_open_list(user=request.user))
    escalations = filterset.qs.order_by("due_at", "id") if filterset.is_valid() else filterset.qs.none()
    page = Paginator(escalations, 50).get_page(request.GET.get("page"))
    contacts = selectors.escalation_contacts_by_level()
    for escalation in page.object_list:
        escalation.contact = contacts.get(escalation.current_level)
    query = request.GET.copy()
    query.pop("page", None)
    filtered = {name: value for name, value in query.items() if value}
    # The filters the page has no field for travel as hidden fields, and are said in words.
    hidden = [(filterset.filters[n].label, n, filtered[n]) for n in ("owner", "level", "policy") if n in filtered]
    return render(
        request,
        "escalations/escalation_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "filtered": filtered, "hidden": hidden},
    )


CSV_CHUNK_ROWS = 2000
CSV_COLUMNS = [
    "policy",
    "rule",
    "subject_type",
    "subject_id",
    "subject",
    "partner",
    "owner",
    "started_at",
    "due_at",
    "state",
    "level",
    "acknowledged_by",
    "acknowledged_at",
    "acknowledge_note",
]


@login_required
@permission_required("escalations.view_escalation_dashboard", raise_exception=True)
@require_GET
def export_csv(request):
    """Every open escalation the user may see, most overdue first, streamed (one query): plain
    values read in chunks and written as they come, so no row is ever a model instance and
    100,000 rows never sit in memory."""
    escalations = selectors.escalation_open_list(user=request.user).order_by("due_at", "id")
    values = escalations.values_list(
        "policy__key",
        "policy__rule",
        "subject_type",
        "subject_id",
        "subject_label",
        "partner__partner_id",
        "owner__username",
        "started_at",
        "due_at",
        "live_state",
        "level",
        "acknowledged_by__username",
        "acknowledged_at",
        "acknowledge_note",
    )
    rows = (
        (
            key,
            rule,
            subject_type,
            subject_id,
            label,
            partner or "",
            owner or "",
            started.isoformat(),
            due.isoformat(),
            state,
            level if level is not None else 0,  # Escalation.current_level
            acknowledged_by or "",
            acknowledged_at.isoformat() if acknowledged_at else "",
            note,
        )
        for (
            key,
            rule,
            subject_type,
            subject_id,
            label,
            partner,
            owner,
            started,
            due,
            state,
            level,
            acknowledged_by,
            acknowledged_at,
            note,
        ) in values.iterator(chunk_size=CSV_CHUNK_ROWS)
    )
    return csv_response(f"escalations-{timezone.localtime():%Y%m%d-%H%M}.csv", CSV_COLUMNS, rows)


@login_required
def acknowledge(request, pk):
    """The escalation, its levels so far, and (for staff who may) the acknowledge form."""
    escalation = selectors.escalation_get(user=request.user, pk=pk)
    _require_staff(request.user)
    if not request.user.has_perm("escalations.view_escalation"):
        raise PermissionDenied("Your role does not see escalations.")
    can_acknowledge = request.user.has_perm("escalations.acknowledge_escalation")
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST":
        if not can_acknowledge:
            raise PermissionDenied("Your role cannot acknowledge escalations.")
        if form.is_valid():
            try:
                services.escalation_acknowledge(by=request.user, escalation=escalation, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except TransitionConflict as exc:
                messages.error(request, str(exc))
                return redirect("escalations:acknowledge", pk=escalation.pk)
            else:
                messages.success(
                    request, f"Acknowledged: {escalation.subject_label} stays at level {escalation.current_level}."
                )
                return redirect("escalations:acknowledge", pk=escalation.pk)
    return render(
        request,
        "escalations/acknowledge.html",
        {
            "escalation": escalation,
            "events": escalation.events.all(),
            "form": form,
            "can_acknowledge": can_acknowledge and escalation.is_open and not escalation.is_acknowledged,
            "contact": selectors.escalation_contacts_by_level().get(escalation.current_level),
        },
    )


@login_required
@permission_required("escalations.view_slapolicy", raise_exception=True)
def policy_list(request):
    _require_staff(request.user)
    policies = selectors.sla_policy_list(user=request.user)
    can_edit = request.user.has_perm("escalations.change_slapolicy")
    return render(request, "escalations/policy_list.html", {"policies": policies, "can_edit": can_edit})


@login_required
def policy_edit(request, pk):
    policy = selectors.sla_policy_get(user=request.user, pk=pk)
    if not request.user.has_perm("escalations.change_slapolicy"):
        raise PermissionDenied("Only managers edit SLA policies.")
    form = SlaPolicyForm(request.POST or None, instance=policy)
    saved = saved_by_service(
        request,
        form,
        lambda: services.sla_policy_update(by=request.user, policy=policy, **form.cleaned_data),
        success=f"“{policy.name}” saved; open items follow at the next evaluation.",
        then="escalations:policy_list",
    )
    return saved or render(request, "escalations/policy_form.html", {"form": form, "policy": policy})
