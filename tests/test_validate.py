"""`hubgrade validate` on the shipped catalog and on broken assignments and solutions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.catalog_factory import write_catalog
from tests.conftest import SOLUTIONS, run_hubgrade

pytestmark = pytest.mark.docker


def test_shipped_assignment_validates() -> None:
    run = run_hubgrade("validate", "hello-world")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "hello-world: 7 checks, 100 points, starter renders" in run.stdout
    assert "hello-world/reference: score 100 as expected" in run.stdout
    assert "hello-world is valid" in run.stdout


def test_solution_that_scores_otherwise_fails_validation(tmp_path: Path) -> None:
    variant = tmp_path / "hello-world" / "claims-a-bug"
    shutil.copytree(SOLUTIONS / "hello-world" / "reference", variant)
    (variant / "expect.yaml").write_text("score: 90\nfailed: [test_root_status]\n")
    run = run_hubgrade("validate", "hello-world", "--solutions", str(tmp_path))
    assert run.exit_code == 1
    assert "hello-world/claims-a-bug: failed checks [], expected ['test_root_status']" in run.stdout
    assert "score 100, expected 90" in run.stdout
    assert "\n1 problem found" in run.stdout


def test_grader_with_wrong_points_fails_validation(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", """\
        import pytest


        @pytest.mark.points(60)
        def test_only(client):
            \"\"\"The only check\"\"\"
        """)
    run = run_hubgrade("validate", "demo", "--solutions", str(tmp_path), env={"HUBGRADE_HOME": str(catalog)})
    assert run.exit_code == 1
    assert "points add up to 60, not 100" in run.stdout


def test_unknown_assignment() -> None:
    run = run_hubgrade("validate", "no-such-assignment")
    assert run.exit_code == 2
    assert "unknown assignment 'no-such-assignment'" in run.stderr
