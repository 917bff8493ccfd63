"""The ``project`` fixture: commands in throwaway copies of the project, under both runners."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from tests.catalog_factory import write_catalog, write_counter_project
from tests.conftest import run_hubgrade

SANDBOX_GRADER = """\
import pytest

from hubgrade.grading import expect
from hubgrade.runners.sandbox import MAX_OUTPUT_BYTES

PRINT_FILE = "import {readFileSync} from 'node:fs'; console.log(readFileSync('lib/value.txt', 'utf8')); process.exit(3);"


@pytest.mark.points(20)
def test_replaced_files(project):
    \"\"\"Replaced files are seen by the command, with its exit code and output.\"\"\"
    run = project.run(["node", "print.mjs"], files={"print.mjs": PRINT_FILE, "lib/value.txt": b"planted-value"})
    expect.equal(run.exit_code, 3, "the exit code")
    expect.that("planted-value" in run.output, f"output was {run.output!r}")
    expect.that(not run.timed_out and not run.truncated and not run.succeeded, f"run was {run!r}")


@pytest.mark.points(10)
def test_copy_is_thrown_away(project, client):
    \"\"\"A second run and the server do not see the files of the first run.\"\"\"
    project.run(["node", "-e", "1"], files={"server.js": "process.exit(9)", "extra.txt": "x"})
    run = project.run(["ls"])
    expect.that("extra.txt" not in run.output, f"ls printed {run.output!r}")
    expect.that("server.js" in run.output, f"ls printed {run.output!r}")
    expect.status(client.get("/"), 200)


@pytest.mark.points(20)
def test_hanging_command(project):
    \"\"\"A command that hangs is killed at its time limit.\"\"\"
    run = project.run(["node", "-e", "console.log('started'); setInterval(() => {}, 1000)"], timeout=2)
    expect.that(run.timed_out, f"run was {run!r}")
    expect.equal(run.exit_code, None, "the exit code")
    expect.that(not run.succeeded, "a timed-out run succeeded")
    expect.that(2 <= run.duration < 8, f"the run took {run.duration} s")
    expect.that("started" in run.output, f"output was {run.output!r}")


@pytest.mark.points(20)
def test_large_output(project):
    \"\"\"Output beyond the maximum is cut, and its end is kept.\"\"\"
    script = "process.stdout.write('x'.repeat(3_000_000)); process.stdout.write('\\\\nEND-OF-OUTPUT\\\\n');"
    run = project.run(["node", "-e", script])
    expect.equal(run.exit_code, 0, "the exit code")
    expect.that(run.truncated, "the output was not marked as cut")
    expect.that(len(run.output.encode()) <= MAX_OUTPUT_BYTES, f"kept {len(run.output)} characters")
    expect.that(run.output.rstrip().endswith("END-OF-OUTPUT"), f"output ends with {run.output[-40:]!r}")


@pytest.mark.points(10)
def test_environment(project):
    \"\"\"The command gets the variables the grader passes.\"\"\"
    run = project.run(["node", "-e", "console.log(process.env.SANDBOX_VALUE)"], environment={"SANDBOX_VALUE": "v-42"})
    expect.that("v-42" in run.output, f"output was {run.output!r}")


@pytest.mark.points(10)
def test_invalid_requests(project):
    \"\"\"A path outside the project raises RuntimeError, a missing program exits with 127.\"\"\"
    try:
        project.run(["ls"], files={"../outside.txt": "x"})
    except RuntimeError as exc:
        expect.that("invalid file path" in str(exc), str(exc))
    else:
        expect.fail("a path with '..' was accepted")
    run = project.run(["no-such-program-hubgrade"])
    expect.equal(run.exit_code, 127, "the exit code of a missing program")
    expect.that("no-such-program-hubgrade" in run.output, f"output was {run.output!r}")


@pytest.mark.points(10)
def test_isolation(project, server):
    \"\"\"Under Docker the command runs as uid 1000 with no network but loopback.\"\"\"
    script = "import os from 'node:os'; console.log(process.getuid(), Object.keys(os.networkInterfaces()).join(','));"
    run = project.run(["node", "--input-type=module", "-e", script])
    expect.equal(run.exit_code, 0, "the exit code")
    if server.injected.get("RUNNER") == "docker":
        expect.equal(run.output.split(), ["1000", "lo"], "the uid and network interfaces")
"""


def _grade(tmp_path: Path, runner: str) -> dict:
    catalog = write_catalog(
        tmp_path / "catalog", SANDBOX_GRADER, limits=f"  RUNNER: {runner}\nlimits:\n  check_seconds: 30\n",
    )
    project = write_counter_project(tmp_path / "counter")
    run = run_hubgrade("check", "demo", str(project), "--runner", runner, "--format", "json",
                       env={"HUBGRADE_HOME": str(catalog)})
    report = run.json()
    return report


def _assert_all_passed(report: dict) -> None:
    problems = {test["name"]: test["message"] + test.get("output", "") for test in report["tests"] if test["status"] != "passed"}
    assert problems == {}
    assert report["score"] == 100


@pytest.mark.docker
def test_sandbox_under_docker(tmp_path: Path, docker_client: docker.DockerClient, no_leftovers: None) -> None:
    _assert_all_passed(_grade(tmp_path, "docker"))


@pytest.mark.local
def test_sandbox_under_local_runner(tmp_path: Path) -> None:
    _assert_all_passed(_grade(tmp_path, "local"))
