"""Signals during a run: SIGTERM stops it like Ctrl-C, and clean-up is not interrupted."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


_received = threading.Event()


def stop_on_sigterm() -> None:
    """Make SIGTERM raise KeyboardInterrupt, so the same clean-up runs as for Ctrl-C.

    Ctrl-C gets the same handler, so that both are remembered for ``raise_if_interrupted``.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        _received.set()
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if an interrupt arrived but its exception was lost.

    Python prints and drops an exception raised while a finalizer (``__del__``) or a
    weak reference callback runs, and a signal handler can run just then.
    """
    if _received.is_set():
        raise KeyboardInterrupt


def keep_signals_off_this_thread() -> None:
    """Block Ctrl-C and SIGTERM in the calling thread, so that the kernel delivers them to another.

    A signal delivered to a helper thread leaves the main thread blocked in its system
    call until that call returns by itself, which during grading is when the grader
    ends. Threads started from this one inherit the block.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Ignore Ctrl-C and SIGTERM inside the block, so that clean-up runs to its end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
