"""A plain `pip install .` carries the catalog: assignments, graders and templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_ships_the_catalog(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(REPO)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    [wheel] = tmp_path.glob("hubgrade-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for assignment_id in ("hello-world", "calculator", "todo-crud"):
        assert f"hubgrade/_data/assignments/{assignment_id}/assignment.yaml" in names
        assert f"hubgrade/_data/assignments/{assignment_id}/spec.md" in names
        assert f"hubgrade/_data/templates/entry/{assignment_id}.js.j2" in names
        assert any(name.startswith(f"hubgrade/_data/graders/{assignment_id}/test_") for name in names)
    assert "hubgrade/_data/templates/project/package.json.j2" in names
    assert not any("__pycache__" in name or "/tests/" in name for name in names)
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "hubgrade = hubgrade.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_command_works_from_another_folder(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "hubgrade"
    completed = subprocess.run([str(command), "list", "--json"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert '"id": "todo-crud"' in completed.stdout
