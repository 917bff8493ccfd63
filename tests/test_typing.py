import importlib.util
import subprocess
import sys

import pytest

from tests.conftest import REPO


def test_mypy_strict_passes() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed; install the dev extra: pip install '.[dev]'")
    completed = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
