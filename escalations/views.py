from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from expoe_portal.views import apply_service_errors

from . import selectors, services
from .forms import EscalationContactForm


@login_required
@permission_required("escalations.view_escalationcontact", raise_exception=True)
def contact_list(request):
    return render(
        request,
        "escalations/contact_list.html",
        {
            "contacts": selectors.escalation_contact_list(user=request.user),
            "can_edit": request.user.has_perm("escalations.change_escalationcontact"),
        },
    )


@login_required
def contact_edit(request, pk):
    contact = selectors.escalation_contact_get(user=request.user, pk=pk)
    if not request.user.has_perm("escalations.change_escalationcontact"):
        raise PermissionDenied("Only managers edit the escalation matrix.")
    initial = {"phone": contact.phone_display}
    form = EscalationContactForm(request.POST or None, instance=contact, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_contact_update(by=request.user, contact=contact, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Level {contact.level} contact saved.")
            return redirect("escalations:contact_list")
    return render(request, "escalations/contact_form.html", {"form": form, "contact": contact})
