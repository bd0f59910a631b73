"""The API tokens page (issue #17): your tokens, a new one shown once, revoke after a confirmation;
administrators see everyone's, with a user filter. The same services as /api/v1/auth/tokens/."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from expoe_portal.forms import BootstrapFormMixin, apply_service_errors

from .tokens import may_manage_all, token_issue, token_revoke, tokens_visible_to

PAGE_SIZE = 50


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “billing sync”.")
    days = forms.IntegerField(
        min_value=1,
        required=False,
        label="Lasts (days)",
        help_text=f"{settings.API_TOKEN_DAYS} days unless you say otherwise.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read now, not at import, so that the setting can change (and tests can change it).
        self.fields["days"].validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
        self.fields["days"].widget.attrs["max"] = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].help_text += f" At most {settings.API_TOKEN_MAX_DAYS}."


@never_cache  # a new token's secret is on the page once; no cache keeps it
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    viewer = request.user
    everyone = may_manage_all(viewer)
    tokens = tokens_visible_to(viewer).order_by("-created_at", "-id")
    username = request.GET.get("user", "").strip()[:150] if everyone else ""
    if username:
        tokens = tokens.filter(user__username__iexact=username)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    issued = None
    if form.is_valid():
        try:
            issued = token_issue(user=viewer, by=viewer, name=form.cleaned_data["name"], days=form.cleaned_data["days"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            form = ApiTokenForm()
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "issued": issued, "page": page, "everyone": everyone, "username": username}
    return render(request, "accounts/api_tokens.html", {**context, "query": query.urlencode()})


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    """Revoke one token (the list's button asks first). Another user's token is a 404 unless the
    viewer is an administrator; the service checks the same again."""
    token = get_object_or_404(tokens_visible_to(request.user), pk=pk)
    token_revoke(token=token, by=request.user)
    messages.success(request, f"Revoked the API token “{token.name}” ({token.prefix}…). It no longer works.")
    return redirect("accounts:api_tokens")
