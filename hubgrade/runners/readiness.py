"""Wait until a server responds to HTTP, telling apart the ways it can fail to.

Three outcomes besides "ready on PORT": the process exited (crashed), it listens on
another port than PORT (the caller grades against that port, with a warning), or it
never listened within the start-up limit. In a container, a server bound to 127.0.0.1
only cannot be reached through a published port; that is reported as its own failure.
"""

from __future__ import annotations

import ipaddress
import re
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from hubgrade.runners.base import StartupFailed, tail

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1
# Docker's embedded DNS server listens inside every container on a user-defined network.
DOCKER_DNS_ADDRESS = "127.0.0.11"
_LISTEN_STATE = "0A"


@dataclass(frozen=True)
class Listener:
    address: str
    port: int

    @property
    def loopback_only(self) -> bool:
        return ipaddress.ip_address(self.address).is_loopback


def parse_proc_net_tcp(text: str) -> list[Listener]:
    """Return the listening sockets in the text of /proc/net/tcp and /proc/net/tcp6."""
    listeners = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != _LISTEN_STATE or ":" not in fields[1]:
            continue
        address_hex, port_hex = fields[1].rsplit(":", 1)
        try:
            listeners.append(Listener(_decode_address(address_hex), int(port_hex, 16)))
        except ValueError:
            continue
    return listeners


def _decode_address(address_hex: str) -> str:
    """Decode the kernel's little-endian hex form of an IPv4 or IPv6 address."""
    raw = bytes.fromhex(address_hex)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return str(ipaddress.IPv6Address(words))


def responds_to_http(url: str, timeout: float = 1.0) -> bool:
    """Return whether anything at ``url`` sends back an HTTP response, whatever its status."""
    try:
        with httpx.Client(timeout=timeout) as client:
            client.get(url)
    except httpx.HTTPError:
        return False
    return True


@dataclass(frozen=True)
class Ready:
    port: int
    other_port: bool


# Node.js's error for an import it cannot resolve, as ESM and CommonJS word it.
_MISSING_IMPORT = re.compile(r"Cannot find (?:package|module) '([^']+)'")


def crash_hint(log: str) -> str:
    """Return advice for a crash whose cause the log shows, starting with "; ", or ""."""
    match = _MISSING_IMPORT.search(log)
    if match is None:
        return ""
    name = match.group(1)
    if name.startswith((".", "/")):
        return f"; it imports {name}, which is not there: check the path and the file extension"
    package = "/".join(name.split("/")[:2]) if name.startswith("@") else name.split("/")[0]
    return f"; it imports {package}, which is not installed: add it to dependencies with `npm install {package}`"


def wait_until_ready(
    *,
    expected_port: int,
    startup_seconds: float,
    probe: Callable[[int], bool],
    exit_code: Callable[[], int | None],
    listeners: Callable[[], list[Listener]],
    read_log: Callable[[], str],
    reject_loopback: bool,
) -> Ready:
    """Poll until the server responds on ``expected_port``, or listens on it or on another port.

    ``probe(port)`` sends one HTTP request, ``exit_code()`` is None while the server runs,
    and ``listeners()`` lists its listening sockets. Raises ``StartupFailed`` otherwise.
    """
    deadline = time.monotonic() + startup_seconds
    while True:
        code = exit_code()
        if code is not None:
            log = read_log()
            raise StartupFailed(
                "crashed",
                f"the server exited with code {code} before it responded to HTTP on port {expected_port}"
                + crash_hint(log),
                tail(log),
                exit_code=code,
            )
        if probe(expected_port):
            return Ready(expected_port, other_port=False)
        ready = _check_listeners(listeners(), expected_port, reject_loopback, read_log)
        if ready is not None:
            return ready
        if time.monotonic() >= deadline:
            raise StartupFailed(
                "no-listen",
                f"the server did not respond to HTTP on port {expected_port} within {startup_seconds:g} s; "
                "make sure it calls listen() with the port in the PORT environment variable",
                tail(read_log()),
            )
        time.sleep(POLL_SECONDS)


def _check_listeners(
    found: list[Listener], expected_port: int, reject_loopback: bool, read_log: Callable[[], str]
) -> Ready | None:
    found = [listener for listener in found if listener.address != DOCKER_DNS_ADDRESS]
    reachable = [listener for listener in found if not (reject_loopback and listener.loopback_only)]
    if found and not reachable:
        listener = found[0]
        raise StartupFailed(
            "loopback",
            f"the server listens on {listener.address} port {listener.port} only, which cannot be "
            "reached from outside its container; listen on all addresses (call listen(port) "
            "without a host, or with '0.0.0.0')",
            tail(read_log()),
        )
    ports = {listener.port for listener in reachable}
    if expected_port in ports:
        # Listening, but GET / did not respond within the probe's time-out: a slow or
        # unfinished route must cost the checks that use it, not the whole grade.
        logger.info("server listens on PORT=%d but GET / did not respond; grading anyway", expected_port)
        return Ready(expected_port, other_port=False)
    others = sorted(ports - {expected_port})
    if others and expected_port not in ports:
        logger.info("server listens on port %d instead of PORT=%d", others[0], expected_port)
        return Ready(others[0], other_port=True)
    return None
