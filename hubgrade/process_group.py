"""Child processes that do not outlive hubgrade, and host process groups it reaps.

A killed hubgrade cannot clean up after itself. Its direct children get SIGKILL from
the kernel when it dies (Linux ``PR_SET_PDEATHSIG``). The local runner's server runs in
a process group whose id is written to a state file. The next run kills the groups whose
owner process has ended.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from pathlib import Path

import psutil

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies.

    Called by the child itself: a ``preexec_fn`` would make ``subprocess`` fork, and a
    Ctrl-C during that fork is lost in an at-fork hook.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    folder = Path(base) / "hubgrade" / "process-groups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def record_group(pgid: int) -> Path:
    """Write ``<pgid>`` owned by this process; remove the file with ``forget_group``."""
    path = state_dir() / str(pgid)
    owner = psutil.Process()
    path.write_text(f"{owner.pid} {owner.create_time()}\n", encoding="utf-8")
    return path


def forget_group(pgid: int) -> None:
    (state_dir() / str(pgid)).unlink(missing_ok=True)


def reap_orphan_groups() -> int:
    """Kill the process groups recorded by hubgrade processes that have ended."""
    killed = 0
    for path in state_dir().iterdir():
        if not path.name.isdigit() or _owner_alive(path):
            continue
        pgid = int(path.name)
        try:
            os.killpg(pgid, signal.SIGKILL)
            killed += 1
            logger.info("killed process group %d left behind by an earlier run", pgid)
        except ProcessLookupError:
            pass
        except PermissionError as exc:
            logger.warning("could not kill process group %d left behind by an earlier run: %s", pgid, exc)
            continue
        path.unlink(missing_ok=True)
    return killed


def _owner_alive(path: Path) -> bool:
    try:
        pid_text, started_text = path.read_text(encoding="utf-8").split()
        process = psutil.Process(int(pid_text))
        return abs(process.create_time() - float(started_text)) < 1
    except (ValueError, OSError, psutil.Error):
        return False
