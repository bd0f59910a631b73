"""Locust: co-ordinators logged in to the portal, each asking for one page again and again.

bench/load.py runs it headless, one page per run (so each page's requests/s is what the server gives
that page alone, and the admin changelist's run is the baseline), against gunicorn on loopback:

    BENCH_PATH=/ports/ BENCH_ROLE=coordinator locust -f bench/locustfile.py --headless \
        -u 10 -r 10 -t 30s -H http://127.0.0.1:8000

Each simulated user logs in once as its own seeded account (bench-<role>-<n>, bench/ports.py's seed)
through the login form (session cookie, CSRF token), then waits for nothing between requests: ten
requests are always in flight. With BENCH_THINK=<seconds> each pauses between half and one and a
half times that between pages, as a person reading the page would.
"""

import itertools
import os
import re
from urllib.parse import urlencode

from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("BENCH_PATH", "/ports/")
NAME = os.environ.get("BENCH_NAME", PATH)
ROLE = os.environ.get("BENCH_ROLE", "coordinator")
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-pass-12345")
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "10"))
THINK = float(os.environ.get("BENCH_THINK", "0"))
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')

_next_account = itertools.count()


class Coordinator(FastHttpUser):
    wait_time = between(THINK / 2, THINK * 1.5) if THINK else constant(0)

    def on_start(self) -> None:
        username = f"bench-{ROLE}-{next(_next_account) % ACCOUNTS}"
        form = self.client.get("/accounts/login/", name="login form")
        token = CSRF_FIELD.search(form.content or b"")
        if token is None:
            raise RuntimeError("the login page has no CSRF token")
        with self.client.post(
            "/accounts/login/",
            name="login",
            data=urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {username} answered {response.status_code}")

    @task
    def page(self) -> None:
        self.client.get(PATH, name=NAME)
