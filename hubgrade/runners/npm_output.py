"""Extract the part of a failed npm command's output that explains why it failed."""

from __future__ import annotations

import re

# npm prints the command's usage after some errors, which pushes the reason out of a
# short tail. The usage block starts with one of these lines.
_USAGE_START = re.compile(r"^npm (error|ERR!) (Usage:|Clean install a project|Install a package)")
_LOG_POINTER = re.compile(r"^npm (error|ERR!) A complete log of this run can be found in")
MAX_LINES = 40


def failure_reason(output: str, inside_container: bool) -> str:
    """Return npm's output without its usage text, and without a log path that will be gone.

    A log file inside a build container is removed with the container, so pointing at it
    only misleads.
    """
    lines = output.rstrip().splitlines()
    kept: list[str] = []
    in_usage = False
    for line in lines:
        if _USAGE_START.match(line):
            in_usage = True
        if _LOG_POINTER.match(line):
            in_usage = False
            if inside_container:
                continue
        if not in_usage:
            kept.append(line)
    while kept and kept[-1].strip() in ("npm error", "npm ERR!", ""):
        kept.pop()
    return "\n".join(kept[-MAX_LINES:])
