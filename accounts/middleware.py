"""The accounts' two session guards (#17).

1. Keep a session that passed only the password on the second-factor step (#17).

At login the session learns what is still asked of its user (`session_state`): pass their factor
("verify"), set one up ("enrol"), or nothing ("offer": a factor is offered, not required). Until a
session is verified (django-otp's OTPMiddleware, just above), a "verify" or "enrol" session reaches
only its step's pages and logout: other pages redirect there, the API answers 403 JSON. Reading the
state from the session keeps the check free of queries on every request; a change of requirement
(a partner that starts requiring a factor, an administrator's reset) applies from the next login.

2. Staff sessions end after STAFF_SESSION_IDLE_MINUTES without activity (#17).

Staff can provision numbers for any partner, so an unattended staff browser is worth more to a
thief than a partner's; partner users keep the working-day session (SESSION_COOKIE_AGE).

A page's own polling is not activity: the live build progress asks every 2 s for as long as the
page is open, and would otherwise keep an abandoned session alive for ever. The polling elements
send POLL_HEADER beside htmx's HX-Request (templates using hx-trigger="every ..."); a request
with both leaves the clock alone, every other request (a page, a click, a form, the API with the
session) restarts it. A poll after the limit ends the session like any other request.
"""

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from .second_factor import factor_required, has_factor
from .security import IDLE_SIGN_OUT

SESSION_KEY = "second_factor"
SESSION_USER_KEY = "second_factor_user"
VERIFY, ENROL, OFFER = "verify", "enrol", "offer"

ALWAYS = {"accounts:logout", "healthz", "metrics", "otp_webauthn:js-i18n-catalog"}
STEP_PAGES = {
    VERIFY: {
        "accounts:second_factor",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
    },
    ENROL: {
        "accounts:two_factor",
        "accounts:totp_add",
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
    },
}
STEP_URL = {VERIFY: "accounts:second_factor", ENROL: "accounts:two_factor"}
API_REFUSAL = {
    VERIFY: "Finish logging in: enter your second factor in the portal first.",
    ENROL: "Set up two-factor authentication in the portal first.",
}


def state_for(user) -> str:
    if has_factor(user):
        return VERIFY
    return ENROL if factor_required(user) else OFFER


def remember_state(request: HttpRequest, user) -> str:
    state = state_for(user)
    request.session[SESSION_KEY] = state
    request.session[SESSION_USER_KEY] = user.pk
    return state


def on_login(sender, request, user, **kwargs):
    """user_logged_in receiver (wired in apps.py): what this new session still owes."""
    if request is not None and hasattr(request, "session"):
        remember_state(request, user)


def session_state(request: HttpRequest) -> str:
    state = request.session.get(SESSION_KEY)
    if state is None or request.session.get(SESSION_USER_KEY) != request.user.pk:
        # A session from before this check existed, or one logged in some other way: fail closed.
        state = remember_state(request, request.user)
    return state


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = request.user
        if user.is_authenticated:
            state = session_state(request)
            if state in STEP_PAGES and not user.is_verified() and not self._allowed(request, state):
                return self._refuse(request, state)
        return self.get_response(request)

    @staticmethod
    def _allowed(request: HttpRequest, state: str) -> bool:
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return True  # the 404 page gives nothing away
        return name in ALWAYS or name in STEP_PAGES[state]

    @staticmethod
    def _refuse(request: HttpRequest, state: str):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": API_REFUSAL[state], "code": "second_factor_required"}, status=403)
        response = redirect(STEP_URL[state])
        if request.method == "GET" and request.path_info != "/":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()}, safe="/")
        return response


LAST_ACTIVITY = "staff_last_activity"  # in the session: seconds since the epoch
POLL_HEADER = "X-Portal-Poll"


def is_poll(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get(POLL_HEADER) == "1"


def restart_idle_clock(sender, request=None, user=None, **kwargs) -> None:
    """A fresh log-in starts a fresh clock (receiver of user_logged_in)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            user = request.user
            staff = user.is_authenticated and user.is_staff_member
        except DatabaseError:
            # No database, no session to judge: the view answers (health's 503, the error page).
            staff = False
        if staff:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.STAFF_SESSION_IDLE_MINUTES * 60:
                signed_out = self.sign_out(request)
                if signed_out is not None:
                    return signed_out
            elif last is None or not is_poll(request):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)

    def sign_out(self, request):
        """End the session; send a page back to the login page, which returns there afterwards.
        An API call goes on without the session (and is refused as any anonymous call is)."""
        back_to = self.where_they_were(request)
        setattr(request, IDLE_SIGN_OUT, True)
        logout(request)
        if request.path.startswith("/api/"):
            return None
        minutes = settings.STAFF_SESSION_IDLE_MINUTES
        messages.info(
            request, f"You were signed out after {minutes} minutes without activity. Log in to carry on where you were."
        )
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(redirect_to_login(back_to or resolve_url("home")).url)
        return redirect_to_login(back_to or resolve_url("home"))

    @staticmethod
    def where_they_were(request) -> str:
        """The page to return to: this one for a page, the page an htmx request or a form came from."""
        if request.method == "GET" and request.headers.get("HX-Request") != "true":
            return request.get_full_path()
        came_from = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
        if not url_has_allowed_host_and_scheme(came_from, allowed_hosts={request.get_host()}):
            return ""
        parts = urlsplit(came_from)
        return parts.path + (f"?{parts.query}" if parts.query else "")
