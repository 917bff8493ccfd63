"""Batch progress on the terminal: done, running, failed, elapsed and an estimate.

It is shown only when stderr is a terminal. Elsewhere (CI logs, redirected output) it
prints nothing, and the logs and the final summary line report what happened.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.text import Text

from hubgrade.batch import Progress


class BatchProgress:
    def __init__(self, console: Console) -> None:
        self.console = console
        self._live: Live | None = None

    def __enter__(self) -> BatchProgress:
        if self.console.is_terminal:
            self._live = Live(Text("starting"), console=self.console, refresh_per_second=4, transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._live is not None:
            self._live.__exit__(kind, error, trace)

    def update(self, progress: Progress) -> None:
        if self._live is not None:
            self._live.update(format_progress(progress))


def format_progress(progress: Progress) -> Text:
    elapsed = time.monotonic() - progress.started
    estimate = progress.estimate_seconds()
    remaining = f", about {estimate:.0f} s left" if estimate is not None else ""
    return Text(
        f"{progress.done + progress.skipped}/{progress.total} done ({progress.skipped} skipped), "
        f"{progress.running} running, {progress.failed} below the minimum or not graded, "
        f"{elapsed:.0f} s elapsed{remaining}"
    )
