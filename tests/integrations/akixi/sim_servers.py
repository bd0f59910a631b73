"""Run a simulator for real, over a socket: uvicorn in a thread, or the module's own entry point in a
child process; and `Recording`, which keeps what a client sent. Used by the Akixi and the Call
Cabinet simulator tests."""

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs

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
    deadline = time.monotonic() + 15
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
        deadline = time.monotonic() + 30  # a busy machine (CI runs two test processes) starts it slowly
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


class Recording:
    """ASGI middleware keeping every request an app is sent, as it arrived on the wire: method, path,
    query, headers (lower-case names) and body. What a client really sends, for contract tests."""

    def __init__(self, app):
        self.app = app
        self.requests = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages, more = [], True
        while more:
            message = await receive()
            messages.append(message)
            more = message.get("type") == "http.request" and message.get("more_body", False)
        self.requests.append(
            SimpleNamespace(
                method=scope["method"],
                path=scope["path"],
                query=parse_qs(scope["query_string"].decode()),
                headers={name.decode().lower(): value.decode() for name, value in scope["headers"]},
                body=b"".join(m.get("body", b"") for m in messages),
            )
        )

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
