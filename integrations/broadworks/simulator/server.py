"""The simulated BroadWorks on the network: a threaded TCP server (optionally TLS) that reads one
OCI-P document at a time from each connection, applies any injected fault, and answers it.

    server = OCIPSimulator(("127.0.0.1", 0), state_path=...)
    server.start_in_thread()   # tests; `serve_forever()` from the command line (cli.py)
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import ssl
import struct
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from . import handlers, schema
from .catalogue import SYSTEM_DOMAINS
from .errors import OCIError
from .faults import faults_path_for, make_fault, matching, ocip_faults
from .protocol import END_OF_DOCUMENT, MAX_DOCUMENT_BYTES, document, error_command, parse_document
from .session import Session
from .state import BroadWorksState

logger = logging.getLogger(__name__)

DEFAULT_ADMIN_USER = "portal-admin"
DEFAULT_ADMIN_PASSWORD = "simulator"  # demo only; set BROADWORKS_SIM_PASSWORD to change it


class _Handler(socketserver.BaseRequestHandler):
    """One connection: documents in, replies out, until the peer or a fault closes it."""

    server: OCIPSimulator

    def handle(self) -> None:
        sock = self.request
        server = self.server
        if server.ssl_context is not None:
            sock.settimeout(10)
            try:
                sock = server.ssl_context.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError) as exc:
                logger.info("BroadWorks simulator: TLS handshake with %s failed: %s", self.client_address, exc)
                return
            sock.settimeout(None)
        server._track(sock)
        session = Session(
            self.client_address, admins=server.admins, system_domain=server.system_domain, on_login=server.count_login
        )
        buffer = b""
        try:
            while True:
                while END_OF_DOCUMENT not in buffer:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                    if len(buffer) > MAX_DOCUMENT_BYTES:
                        logger.warning("BroadWorks simulator: document from %s too large", self.client_address)
                        return
                end = buffer.index(END_OF_DOCUMENT) + len(END_OF_DOCUMENT)
                # The client writes "\n" after each document, sometimes in a packet (or TLS record) of its
                # own: whitespace before the XML declaration is not allowed, so it goes.
                raw, buffer = buffer[:end].lstrip(), buffer[end:]
                if not server.answer(sock, session, raw):
                    return
        except OSError:
            return  # the peer went away, or the server is stopping
        finally:
            server._untrack(sock)
            with contextlib.suppress(OSError):
                sock.close()


class OCIPSimulator(socketserver.ThreadingTCPServer):
    """The simulated BroadWorks: `OCIPSimulator(("127.0.0.1", 0), state_path=...)`, then
    `start_in_thread()` (tests) or `serve_forever()` (main). `admins` maps each OCI-P login user to
    its password; the faults file defaults to the one beside the state file."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        *,
        state_path: Path | str | None = None,
        admins: dict[str, str] | None = None,
        tls_cert: Path | str | None = None,
        tls_key: Path | str | None = None,
        faults_path: Path | str | None | bool = True,
        system_domain: str = SYSTEM_DOMAINS[1],
    ) -> None:
        self.state = BroadWorksState(state_path)
        self.state.save()
        # The schema takes seconds to import: before the first client waits on it, not during.
        schema.load()
        if faults_path is True:
            faults_path = faults_path_for(state_path) if state_path else None
        self.faults = ocip_faults(faults_path or None)
        self.admins = dict(admins or {DEFAULT_ADMIN_USER: DEFAULT_ADMIN_PASSWORD})
        self.system_domain = system_domain
        self.ssl_context: ssl.SSLContext | None = None
        if tls_cert:
            self.ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ssl_context.load_cert_chain(tls_cert, tls_key)
        self._sockets: set[socket.socket] = set()
        self.logins = 0  # successful logins since start: what a client that keeps its sessions saves
        self._logins_lock = threading.Lock()
        self._sockets_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(address, _Handler)

    # -- life cycle -------------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start_in_thread(self) -> OCIPSimulator:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="broadworks-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every open connection (as a restart would), release the port."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
            self._thread = None
        with self._sockets_lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.server_close()

    def count_login(self) -> None:
        with self._logins_lock:
            self.logins += 1

    def _track(self, sock: socket.socket) -> None:
        with self._sockets_lock:
            self._sockets.add(sock)

    def _untrack(self, sock: socket.socket) -> None:
        with self._sockets_lock:
            self._sockets.discard(sock)

    # -- fault control (tests, demo) ------------------------------------------------------------------
    def fail_next(self, kind: str = "error", **options: Any) -> None:
        """Make the next request(s) fail: see FAULT_KINDS and `make_fault` for the options."""
        fault = make_fault(kind, **options)
        self.faults.update(lambda faults: faults["faults"].append(fault))

    def set_reply_delay(self, seconds: float) -> None:
        self.faults.update(lambda faults: faults.update(reply_delay_seconds=float(seconds)))

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- one request document -----------------------------------------------------------------------
    def answer(self, sock: socket.socket, session: Session, raw: bytes) -> bool:
        """Answer one document on `sock`; False when the connection is to be closed."""
        arrived = time.monotonic()
        try:
            session_id, commands = parse_document(raw)
        except OCIError as exc:
            logger.info("BroadWorks simulator: unreadable document from %s: %s", session.peer, exc.summary)
            sock.sendall(document("", [error_command(exc)]))
            return True
        types = [t for t, _ in commands]
        fault, current = self.faults.take(matching(types))
        kind = fault["kind"] if fault else None
        if fault:
            logger.info("BroadWorks simulator: injecting %s fault on %s", kind, ",".join(types))
        if kind == "disconnect":
            return False
        if fault and kind == "error":
            injected = OCIError(
                fault["error_code"], "", detail="Injected by the simulator's fault settings", summary=fault["summary"]
            )
            replies = [error_command(injected)] * len(commands)
        else:
            replies = [self._reply(session, session_id, t, el) for t, el in commands]
        # The reply delay is the platform's time to answer, counted from the request's arrival: the
        # simulator's own work is part of it, as a real platform's is (a "delay" fault comes on top).
        delay = current["reply_delay_seconds"] - (time.monotonic() - arrived)
        delay += fault["delay_seconds"] if fault and kind == "delay" else 0.0
        if delay > 0:
            time.sleep(delay)
        reply = document(session_id, replies)
        if kind in ("drop", "reset"):
            sock.sendall(reply[: len(reply) // 2])
            if kind == "reset":
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        sock.sendall(reply)
        return True

    def _reply(self, session: Session, session_id: str, request_type: str, el: ET.Element) -> str:
        """A request the schema does not allow is refused before anything reads it; then the login
        handshake is the connection's, and every other request is the platform's."""
        try:
            schema.check_request(request_type, el)
        except OCIError as exc:
            logger.info("BroadWorks simulator: %s refused by the schema: %s", request_type or "?", exc.summary)
            return error_command(exc)
        handshake = session.answer(session_id, request_type, el)
        return handshake if handshake is not None else handlers.execute(self.state, request_type, el)
