"""Staff sessions end after STAFF_SESSION_IDLE_MINUTES without activity (#17).

Staff can provision numbers for any partner, so an unattended staff browser is worth more to a
thief than a partner's; partner users keep the working-day session (SESSION_COOKIE_AGE).

A page's own polling is not activity: the live build progress asks every 2 s for as long as the
page is open, and would otherwise keep an abandoned session alive for ever. The polling elements
send POLL_HEADER beside htmx's HX-Request (templates using hx-trigger="every ..."); a request
with both leaves the clock alone, every other request (a page, a click, a form, the API with the
session) restarts it. A poll after the limit ends the session like any other request.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from .security import IDLE_SIGN_OUT

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
