"""Passkeys (WebAuthn) through django-otp-webauthn's views, under our own URLs (#17).

Its views are used as they are, but for the audit row when a passkey is added. Its template tags
render only a JSON data block (`json_script`, which the Content-Security-Policy does not treat as a
script) and two script files from 'self', so they work under `script-src 'self'` unchanged.
Passwordless login is off (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN): a passkey is a second factor,
after the password.
"""

import json

from django.db import transaction
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.models import WebAuthnCredential

from .factors import passkey_added
from .second_factor import audit_failure

app_name = "otp_webauthn"


class CompleteRegistration(webauthn.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        with transaction.atomic():
            response = super().post(*args, **kwargs)
            if response.status_code == 200:
                credential = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"])
                passkey_added(user=self.request.user, credential=credential)
        return response


class CompleteAuthentication(webauthn.CompleteCredentialAuthenticationView):
    def handle_exception(self, exc):
        # A passkey that did not verify at the login's second step counts as a failed attempt.
        if isinstance(exc, OTPWebAuthnApiError) and self.request.user.is_authenticated:
            audit_failure(user=self.request.user, via="portal login", kind="passkey")
        return super().handle_exception(exc)


urlpatterns = [
    path(
        "registration/begin/",
        webauthn.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path(
        "authentication/begin/",
        webauthn.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
