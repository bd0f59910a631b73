"""Logged-in OCI-P sessions kept for the life of a process, so a build does not log in per call.

Every call used to open a connection and log in first (three round trips for one request). Now
each process keeps one mercury-ocip-fast `Client` per set of connection settings on an event loop
of its own (a daemon thread), and the client's own session pool keeps its sessions: it reuses a
healthy one, opens another while all are busy (up to `BROADWORKS_SESSIONS`), and drops one that
broke mid-exchange, whose peer closed it or that outlived its time to live. The gateway's
synchronous methods hand each exchange to that loop and wait for it, so any number of worker
threads share the sessions safely.

A forked process (Celery's prefork children) starts a loop of its own: the parent's thread is not
there. A session the platform ended without closing it ("not logged in", "invalid session") is
dropped by `reset`, so the next call logs in afresh."""

import asyncio
import os
import threading
from collections.abc import Callable, Hashable
from typing import Any


class SessionKeeper:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clients: dict[Hashable, Any] = {}

    def _loop_for_this_process(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._pid != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="broadworks-ocip", daemon=True).start()
            self._loop, self._pid, self._clients = loop, os.getpid(), {}
        return self._loop

    def run(self, key: Hashable, make_client: Callable[[], Any], requests: Any, *, timeout: float) -> Any:
        """Send `requests` on a kept session of the client for `key` (made by `make_client` the first
        time); the whole exchange, a login included, is bounded by `timeout` seconds."""
        with self._lock:
            loop = self._loop_for_this_process()
            client = self._clients.get(key)
            if client is None:
                # One client at a time: settings that changed (another platform, a test's simulator)
                # leave the old client's sessions to be closed.
                for old in self._clients.values():
                    asyncio.run_coroutine_threadsafe(old.close(), loop)
                client = make_client()
                self._clients = {key: client}
        return asyncio.run_coroutine_threadsafe(_exchange(client, requests, timeout), loop).result()

    def reset(self, key: Hashable) -> None:
        """Forget the client for `key` and close its sessions: the next call logs in afresh."""
        with self._lock:
            client = self._clients.pop(key, None)
            if client is not None and self._loop is not None and self._pid == os.getpid():
                asyncio.run_coroutine_threadsafe(client.close(), self._loop)


async def _exchange(client: Any, requests: Any, timeout: float) -> Any:
    async def send() -> Any:
        await client.__aenter__()  # sets the client up the first time; a no-op after that
        return await client.command(requests)

    # Each read is bounded by the read timeout; this bounds the whole exchange against a peer that
    # trickles. A cancelled exchange's session is dropped by the pool, never reused half-read.
    return await asyncio.wait_for(send(), timeout=timeout)


SESSIONS = SessionKeeper()
