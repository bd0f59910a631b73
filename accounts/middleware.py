"""Keep a session that passed only the password on the second-factor step (#17).

At login the session learns what is still asked of its user (`session_state`): pass their factor
("verify"), set one up ("enrol"), or nothing ("offer": a factor is offered, not required). Until a
session is verified (django-otp's OTPMiddleware, just above), a "verify" or "enrol" session reaches
only its step's pages and logout: other pages redirect there, the API answers 403 JSON. Reading the
state from the session keeps the check free of queries on every request; a change of requirement
(a partner that starts requiring a factor, an administrator's reset) applies from the next login.
"""

from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from .second_factor import factor_required, has_factor

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
