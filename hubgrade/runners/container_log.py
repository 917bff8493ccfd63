"""The server's log as Docker's json-file driver stores it, and when it passed its limit.

The driver wraps every line in JSON and rotates its file once the file reaches the size
limit. What ``docker logs`` returns is the output without that wrapping, so its length is a
poor measure of the stored size: a megabyte of short lines fills several megabytes of
file. The estimate below adds the wrapping back, and stays under the real size.
"""

from __future__ import annotations

LOG_FILES = 3
MIB = 1024 * 1024
# Each line is stored as {"log":"...\n","stream":"stdout","time":"..."} and a newline:
# 38 bytes of keys and quotes, one for the escaped newline, and a timestamp of 20 bytes
# or more (Docker drops trailing zeros from its nanoseconds).
LINE_WRAPPING_BYTES = 59


def log_options(limit_mib: int) -> dict[str, str]:
    """Return json-file options that keep up to ``LOG_FILES`` files of ``limit_mib`` each.

    Once the log has rotated twice, three files keep two full ones, which is more than
    the limit even by the lower estimate below. So a read that falls just after a
    rotation still finds the limit reached. Nothing is dropped before three times the limit.
    """
    return {"max-size": f"{limit_mib}m", "max-file": str(LOG_FILES)}


def stored_bytes(log: str) -> int:
    """Return a lower bound of the bytes the json-file driver used to store ``log``."""
    return len(log.encode("utf-8", errors="replace")) + log.count("\n") * LINE_WRAPPING_BYTES


def over_limit(log: str, limit_mib: int) -> bool:
    """Return whether the stored log has passed its limit, so its first file has rotated."""
    return stored_bytes(log) >= limit_mib * MIB


def limit_message(limit_mib: int) -> str:
    return (
        f"the server printed more than {limit_mib} MiB of output, which costs no points; "
        f"its log keeps only the latest {LOG_FILES * limit_mib} MiB"
    )
