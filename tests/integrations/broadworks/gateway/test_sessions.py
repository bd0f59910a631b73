"""The gateway keeps its logged-in OCI-P sessions (#14): a build's calls log in once, not once a
call; a session the platform broke or ended is dropped and the next call logs in afresh; threads
share the sessions; a forked worker process (Celery's prefork children) opens sessions of its own."""

import os
import threading

import pytest

from customers import build_steps
from integrations.base import TransientError
from integrations.broadworks.ocip import load

from .support import POOL, gateway_for
from .test_gateway import STEPS, _customer_group

pytestmark = pytest.mark.django_db


def test_a_whole_build_logs_in_once_and_running_it_again_logs_in_no_more(sim, gw):
    from types import SimpleNamespace

    platforms = SimpleNamespace(broadworks=gw)
    group = _customer_group()
    before = sim.logins
    for name in STEPS:
        getattr(build_steps, name)(group=group, platforms=platforms)
    assert sim.logins - before == 1, "one login for the whole build"
    for name in STEPS:  # as a redelivered task would
        getattr(build_steps, name)(group=group, platforms=platforms)
    assert sim.logins - before == 1


def test_a_session_the_platform_dropped_is_not_reused_and_the_next_call_logs_in_again(sim, gw):
    gw.service_provider_exists("ACME01")
    logins = sim.logins
    sim.fail_next("disconnect", request="GroupGetListInServiceProviderRequest")
    with pytest.raises(TransientError):
        gw.group_exists("ACME01", "ACME-BAKERY")
    assert gw.group_exists("ACME01", "ACME-BAKERY") is False
    assert sim.logins == logins + 1


def test_a_session_the_platform_ended_is_dropped(sim, gw):
    gw.service_provider_exists("ACME01")
    logins = sim.logins
    sim.fail_next("error", request="GroupGetListInServiceProviderRequest", summary="[Error 4961] Invalid session ID")
    with pytest.raises(TransientError, match="Invalid session"):
        gw.group_exists("ACME01", "ACME-BAKERY")
    gw.group_exists("ACME01", "ACME-BAKERY")
    assert sim.logins == logins + 1, "logged in afresh rather than reusing the ended session"


def numbers_on_the_wire(gw):
    """The pool's numbers by the gateway's transport alone (no ExternalCall row: no database)."""
    library = load()
    response = gw._send(library, library.c.ServiceProviderDnGetSummaryListRequest(service_provider_id="ACME01"))
    return [row["phone_numbers"] for row in response.dn_summary_table.to_dict()]


def test_threads_share_a_few_sessions(sim):
    gw = gateway_for(sim)
    errors = []

    def ask():
        try:
            for _ in range(5):
                assert numbers_on_the_wire(gw)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert 1 <= sim.logins <= gw.sessions, "at most one session per call at once, reused after"


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")
def test_a_forked_process_keeps_sessions_of_its_own(sim, gw):
    gw.add_numbers_to_service_provider("ACME01", POOL[:1])
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's event loop thread is not here (and it leaves the database alone)
        try:
            ok = "+44-1134960001" in numbers_on_the_wire(gw)
            os.write(write, b"ok" if ok else b"no")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(write, repr(exc).encode()[:200])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 300) == b"ok"
