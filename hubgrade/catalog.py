"""Locate the shipped catalog: assignments, graders and templates.

An installed wheel carries them under ``hubgrade/_data``; a source checkout (editable
install or running from the repository) has them beside the package. ``HUBGRADE_HOME``
points at another folder with the same three subfolders, for authors of a private catalog.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubgrade.errors import UsageError

_PACKAGE_DIR = Path(__file__).resolve().parent


def catalog_root() -> Path:
    """Return the folder that contains ``assignments/``, ``graders/`` and ``templates/``."""
    override = os.environ.get("HUBGRADE_HOME")
    if override:
        root = Path(override).expanduser().resolve()
        if not (root / "assignments").is_dir():
            raise UsageError(
                f"HUBGRADE_HOME={override} has no assignments/ folder; "
                "point it at a folder with assignments/, graders/ and templates/ or unset it"
            )
        return root
    installed = _PACKAGE_DIR / "_data"
    if (installed / "assignments").is_dir():
        return installed
    return _PACKAGE_DIR.parent


def assignments_dir() -> Path:
    return catalog_root() / "assignments"


def graders_dir() -> Path:
    return catalog_root() / "graders"


def templates_dir() -> Path:
    return catalog_root() / "templates"
