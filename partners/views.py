"""The partner list and the partner forms. A partner's own page shows its onboarding, so it lives
with onboarding (onboarding.views.partner_detail)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from expoe_portal.pages import list_page, saved_by_service

from . import selectors, services
from .filters import PartnerFilter
from .forms import PartnerContactFormSet, PartnerForm, contact_initial, contacts_from_formset
from .tables import PartnerTable


@login_required
@permission_required("partners.view_partner", raise_exception=True)
def partner_list(request):
    filterset = PartnerFilter(request.GET, queryset=selectors.partner_list(user=request.user))
    can_add = request.user.has_perm("partners.add_partner")
    return list_page(
        request, "partners/partner_list.html", filterset=filterset, table_class=PartnerTable, can_add=can_add
    )


@login_required
@permission_required("partners.add_partner", raise_exception=True)
def partner_create(request):
    form = PartnerForm(request.POST or None)
    contacts = PartnerContactFormSet(request.POST or None, prefix="contacts")
    saved = saved_by_service(
        request,
        form,
        lambda: services.partner_create(by=request.user, contacts=contacts_from_formset(contacts), **form.cleaned_data),
        valid=contacts.is_valid(),
        success=lambda partner: f"Partner {partner.partner_id} created.",
        then=lambda partner: reverse("onboarding:partner_detail", args=[partner.pk]),
    )
    return saved or render(request, "partners/partner_form.html", {"form": form, "contacts": contacts, "partner": None})


@login_required
def partner_edit(request, pk):
    # Scope first: another partner's object is a 404 before any question of permission.
    partner = selectors.partner_get(user=request.user, pk=pk)
    if not request.user.has_perm("partners.change_partner") or request.user.is_partner_user:
        raise PermissionDenied("Only UC Provisioning staff edit partners.")
    form = PartnerForm(request.POST or None, instance=partner)
    contacts = PartnerContactFormSet(request.POST or None, prefix="contacts", initial=contact_initial(partner))

    def save():
        fields = {key: form.cleaned_data[key] for key in services.PARTNER_EDITABLE_FIELDS}
        return services.partner_update(
            by=request.user, partner=partner, contacts=contacts_from_formset(contacts), **fields
        )

    saved = saved_by_service(
        request,
        form,
        save,
        valid=contacts.is_valid(),
        success=f"Partner {partner.partner_id} saved.",
        then=reverse("onboarding:partner_detail", args=[partner.pk]),
    )
    return saved or render(
        request, "partners/partner_form.html", {"form": form, "contacts": contacts, "partner": partner}
    )
