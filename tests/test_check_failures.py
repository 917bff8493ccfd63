"""Bad input gets a clear message, the right exit code, and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PROJECTS, SOLUTIONS, copy_project, run_hubgrade

pytestmark = pytest.mark.docker


def test_unknown_assignment_id(no_leftovers: None) -> None:
    run = run_hubgrade("check", "no-such-assignment", str(SOLUTIONS / "hello-world" / "reference"))
    assert run.exit_code == 2
    assert "unknown assignment 'no-such-assignment'" in run.stderr
    assert "hello-world" in run.stderr
    assert "Traceback" not in run.stderr


def test_path_that_does_not_exist(tmp_path: Path, no_leftovers: None) -> None:
    missing = tmp_path / "missing"
    run = run_hubgrade("check", "hello-world", str(missing))
    assert run.exit_code == 2
    assert f"{missing}: no such folder" in run.stderr


def test_file_given_as_project(tmp_path: Path) -> None:
    entry = tmp_path / "server.js"
    entry.write_text("console.log('hello')\n", encoding="utf-8")
    run = run_hubgrade("check", str(entry))
    assert run.exit_code == 2
    assert f"{entry}: not a folder; pass the folder that contains package.json" in run.stderr


def test_unknown_assignment_in_project_config(tmp_path: Path) -> None:
    project = copy_project(SOLUTIONS / "hello-world" / "reference", tmp_path / "project")
    (project / "hubgrade.yaml").write_text("assignment: helo-world\n", encoding="utf-8")
    run = run_hubgrade("check", cwd=project)
    assert run.exit_code == 2
    assert f"{project.resolve() / 'hubgrade.yaml'}: assignment: unknown assignment 'helo-world'" in run.stderr
    assert "Traceback" not in run.stderr


def test_import_missing_from_dependencies(tmp_path: Path, no_leftovers: None) -> None:
    project = tmp_path / "no-express"
    project.mkdir()
    (project / "package.json").write_text(
        '{"name": "no-express", "type": "module", "scripts": {"start": "node server.js"}}\n', encoding="utf-8"
    )
    (project / "server.js").write_text('import express from "express";\nexpress().listen(3000);\n', encoding="utf-8")
    run = run_hubgrade("check", "hello-world", str(project), "--runner", "docker", "--format", "json")
    assert run.exit_code == 1, run.stderr
    error = run.json()["error"]
    assert error["reason"] == "crashed"
    assert "it imports express, which is not installed: add it to dependencies with `npm install express`" in error["message"]


def test_project_without_package_json(no_leftovers: None) -> None:
    run = run_hubgrade("check", "hello-world", str(PROJECTS / "no-package-json"))
    assert run.exit_code == 2
    assert "package.json: not found; a Node.js project needs a package.json" in run.stderr
    assert "npm init -y" in run.stderr


def test_invalid_package_json(no_leftovers: None) -> None:
    run = run_hubgrade("check", "hello-world", str(PROJECTS / "invalid-package-json"))
    assert run.exit_code == 2
    assert "line 3 column 43: not valid JSON" in run.stderr


def test_no_assignment_and_no_project_config(tmp_path: Path) -> None:
    project = copy_project(SOLUTIONS / "hello-world" / "reference", tmp_path / "project")
    run = run_hubgrade("check", cwd=project)
    assert run.exit_code == 2
    assert "has no hubgrade.yaml" in run.stderr


@pytest.mark.parametrize(
    ("project", "reason", "message"),
    [
        ("syntax-error", "crashed", "the server exited with code 1 before it responded to HTTP"),
        ("exits-at-once", "crashed", "the server exited with code 3 before it responded to HTTP"),
        ("never-listens", "no-listen", "did not respond to HTTP on port 3000 within 4 s"),
        ("missing-dependency", "install", "`npm install --no-audit --no-fund` failed with exit code 1"),
        ("listens-on-loopback", "loopback", "listens on 127.0.0.1 port 3000 only"),
        ("build-fails", "build", "`npm run build` failed with exit code 2"),
    ],
)
def test_server_that_does_not_start(project: str, reason: str, message: str, no_leftovers: None) -> None:
    run = run_hubgrade(
        "check", "hello-world", str(PROJECTS / project), "--runner", "docker", "--format", "json",
        "--startup-seconds", "4",
    )
    assert run.exit_code == 1, run.stderr
    report = run.json()
    assert report["status"] == "error"
    assert report["score"] == 0
    assert report["error"]["reason"] == reason
    assert message in report["error"]["message"]
    assert report["tests"], "the checks that were not run are still listed"
    assert all(test["status"] == "error" and test["message"].startswith("not run") for test in report["tests"])


def test_log_tail_shows_the_crash(no_leftovers: None) -> None:
    run = run_hubgrade("check", "hello-world", str(PROJECTS / "syntax-error"), "--runner", "docker")
    assert run.exit_code == 1
    assert "SyntaxError: missing ) after argument list" in run.stdout
    assert "score 0/100" in run.stdout


def test_build_failure_shows_the_compiler_output(no_leftovers: None) -> None:
    run = run_hubgrade("check", "hello-world", str(PROJECTS / "build-fails"), "--runner", "docker")
    assert run.exit_code == 1
    assert "error TS2322: Type 'string' is not assignable" in run.stdout


def test_missing_dependency_names_the_package(no_leftovers: None) -> None:
    run = run_hubgrade("check", "hello-world", str(PROJECTS / "missing-dependency"), "--runner", "docker")
    assert run.exit_code == 1
    assert "404 Not Found" in run.stdout
    assert "hubgrade-no-such-package-3f9a1c" in run.stdout


@pytest.mark.local
@pytest.mark.parametrize(
    ("project", "reason"),
    [
        ("syntax-error", "crashed"), ("exits-at-once", "crashed"), ("never-listens", "no-listen"),
        ("missing-dependency", "install"), ("build-fails", "build"),
    ],
)
def test_local_runner_startup_failures(project: str, reason: str, tmp_path: Path) -> None:
    copy = copy_project(PROJECTS / project, tmp_path / project)
    run = run_hubgrade(
        "check", "hello-world", str(copy), "--runner", "local", "--format", "json", "--startup-seconds", "3"
    )
    assert run.exit_code == 1, run.stderr
    assert run.json()["error"]["reason"] == reason


@pytest.mark.parametrize("runner", ["docker", "local"])
def test_hanging_root_route_is_still_graded(runner: str, tmp_path: Path, no_leftovers: None) -> None:
    project = copy_project(PROJECTS / "slow-root", tmp_path / "slow-root")
    run = run_hubgrade(
        "check", "hello-world", str(project), "--runner", runner, "--format", "json", "--check-seconds", "2"
    )
    report = run.json()
    assert report["error"] is None, report["error"]
    passed = {test["name"] for test in report["tests"] if test["status"] == "passed"}
    assert "test_hello_name" in passed
    assert report["score"] > 0


@pytest.mark.parametrize("runner", ["docker", "local"])
def test_lockfile_out_of_sync_shows_the_reason(runner: str, tmp_path: Path, no_leftovers: None) -> None:
    project = copy_project(PROJECTS / "lockfile-out-of-sync", tmp_path / "project")
    run = run_hubgrade("check", "hello-world", str(project), "--runner", runner, "--format", "json")
    error = run.json()["error"]
    assert error["reason"] == "install"
    assert "Missing: ms@2.1.3 from lock file" in error["log_tail"]
    assert "Usage:" not in error["log_tail"]
    if runner == "docker":
        assert "A complete log of this run" not in error["log_tail"]
