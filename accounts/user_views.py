"""The portal's users, for provisioning administrators (#17): who they are, whether they have a
second factor, and resetting it (a lost phone). The reset's permission is checked in
factors.factors_reset; these views only choose what to show."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import factors
from .models import User
from .second_factor import factor_required, passkeys, recovery_codes_left, totp_device

USERS_PAGE_SIZE = 50


def _users():
    return User.objects.select_related("partner").annotate(
        has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        has_passkey=Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True)),
    )


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_list(request):
    query = (request.GET.get("q") or "").strip()[:100]
    users = _users().order_by("username")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
            | Q(partner__partner_id__icontains=query)
        )
    page = Paginator(users, USERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": query})


@login_required
@permission_required("accounts.view_user", raise_exception=True)
def user_detail(request, pk):
    shown = get_object_or_404(_users(), pk=pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "shown": shown,
            "app": totp_device(shown),
            "passkeys": list(passkeys(shown)),
            "codes_left": recovery_codes_left(shown),
            "required": factor_required(shown),
            "may_reset": request.user.has_perm("accounts.change_user") and shown.pk != request.user.pk,
        },
    )


@login_required
@require_POST
def user_reset_factors(request, pk):
    shown = get_object_or_404(User, pk=pk)
    factors.factors_reset(by=request.user, user=shown)
    messages.success(request, f"Two-factor authentication of {shown.display_name} reset.")
    return redirect("accounts:user_detail", pk=shown.pk)
