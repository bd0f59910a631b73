"""The webhooks page (#18): a partner's endpoints, a new one's secret shown once, each endpoint's
deliveries with their answers, and redelivery. The same services as /api/v1/webhook-endpoints/."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.choices import PLATFORM_OPERATORS
from accounts.scoping import get_scoped_or_404, scope_for
from expoe_portal.forms import BootstrapFormMixin, apply_service_errors
from partners.models import Partner

from . import services
from .choices import ALL_EVENTS, EVENT_TYPES
from .models import WebhookDelivery, WebhookEndpoint

PAGE_SIZE = 50


class WebhookEndpointForm(BootstrapFormMixin, forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.order_by("partner_id"), to_field_name="partner_id")
    url = forms.URLField(
        assume_scheme="https",
        max_length=500,
        label="Address",
        help_text="https://… on the internet; events are POSTed here.",
    )
    events = forms.MultipleChoiceField(
        choices=[(ALL_EVENTS, "Every event (*)"), *((name, name) for name in EVENT_TYPES)],
        widget=forms.CheckboxSelectMultiple,
        label="Events to send",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_partner_user:
            del self.fields["partner"]  # their own partner


def _may_add(user) -> bool:
    return user.is_partner_user or user.role in PLATFORM_OPERATORS


@never_cache  # a new endpoint's secret is on the page once; no cache keeps it
@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request):
    user = request.user
    form = WebhookEndpointForm(request.POST if request.method == "POST" else None, user=user)
    created = secret = None
    if request.method == "POST" and not _may_add(user):
        raise PermissionDenied("Only the partner's own users and the provisioning team can add webhook endpoints.")
    if form.is_valid():
        partner = form.cleaned_data.get("partner") or user.partner
        try:
            created, secret = services.webhook_endpoint_create(
                by=user, partner=partner, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            form = WebhookEndpointForm(user=user)
    endpoints = scope_for(user, WebhookEndpoint.objects.select_related("partner")).order_by("partner__partner_id", "id")
    page = Paginator(endpoints, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "created": created, "secret": secret, "page": page, "may_add": _may_add(user)}
    return render(request, "events/webhooks.html", context)


@login_required
def webhook_endpoint(request, pk: int):
    endpoint = get_scoped_or_404(request.user, WebhookEndpoint.objects.select_related("partner"), pk=pk)
    deliveries = endpoint.deliveries.select_related("event").order_by("-id")
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"endpoint": endpoint, "page": page, "may_redeliver": _may_add(request.user)}
    return render(request, "events/webhook_endpoint.html", context)


@login_required
@require_POST
def webhook_redeliver(request, pk: int, delivery_id: int):
    endpoint = get_scoped_or_404(request.user, WebhookEndpoint.objects.all(), pk=pk)
    delivery = get_scoped_or_404(request.user, WebhookDelivery.objects.filter(endpoint=endpoint), pk=delivery_id)
    again = services.webhook_redeliver(by=request.user, delivery=delivery)
    messages.success(request, f"Event {delivery.event_id} will be sent again now (attempt {again.attempt}).")
    return redirect("events:webhook_endpoint", pk=endpoint.pk)
