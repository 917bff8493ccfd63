"""The channel between the grading process and the pytest process that runs a grader.

The runner (and so the learner's server) lives in the hubgrade process, while the
grader runs in a pytest subprocess so that every run imports grader modules afresh.
The subprocess requests the server log or a restart through a Unix socket: one JSON
object per line each way, ``{"op": ...}`` in and ``{"ok": true, ...}`` or
``{"ok": false, "error": "..."}`` out.
"""

from __future__ import annotations

import json
import logging
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hubgrade.interrupts import keep_signals_off_this_thread

logger = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], dict[str, Any]]
# shutdown() waits for the serving loop's next poll, so a long interval delays every check's end.
POLL_SECONDS = 0.05


class ControlServer:
    """Serve grader requests on a Unix socket with ``handler(op, request) -> reply``."""

    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        outer_handler = handler

        class _RequestHandler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                for line in self.rfile:
                    reply = _dispatch(outer_handler, line)
                    try:
                        self.wfile.write(json.dumps(reply).encode() + b"\n")
                        self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        # The grader ended first, for example on Ctrl-C, so the reply has no reader.
                        return

        self._server = socketserver.ThreadingUnixStreamServer(str(path), _RequestHandler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, name="hubgrade-control", daemon=True)

    def _serve(self) -> None:
        # The request threads start from this one, so they keep the block too.
        keep_signals_off_this_thread()
        self._server.serve_forever(poll_interval=POLL_SECONDS)

    def __enter__(self) -> ControlServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.path.unlink(missing_ok=True)


def _dispatch(handler: Handler, line: bytes) -> dict[str, Any]:
    try:
        request = json.loads(line)
        return {"ok": True, **handler(str(request["op"]), request)}
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the grader as a reply
        logger.warning("control request %r failed: %s", line[:200], exc)
        return {"ok": False, "error": str(exc)}


class ControlClient:
    """The grader side: one request at a time over a fresh connection."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout

    def call(self, op: str, **arguments: Any) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(self.timeout)
            connection.connect(self.path)
            connection.sendall(json.dumps({"op": op, **arguments}).encode() + b"\n")
            reply = connection.makefile("rb").readline()
        if not reply:
            raise RuntimeError(f"hubgrade did not reply to {op!r}")
        decoded: dict[str, Any] = json.loads(reply)
        if not decoded.get("ok"):
            raise RuntimeError(f"{op} failed: {decoded.get('error')}")
        return decoded
