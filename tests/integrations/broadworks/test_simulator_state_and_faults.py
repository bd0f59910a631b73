"""The BroadWorks OCI-P simulator's state file (it survives a restart), its fault injection (in the
same process, through the faults file, from the command line), and its entry point as a process."""

import json
import os
import socket
import subprocess
import sys
import time
from xml.parsers.expat import ExpatError

import pytest
from mercury_ocip_fast.commands import commands as c
from mercury_ocip_fast.exceptions import MErrorSocketDropped, MErrorSocketTimeout

from integrations.broadworks.simulator import CLONE_SERVICE_PROVIDER_ID, faults_path_for, main, make_fault, write_faults

from .ocip_client import (
    ADMIN,
    CLONE,
    PARTNER,
    PASSWORD,
    REPO_ROOT,
    add_numbers,
    clone_group,
    group_key,
    oci,
    ok,
    refused,
    start,
)

# -- state ------------------------------------------------------------------------------------------


def test_state_survives_a_restart(state_path):
    first = start(state_path)
    try:
        ok(clone_group(first, "ACME-BAKERY", "Acme Bakery Ltd", assign_voice_messaging=True))
        add_numbers(first, "ACME-BAKERY", ["+44-1134960001", "+44-1134960002"])
        ok(oci(first, c.GroupModifyRequest(**group_key(), calling_line_id_phone_number="+44-1134960001")))
        ok(oci(first, c.GroupAdminAddRequest(**group_key(), user_id="jo.bloggs@hostedcomm.com", first_name="Jo")))
    finally:
        first.stop()
    assert not list(state_path.parent.glob(".*.tmp"))  # written atomically

    second = start(state_path)
    try:
        assert ok(oci(second, c.GroupGetRequest24(**group_key()))).calling_line_id_phone_number == "+44-1134960001"
        assert ok(oci(second, c.GroupDnGetListRequest(**group_key()))).phone_number == [
            "+44-1134960001",
            "+44-1134960002",
        ]
        admins = ok(oci(second, c.GroupAdminGetListRequest(**group_key()))).group_admin_table.to_dict()
        assert [r["administrator_id"] for r in admins] == ["jo.bloggs@hostedcomm.com"]
        ok(oci(second, c.GroupVoiceMessagingGroupGetVoicePortalRequest21sp1(**group_key())))
        refused(clone_group(second, "ACME-BAKERY", "Again"), "Group already exists")
    finally:
        second.stop()


# -- fault injection --------------------------------------------------------------------------------


def test_transient_faults_fail_one_request_and_the_next_succeeds(sim):
    request = c.GroupGetRequest24(service_provider_id=CLONE_SERVICE_PROVIDER_ID, group_id=CLONE)
    # Half a reply then a closed connection: the library does not wrap the XML parser's error.
    sim.fail_next("drop", request="GroupGetRequest24")
    with pytest.raises(ExpatError):
        oci(sim, request)
    ok(oci(sim, request))

    sim.fail_next("reset")
    with pytest.raises(MErrorSocketDropped):
        oci(sim, request)
    ok(oci(sim, request))

    sim.fail_next("disconnect")
    with pytest.raises(ExpatError):
        oci(sim, request)
    ok(oci(sim, request))

    sim.fail_next("delay", delay_seconds=1.3)
    with pytest.raises(MErrorSocketTimeout):
        oci(sim, request, read_timeout=1)
    ok(oci(sim, request, read_timeout=1))
    assert sim.faults.pending() == []


def test_a_dropped_reply_may_hide_a_change_that_happened(sim):
    """Why every build step checks before it acts: the group exists although the call failed."""
    sim.fail_next("drop", request="GroupConsolidatedAddRequest")
    with pytest.raises(ExpatError):
        clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd")
    ok(oci(sim, c.GroupGetRequest24(**group_key())))
    refused(clone_group(sim, "ACME-BAKERY", "Acme Bakery Ltd"), "Group already exists")


def test_a_permanent_fault_returns_an_error_response(sim):
    request = c.ServiceProviderGetRequest22V4(service_provider_id=PARTNER)
    sim.fail_next("error", count=2, error_code=4242, summary="[Error 4242] Simulated refusal")
    first, second = oci(sim, request), oci(sim, request)
    assert (first.error_code, first.summary) == (4242, "[Error 4242] Simulated refusal")
    assert second.error_code == 4242
    ok(oci(sim, request))


def test_faults_and_reply_delay_are_set_by_another_process_through_the_faults_file(sim, state_path):
    path = faults_path_for(state_path)
    assert path == state_path.parent / "broadworks.faults.json"
    write_faults(path, [make_fault("error", request="GroupGetRequest24")], reply_delay_seconds=0.1)

    ok(oci(sim, c.ServiceProviderGetRequest22V4(service_provider_id=PARTNER)))  # another request type: untouched
    refused(oci(sim, c.GroupGetRequest24(**group_key("ANY"))), "Simulated permanent failure")
    assert json.loads(path.read_text())["faults"] == []  # used up, visible to the other process

    started = time.monotonic()
    ok(oci(sim, c.ServiceProviderGetRequest22V4(service_provider_id=PARTNER)))
    assert time.monotonic() - started >= 0.1 * 3  # authentication, login, request
    sim.clear_faults()


def test_the_command_line_writes_the_faults_file(state_path):
    assert main(["--state", str(state_path), "--set-fault", "error:2:GroupAdminAddRequest", "--set-fault", "drop"]) == 0
    faults = json.loads(faults_path_for(state_path).read_text())["faults"]
    assert [(f["kind"], f["count"], f["request"]) for f in faults] == [
        ("error", 2, "GroupAdminAddRequest"),
        ("drop", 1, None),
    ]


def test_main_serves_until_terminated_and_preloads_the_demo(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = tmp_path / "broadworks.json"
    env = {**os.environ, "BROADWORKS_SIM_PASSWORD": PASSWORD, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "integrations.broadworks.simulator", "--port", str(port), "--state", str(state)]
    process = subprocess.Popen(  # noqa: S603
        [*command, "--preload-demo", "--admin-user", ADMIN, "--log-level", "WARNING"], cwd=REPO_ROOT, env=env
    )
    try:
        deadline = time.monotonic() + 30  # it loads the OCI-P schema first: seconds, more on a busy machine
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "the simulator did not start"
                time.sleep(0.05)

        class Port:
            pass

        server = Port()
        server.port = port
        sp = ok(oci(server, c.ServiceProviderGetRequest22V4(service_provider_id=PARTNER)))
        assert sp.service_provider_name == "Acme Telecom"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    assert PARTNER in json.loads(state.read_text())["service_providers"]
