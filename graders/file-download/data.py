"""Data for file-download: the files the server serves, and secrets it must never serve.

``files/`` becomes FILES_DIR. ``secret.txt`` sits beside that folder, and
``files-private/keys.txt`` sits in a sibling folder whose path starts with the same
characters as FILES_DIR, so that a server which only checks that a resolved path starts
with FILES_DIR still leaks it.
"""

from __future__ import annotations

import random

WORDS = (
    "amber", "birch", "cedar", "delta", "ember", "fjord", "glade", "harbor", "indigo", "juniper",
    "kestrel", "lagoon", "maple", "nectar", "orchid", "prairie", "quartz", "raven", "sierra", "tundra",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SECRET_PATH = "secret.txt"
SIBLING_SECRET_PATH = "files-private/keys.txt"


def _token(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def _suffix(rng: random.Random) -> str:
    return f"{rng.getrandbits(24):06x}"


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _text_file(rng: random.Random) -> bytes:
    lines = [_sentence(rng, rng.randint(4, 12)).capitalize() + "." for _ in range(rng.randint(5, 30))]
    return ("\n".join(lines) + "\n").encode()


def _csv_file(rng: random.Random) -> bytes:
    rows = ["item,quantity,price"]
    for _ in range(rng.randint(5, 40)):
        rows.append(f"{rng.choice(WORDS)},{rng.randint(1, 99)},{rng.randint(100, 99_999) / 100:.2f}")
    return ("\r\n".join(rows) + "\r\n").encode()


def _json_file(rng: random.Random) -> bytes:
    entries = ", ".join(f'"{rng.choice(WORDS)}-{index}": {rng.randint(0, 9999)}' for index in range(rng.randint(3, 12)))
    return ("{" + entries + "}\n").encode()


def _binary_file(rng: random.Random, size: int) -> bytes:
    """Return random bytes that contain every byte value, invalid UTF-8 included."""
    values = list(range(256))
    rng.shuffle(values)
    return bytes(values) + rng.randbytes(size - 256)


def generate(rng: random.Random) -> dict[str, bytes]:
    """Generate five files with random names and contents, one name with a space, two binary."""
    names = {
        f"notes-{_suffix(rng)}.txt": _text_file(rng),
        f"{rng.choice(WORDS)} report-{_suffix(rng)}.csv": _csv_file(rng),
        f"settings-{_suffix(rng)}.json": _json_file(rng),
        f"photo-{_suffix(rng)}.png": PNG_SIGNATURE + _binary_file(rng, rng.randint(2_000, 20_000)),
        f"archive-{_suffix(rng)}.bin": _binary_file(rng, rng.randint(2_000, 30_000)),
    }
    files = {f"files/{name}": content for name, content in names.items()}
    files[SECRET_PATH] = f"secret {_token(rng)}\n".encode()
    files[SIBLING_SECRET_PATH] = f"private key {_token(rng)}\n".encode()
    return files
