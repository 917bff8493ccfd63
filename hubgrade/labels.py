"""Labels on every Docker object a run creates, so that leftovers can be found and removed.

Each run has an id. Its containers, networks and images carry ``hubgrade.run`` (the id),
plus the host name, process id and start time of the hubgrade process that owns them.
An object whose owner process is gone on this host is a leftover of a killed run.
Objects of other live hubgrade processes (a parallel batch, another terminal) are kept.
"""

from __future__ import annotations

import os
import secrets
import socket
import time

import psutil

# Docker's builder applies labels one step at a time in the order of their names, and
# another run may look at the intermediate images meanwhile. The owner labels sort
# before the run label, so that an image that carries the run label names its owner.
RUN_LABEL = "hubgrade.run"
HOST_LABEL = "hubgrade.owner-host"
PID_LABEL = "hubgrade.owner-pid"
STARTED_LABEL = "hubgrade.owner-started"
# Cached dependency images are kept across runs on purpose and carry this label instead.
CACHE_LABEL = "hubgrade.cache"

_PROCESS_STARTED = time.time()


def new_run_id() -> str:
    return f"hg-{secrets.token_hex(4)}"


def run_labels(run_id: str) -> dict[str, str]:
    return {
        RUN_LABEL: run_id,
        HOST_LABEL: socket.gethostname(),
        PID_LABEL: str(os.getpid()),
        STARTED_LABEL: f"{_PROCESS_STARTED:.0f}",
    }


def is_orphan(labels: dict[str, str]) -> bool:
    """Return whether the object's owner process has ended (only known on the same host)."""
    if labels.get(HOST_LABEL) != socket.gethostname():
        return False
    try:
        pid = int(labels.get(PID_LABEL, ""))
        started = float(labels.get(STARTED_LABEL, ""))
    except ValueError:
        # An object without owner labels may belong to a live run, so it is left alone.
        return False
    try:
        process = psutil.Process(pid)
        # A recycled pid belongs to a process that started after the owner did.
        return process.create_time() > started + 1
    except psutil.Error:
        return True
