import json

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django_tables2 import RequestConfig

from expoe_portal.csv_export import csv_response

from .audit_words import audit_sentence
from .filters import AuditEventFilter
from .forms import LoginForm, PortalPasswordChangeForm
from .models import AuditEvent
from .scoping import scope_for
from .tables import AuditEventTable

AUDIT_PAGE_SIZE = 50
AUDIT_CSV_CHUNK_ROWS = 2000


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
    # Plain values read in chunks and written as they come: no model instance per row.
    events = (
        _audit_events(request)
        .qs.order_by("-at", "-id")
        .values_list(
            "at",
            "actor__username",
            "actor__first_name",
            "actor__last_name",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "partner__partner_id",
            "changes",
        )
    )
    header = ["at", "actor", "action", "target_type", "target_id", "target", "partner", "changes", "sentence"]
    rows = (
        (
            at.isoformat(),
            actor or "",
            action,
            target_type,
            target_id,
            target_label,
            partner or "",
            json.dumps(changes, ensure_ascii=False, default=str) if changes else "",
            audit_sentence(
                actor=f"{first} {last}".strip() or actor or "",
                action=action,
                target_label=target_label,
                target_id=target_id,
                changes=changes,
            ),
        )
        for at, actor, first, last, action, target_type, target_id, target_label, partner, changes in events.iterator(
            chunk_size=AUDIT_CSV_CHUNK_ROWS
        )
    )
    return csv_response("audit.csv", header, rows)
