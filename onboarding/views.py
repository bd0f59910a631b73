from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from expoe_portal.pages import list_page, posted_to, saved_by_service, transition_page
from expoe_portal.transitions import TransitionRefused
from partners.selectors import partner_audit_trail, partner_get

from . import partner_accounts, selectors, services
from .filters import OrderFilter
from .forms import TRANSITION_FORMS, AccountRecordForm, OrderCreateForm, transition_form
from .models import TRANSITION_LABELS
from .tables import OrderTable


@login_required
def partner_detail(request, pk):
    partner = partner_get(user=request.user, pk=pk)
    return render(request, "onboarding/partner_detail.html", _detail_context(request, partner))


@login_required
def my_partner(request):
    """A partner user's own partner, read-only. Staff have no partner of their own."""
    if not request.user.is_partner_user:
        return redirect("partners:partner_list")
    partner = partner_get(user=request.user, pk=request.user.partner_id)
    return render(request, "onboarding/partner_detail.html", _detail_context(request, partner))


def _detail_context(request, partner):
    user = request.user
    order = selectors.onboarding_order_current(user=user, partner=partner)
    return {
        "partner": partner,
        "order": order,
        "stepper": selectors.order_stepper(order) if order else [],
        "next_step": selectors.order_next_step(order, for_partner=user.is_partner_user) if order else None,
        "can_edit": user.has_perm("partners.change_partner") and not user.is_partner_user,
        "can_log_order": user.has_perm("onboarding.add_onboardingorder") and not partner.live,
        "audit_trail": partner_audit_trail(user=user, partner=partner) if user.is_staff_member else [],
        "users": partner.users.order_by("username") if user.is_staff_member else [],
    }


# --- Onboarding orders ---------------------------------------------------------------------


@login_required
def order_list(request):
    filterset = OrderFilter(request.GET, queryset=selectors.onboarding_order_list(user=request.user))
    can_add = request.user.has_perm("onboarding.add_onboardingorder")
    return list_page(
        request, "onboarding/order_list.html", filterset=filterset, table_class=OrderTable, can_add=can_add
    )


@login_required
@permission_required("onboarding.add_onboardingorder", raise_exception=True)
def order_create(request):
    partners = selectors.partners_awaiting_order(user=request.user)
    initial = {"signed_order_received_at": timezone.localtime().replace(second=0, microsecond=0)}
    if request.GET.get("partner"):
        initial["partner"] = request.GET["partner"]
    form = OrderCreateForm(request.POST or None, partners=partners, initial=initial)
    saved = saved_by_service(
        request,
        form,
        lambda: services.onboarding_order_create(by=request.user, **form.cleaned_data),
        success=lambda order: (
            f"Signed order logged for {order.partner.partner_id}; confirmation due "
            f"{timezone.localtime(order.confirmation_due_at):%d %b %Y %H:%M}."
        ),
        then=lambda order: order,
    )
    return saved or render(request, "onboarding/order_form.html", {"form": form})


def _order_page(request, order, *, bound_form=None, status=200):
    user = request.user
    transitions = selectors.onboarding_order_transitions(order=order, user=user)
    for row in transitions:
        if bound_form is not None and bound_form.prefix == row["name"]:
            row["form"], row["open"] = bound_form, True
        else:
            row["form"] = transition_form(row["name"], order)
    can_record_accounts = services.can_record_accounts(order, user)
    context = {
        "order": order,
        "stepper": selectors.order_stepper(order),
        "next_step": selectors.order_next_step(order, for_partner=user.is_partner_user),
        "transitions": transitions,
        "history": selectors.onboarding_order_history(order=order, user=user),
        "account_forms": {a.pk: AccountRecordForm(prefix=f"account-{a.platform}") for a in order.accounts.all()}
        if can_record_accounts
        else {},
        "can_record_accounts": can_record_accounts,
    }
    return render(request, "onboarding/order_detail.html", context, status=status)


@login_required
def order_detail(request, pk):
    return _order_page(request, selectors.onboarding_order_get(user=request.user, pk=pk))


@login_required
def order_transition(request, pk, name):
    """GET shows one transition's form on the order page; POST runs it."""
    order = selectors.onboarding_order_get(user=request.user, pk=pk)
    return transition_page(
        request,
        instance=order,
        name=name,
        forms=TRANSITION_FORMS,
        form_for=transition_form,
        run=lambda instance, **kwargs: services.onboarding_order_transition(order=instance, **kwargs),
        redisplay=lambda form: _order_page(request, order, bound_form=form, status=400),
        label=TRANSITION_LABELS.get(name, name),
    )


@login_required
@posted_to(selectors.onboarding_order_get)
def order_accounts_provision(request, order):
    """O2: create the partner's accounts on the platforms (the order's co-ordinator)."""
    try:
        queued = partner_accounts.accounts_provision_start(by=request.user, order=order)
    except partner_accounts.AccountsRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Creating {len(queued)} partner account(s) on the platforms; this page shows each.")
    return redirect("onboarding:order_detail", pk=order.pk)


@login_required
@posted_to(selectors.onboarding_order_get)
def order_account_record(request, order, platform):
    form = AccountRecordForm(request.POST, prefix=f"account-{platform}")
    if form.is_valid():
        try:
            account = services.onboarding_account_record(
                by=request.user, order=order, platform=platform, reference=form.cleaned_data["reference"]
            )
        except (TransitionRefused, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"{account.get_platform_display()} recorded as created.")
    else:
        messages.error(request, "Enter the account's reference on the platform.")
    return redirect("onboarding:order_detail", pk=order.pk)
