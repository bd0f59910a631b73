import json

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django_tables2 import RequestConfig

from expoe_portal.csv_export import csv_response

from .filters import AuditEventFilter
from .forms import LoginForm, PortalPasswordChangeForm
from .models import AuditEvent
from .scoping import scope_for
from .tables import AuditEventTable

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


def _audit_events(request) -> AuditEventFilter:
    queryset = scope_for(request.user, AuditEvent.objects.select_related("actor", "partner"))
    return AuditEventFilter(request.GET, queryset=queryset)


@login_required
@permission_required("accounts.view_auditevent", raise_exception=True)
def audit_list(request):
    """Who changed what, when: every service writes here in the same transaction as its change."""
    filterset = _audit_events(request)
    table = AuditEventTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": AUDIT_PAGE_SIZE}).configure(table)
    return render(
        request, "accounts/audit_list.html", {"filter": filterset, "table": table, "query": request.GET.urlencode()}
    )


@login_required
@permission_required("accounts.view_auditevent", raise_exception=True)
def audit_export_csv(request):
    events = _audit_events(request).qs.order_by("-at", "-id").iterator(chunk_size=2000)
    header = ["at", "actor", "action", "target_type", "target_id", "target", "partner", "changes"]
    rows = (
        [
            event.at.isoformat(),
            event.actor.username if event.actor else "",
            event.action,
            event.target_type,
            event.target_id,
            event.target_label,
            event.partner.partner_id if event.partner else "",
            json.dumps(event.changes, ensure_ascii=False, default=str) if event.changes else "",
        ]
        for event in events
    )
    return csv_response("audit.csv", header, rows)
