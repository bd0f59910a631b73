"""Run a simulator for real, over a socket: uvicorn in a thread, or the module's own entry point in a
child process. Used by the Akixi and the Call Cabinet simulator tests."""

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

REPO_ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving_in_thread(app):
    """uvicorn on an ephemeral port bound before the thread starts, so there is no race for it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@contextmanager
def serving_in_process(module: str, state: Path, *, env: dict | None = None, args: list[str] | None = None):
    """`python -m <module> --host 127.0.0.1 --port N --state <state>`; killed with SIGKILL at the end,
    so whatever is on disk then is what an unclean stop leaves behind."""
    port = free_port()
    command = [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port), "--state", str(state)]
    process = subprocess.Popen(
        [*command, "--log-level", "warning", *(args or [])],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                httpx.get(f"{base_url}/_sim/faults", timeout=0.5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the simulator did not start"
                time.sleep(0.05)
        yield base_url
    finally:
        process.kill()
        process.wait(5)
        process.stderr.close()
