"""Drift pages (#15): the list (staff: every partner's; a partner user: their own customers'), one
drift, one run, and a customer's repair (a POST after a confirmation page; the service checks the
permission). Every read goes through accounts.scoping, so another partner's row is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.scoping import get_scoped_or_404
from customers.models import CustomerGroup
from expoe_portal.pages import list_page, posted_to
from expoe_portal.transitions import TransitionConflict

from . import selectors, services
from .filters import DriftFilter
from .models import Drift, ReconciliationRun
from .repairs import fix_for
from .tables import DriftTable
from .tasks import reconcile_group

RECENT_RUNS = 5


@login_required
@permission_required("customers.view_customergroup", raise_exception=True)
def drift_list(request):
    data = request.GET if "state" in request.GET else {**request.GET.dict(), "state": "open"}
    filterset = DriftFilter(data, queryset=selectors.drift_list(user=request.user))
    runs = []
    if request.user.is_staff_member:
        runs = list(ReconciliationRun.objects.select_related("partner", "group")[:RECENT_RUNS])
    return list_page(
        request,
        "reconciliation/drift_list.html",
        filterset=filterset,
        table_class=DriftTable,
        runs=runs,
        latest=selectors.latest_run(user=request.user),
    )


def _drift_get(user, pk) -> Drift:
    return get_scoped_or_404(user, Drift.objects.select_related("group__partner", "repair", "last_run"), pk=pk)


@login_required
@permission_required("customers.view_customergroup", raise_exception=True)
def drift_detail(request, pk):
    drift = _drift_get(request.user, pk)
    return render(
        request,
        "reconciliation/drift_detail.html",
        {"drift": drift, "fix": fix_for(drift), "may_repair": services.may_repair(request.user, drift.group)},
    )


@login_required
def run_detail(request, pk):
    if not request.user.is_staff_member:
        raise PermissionDenied("Reconciliation runs are for provisioning staff.")
    run = get_scoped_or_404(request.user, ReconciliationRun.objects.select_related("partner", "group"), pk=pk)
    return render(request, "reconciliation/run_detail.html", {"run": run})


def _group_get(user, pk) -> CustomerGroup:
    return get_scoped_or_404(user, CustomerGroup.objects.select_related("partner"), pk=pk)


@never_cache  # the page after a repair may show new admin passwords, once
@login_required
def group_repair(request, pk):
    """GET: what a repair of the customer will run, and what only a person can do; POST (confirmed):
    the repair queued as a change of the customer."""
    group = _group_get(request.user, pk)
    if not services.may_repair(request.user, group):
        raise PermissionDenied("Only those who change this customer repair it.")
    if request.method == "POST":
        try:
            change = services.drift_repair(by=request.user, group=group)
        except (ValidationError, TransitionConflict) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("reconciliation:group_repair", pk=group.pk)
        messages.success(request, f"{change.summary}: queued. Its progress shows on the customer's page.")
        if change.generated_passwords:  # shown once, as for any change that made an administrator (A2)
            context = {"group": group, "title": "Repair drift", "passwords": change.generated_passwords}
            return render(request, "customers/change_passwords.html", context)
        return redirect(group)
    plan = services.repair_plan(group=group)
    return render(request, "reconciliation/group_repair.html", {"group": group, "plan": plan})


@login_required
@posted_to(_group_get)
def group_check(request, group):
    """Reconcile this one customer again now (after a repair, say), on the worker."""
    if not services.may_repair(request.user, group):
        raise PermissionDenied("Only those who change this customer ask for it to be checked.")
    reconcile_group.delay_on_commit(group.pk)
    messages.success(request, f"{group.group_id} is being checked against the platforms; reload in a moment.")
    return redirect(group)
