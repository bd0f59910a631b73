"""The number pool page (N1): search and filters for everyone, adding numbers and ranges for staff."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse

from expoe_portal.pages import list_page, saved_by_service

from . import selectors, services
from .filters import NumberFilter
from .forms import NumbersAddForm
from .tables import NumberTable


@login_required
@permission_required("number_pool.view_number", raise_exception=True)
def number_list(request):
    filterset = NumberFilter(request.GET, queryset=selectors.number_list(user=request.user))
    return list_page(
        request,
        "number_pool/number_list.html",
        filterset=filterset,
        table_class=NumberTable,
        per_page=50,
        counts=selectors.number_pool_counts(user=request.user),
        can_add=request.user.has_perm("number_pool.add_number") and not request.user.is_partner_user,
    )


@login_required
@permission_required("number_pool.add_number", raise_exception=True)
def numbers_add(request):
    initial = {"partner": request.GET.get("partner")} if request.GET.get("partner") else None
    form = NumbersAddForm(request.POST or None, initial=initial)
    saved = saved_by_service(
        request,
        form,
        lambda: services.numbers_add(by=request.user, **form.cleaned_data),
        success=lambda added: f"{added:,} numbers added to {form.cleaned_data['partner'].partner_id}'s pool.",
        then=lambda added: f"{reverse('number_pool:number_list')}?partner={form.cleaned_data['partner'].partner_id}",
    )
    return saved or render(request, "number_pool/numbers_add.html", {"form": form})
