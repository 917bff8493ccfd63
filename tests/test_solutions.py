"""Every assignment's reference solution scores 100; each flawed variant loses exactly
the points of the checks it is known to break. Graded through the real CLI."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest
import yaml

from hubgrade.assignment import load
from tests.conftest import REPO, SOLUTIONS, copy_project, run_hubgrade

VARIANTS = sorted(path for path in SOLUTIONS.glob("*/*") if (path / "expect.yaml").is_file())


def _expectation(variant: Path) -> dict:
    return yaml.safe_load((variant / "expect.yaml").read_text(encoding="utf-8"))


def _skip_without_image(variant: Path, client: docker.DockerClient) -> None:
    """Skip a variant whose service image cannot be had here (MongoDB has no Debian package)."""
    image = _expectation(variant).get("needs_image")
    if image is None:
        return
    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        pytest.skip(f"needs the {image} image, which is not present and cannot be built from Debian packages")


def _assert_graded_as_expected(variant: Path, report: dict, exit_code: int) -> None:
    expected = _expectation(variant)
    failed = sorted(test["name"] for test in report["tests"] if test["status"] != "passed")
    lost = sum(test["max_score"] for test in report["tests"] if test["status"] != "passed")
    assert report["error"] is None
    assert failed == sorted(expected["failed"])
    assert report["score"] == expected["score"]
    assert report["score"] == 100 - lost
    assert report["max_score"] == 100
    assert exit_code == (0 if expected["score"] == 100 else 1)
    for kind in expected.get("warnings", []):
        assert any(kind in warning for warning in report["warnings"]), report["warnings"]
    if not expected.get("warnings"):
        assert report["warnings"] == []


def test_every_assignment_has_solutions() -> None:
    from hubgrade.assignment import list_ids

    for assignment_id in list_ids():
        variants = [path.name for path in (SOLUTIONS / assignment_id).iterdir() if path.is_dir()]
        assert any(name.startswith("reference") for name in variants), assignment_id
        assert len(variants) >= 3, f"{assignment_id} needs a reference and at least two flawed variants"


ASSIGNMENT_IDS = sorted(path.parent.name for path in (REPO / "assignments").glob("*/assignment.yaml"))


@pytest.mark.docker
@pytest.mark.parametrize("assignment_id", ASSIGNMENT_IDS)
def test_assignment_validates_under_docker(assignment_id: str, no_leftovers: None) -> None:
    """`hubgrade validate ID`: the files, the untouched starter, and every solution's points."""
    run = run_hubgrade("validate", assignment_id, "--runner", "docker", timeout=1200)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert f"{assignment_id}/starter: untouched starter" in run.stdout
    for variant in VARIANTS:
        if variant.parent.name == assignment_id:
            assert f"{assignment_id}/{variant.name}: " in run.stdout, run.stdout


@pytest.mark.local
@pytest.mark.parametrize(
    "variant", [path for path in VARIANTS if path.name.startswith("reference")],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_reference_under_local_runner(variant: Path, tmp_path: Path, docker_client: docker.DockerClient) -> None:
    _skip_without_image(variant, docker_client)
    if load(variant.parent.name).server_image == "dockerfile":
        pytest.skip("graded on the learner's own image, which needs Docker (the rejection is tested elsewhere)")
    project = copy_project(variant, tmp_path / variant.parent.name)
    run = run_hubgrade("check", variant.parent.name, str(project), "--runner", "local", "--format", "json")
    assert run.exit_code == 0, run.stdout + run.stderr
    _assert_graded_as_expected(variant, run.json(), run.exit_code)
