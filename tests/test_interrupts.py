"""An interrupt whose exception Python drops still stops the run."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

# SIGTERM arrives while a finalizer runs: Python prints the handler's KeyboardInterrupt
# as ignored and goes on, and only the remembered interrupt can stop the run.
LOST_INTERRUPT = """\
import os
import signal

from hubgrade.interrupts import raise_if_interrupted, stop_on_sigterm

stop_on_sigterm()


class Finalized:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):
            pass


Finalized()
print("went on", flush=True)
try:
    raise_if_interrupted()
except KeyboardInterrupt:
    print("interrupt kept")
"""


def test_dropped_interrupt_is_remembered() -> None:
    run = subprocess.run(
        [sys.executable, "-c", LOST_INTERRUPT], cwd=REPO, capture_output=True, text=True, timeout=30, check=False
    )
    assert "Exception ignored" in run.stderr
    assert "KeyboardInterrupt" in run.stderr
    assert run.stdout.splitlines() == ["went on", "interrupt kept"]
