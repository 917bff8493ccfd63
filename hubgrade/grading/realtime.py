"""Socket.IO clients for graders, with time-bounded waits for events and acknowledgements.

Every failure raises ``CheckFailed`` with a message a learner can act on: which client
waited, for which event, for how long, and every event it received instead. A grader
opens clients through ``SocketClients`` and closes them all when the check ends, so that
no connection outlives its check.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import socketio
from socketio import exceptions as socketio_errors

from hubgrade.grading.curl import LEARNER_PORT, excerpt
from hubgrade.grading.expect import CheckFailed

# How long an event or an acknowledgement that must come may take, in seconds.
EVENT_SECONDS = 2.0
# How long a client listens to show that an event does not come, in seconds.
SILENCE_SECONDS = 0.5
# Time for the WebSocket handshake and the Socket.IO connect packet, in seconds.
CONNECT_SECONDS = 5.0
SOCKETIO_PATH = "socket.io"
# The events a failure message lists at most, the newest last.
SHOWN_EVENTS = 8


@dataclass(frozen=True)
class ReceivedEvent:
    """One event the server sent to a client: its name and its arguments."""

    name: str
    args: tuple[Any, ...]

    @property
    def payload(self) -> Any:
        """Return the only argument, the argument list when there are several, or None."""
        if len(self.args) == 1:
            return self.args[0]
        return list(self.args) if self.args else None

    def describe(self) -> str:
        return f"{self.name} {show(self.payload)}"


def show(value: object) -> str:
    """Return ``value`` as compact JSON for a message, cut to 200 characters."""
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return excerpt(text, 200)


class SocketClient:
    """One Socket.IO connection to the learner's server that records every event it receives.

    ``label`` names the client in messages, such as "the client of ana-3f9a1c in room cedar-1b2c3d".
    """

    def __init__(self, base_url: str, label: str) -> None:
        self.base_url = base_url
        self.label = label
        self._events: list[ReceivedEvent] = []
        self._changed = threading.Condition()
        self._closed = False
        self._client: Any = socketio.Client(
            reconnection=False, handle_sigint=False, request_timeout=CONNECT_SECONDS
        )
        self._client.on("*", self._record)
        self._client.on("disconnect", self._on_disconnect)

    def _record(self, name: str, *args: Any) -> None:
        with self._changed:
            self._events.append(ReceivedEvent(name, args))
            self._changed.notify_all()

    def _on_disconnect(self, *_details: Any) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def connect(self) -> None:
        """Connect over WebSocket, failing the check when the server does not accept the connection."""
        try:
            self._client.connect(
                self.base_url, transports=["websocket"], socketio_path=SOCKETIO_PATH, wait_timeout=CONNECT_SECONDS
            )
        except socketio_errors.ConnectionError as exc:
            raise CheckFailed(
                f"{self.label}: could not connect a Socket.IO client to {learner_url()} "
                f"(path /{SOCKETIO_PATH}/, WebSocket transport): {connection_failure(exc)}. "
                "Is a socket.io Server attached to the HTTP server that listens on PORT?"
            ) from exc
        with self._changed:
            self._closed = False

    def call(self, event: str, *args: Any, timeout: float = EVENT_SECONDS) -> Any:
        """Emit ``event`` with an acknowledgement callback and return what the server passed to it."""
        replies: list[tuple[Any, ...]] = []
        answered = threading.Event()

        def on_ack(*reply: Any) -> None:
            replies.append(reply)
            answered.set()

        self._send(event, args, on_ack)
        if not answered.wait(timeout):
            raise CheckFailed(
                f"{self.label} sent {describe_emit(event, args)} with an acknowledgement callback, "
                f"but the server did not call it within {timeout:g} s{self._closed_note()}"
            )
        reply = replies[0]
        if len(reply) == 1:
            return reply[0]
        return list(reply) if reply else None

    def emit(self, event: str, *args: Any) -> None:
        """Emit ``event`` without waiting for anything."""
        self._send(event, args, None)

    def _send(self, event: str, args: tuple[Any, ...], callback: Callable[..., None] | None) -> None:
        data = args[0] if len(args) == 1 else (args or None)
        try:
            self._client.emit(event, data, callback=callback)
        except socketio_errors.SocketIOError as exc:
            raise CheckFailed(
                f"{self.label} could not send {describe_emit(event, args)}: the connection is closed"
                f"{self._closed_note()}"
            ) from exc

    def received(self, event: str) -> list[ReceivedEvent]:
        with self._changed:
            return [item for item in self._events if item.name == event]

    def wait_for(
        self,
        event: str,
        match: Callable[[Any], bool] | None = None,
        *,
        timeout: float = EVENT_SECONDS,
        reason: str = "",
        matching: str = "",
    ) -> Any:
        """Return the payload of the first ``event`` that ``match`` accepts, waiting up to ``timeout`` seconds.

        ``reason`` names what should have sent the event, as in "after ana-3f9a1c joined", and
        ``matching`` what ``match`` looks for, as in 'with text "hello"'.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for item in self._events:
                    if item.name == event and (match is None or match(item.payload)):
                        return item.payload
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
        reason_note = f" {reason}" if reason else ""
        match_note = f" {matching}" if matching else ""
        raise CheckFailed(
            f"{self.label} received no {event} event{match_note} within {timeout:g} s{reason_note}"
            f"{self._closed_note()}; {self.describe_received()}"
        )

    def expect_no(
        self, event: str, match: Callable[[Any], bool] | None = None, *, until: float, reason: str
    ) -> None:
        """Fail when an ``event`` that ``match`` accepts arrives before the monotonic time ``until``.

        ``reason`` explains why the event must not come, as in "it is in another room".
        """
        with self._changed:
            while True:
                for item in self._events:
                    if item.name == event and (match is None or match(item.payload)):
                        raise CheckFailed(f"{self.label} received {item.describe()}, but {reason}")
                remaining = until - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(remaining)

    def describe_received(self) -> str:
        with self._changed:
            events = list(self._events)
        if not events:
            return "it received no events at all"
        listing = "; ".join(item.describe() for item in events[-SHOWN_EVENTS:])
        earlier = len(events) - SHOWN_EVENTS
        more = f" (and {earlier} earlier)" if earlier > 0 else ""
        return f"it received{more}: {listing}"

    def _closed_note(self) -> str:
        with self._changed:
            closed = self._closed
        return " (the connection was closed; did the server crash? See its log below)" if closed else ""

    def disconnect(self) -> None:
        """Close the connection; safe to call more than once."""
        if self._client.connected:
            self._client.disconnect()


class SocketClients:
    """The Socket.IO clients of one check; ``close()`` disconnects every one of them."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._clients: list[SocketClient] = []

    def connect(self, label: str) -> SocketClient:
        client = SocketClient(self.base_url, label)
        self._clients.append(client)
        client.connect()
        return client

    def expect_silence(
        self,
        clients: list[SocketClient],
        event: str,
        match: Callable[[Any], bool] | None = None,
        *,
        reason: str,
        seconds: float = SILENCE_SECONDS,
    ) -> None:
        """Listen on all ``clients`` at once for ``seconds`` and fail if any receives a matching ``event``."""
        until = time.monotonic() + seconds
        for client in clients:
            client.expect_no(event, match, until=until, reason=reason)

    def close(self) -> None:
        for client in self._clients:
            try:
                client.disconnect()
            except Exception:  # noqa: BLE001 - a failed close must not hide the check's own result
                continue
        self._clients.clear()


def connection_failure(exc: BaseException) -> str:
    """Return the first cause of a failed connection, such as "Handshake status 404 Not Found".

    python-socketio raises a bare "Connection error" and keeps the WebSocket or socket
    error that explains it in the exception chain.
    """
    cause = exc
    parent = exc.__cause__ or exc.__context__
    while parent is not None:
        cause = parent
        parent = cause.__cause__ or cause.__context__
    # websocket-client appends the response headers and body after " -+-+- ".
    text = str(cause).split(" -+-+- ", 1)[0].strip()
    return excerpt(text or type(cause).__name__, 200)


def describe_emit(event: str, args: tuple[Any, ...]) -> str:
    arguments = ", ".join(show(arg) for arg in args)
    return f"{event} {arguments}" if arguments else event


def learner_url() -> str:
    """Return the address the learner's own server listens on by default, as curl commands show it."""
    return f"http://localhost:{LEARNER_PORT}"
