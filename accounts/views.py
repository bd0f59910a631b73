import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.generic import FormView
from django_tables2 import RequestConfig

from expoe_portal.csv_export import csv_response

from .audit_words import audit_sentence
from .filters import AuditEventFilter
from .forms import LoginForm, PasswordResetRequestForm, PortalPasswordChangeForm, PortalSetPasswordForm
from .models import AuditEvent
from .scoping import scope_for
from .security import password_reset_request
from .tables import AuditEventTable
from .throttles import login_blocked, password_reset_allowed

AUDIT_PAGE_SIZE = 50
AUDIT_CSV_CHUNK_ROWS = 2000


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Axes limits failures per username and address; this limits them per address, whatever
        # the usernames (someone trying one password on many accounts).
        if login_blocked(request):
            # An unbound form: a bound one would check the password while answering that it won't.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")[:150]})
            return self.render_to_response(self.get_context_data(form=form, refusal=TOO_MANY_FAILURES), status=429)
        return super().post(request, *args, **kwargs)


TOO_MANY_FAILURES = (
    "Too many failed log-ins from your address. Wait a few minutes and try again, or reset your password."
)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


class PasswordResetView(FormView):
    """Asks for an email address; answers the same whether or not it has an account (#17)."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        address_ok, email_ok = password_reset_allowed(self.request, email)
        if not address_ok:
            form.add_error(None, TOO_MANY_RESETS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # Past the per-email limit nothing more is sent, and the page says the same as ever.
        password_reset_request(email=email, request=self.request, send=email_ok)
        return super().form_valid(form)


TOO_MANY_RESETS = "Too many password-reset requests from your address. Try again in an hour."


class ResetLinkLifetimeMixin:
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class PasswordResetDoneView(ResetLinkLifetimeMixin, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(ResetLinkLifetimeMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


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
