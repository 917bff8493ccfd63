"""The local runner: the server's process group never outlives the run."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.catalog_factory import write_catalog, write_counter_project
from tests.conftest import HUBGRADE, REPO, SOLUTIONS, copy_project, run_hubgrade
from tests.test_docker_runner import SLOW_GRADER, _wait_for_line

pytestmark = pytest.mark.local


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_group_gone(pgid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    return False


def _start_slow_local_check(tmp_path: Path, state: Path) -> subprocess.Popen[str]:
    catalog = write_catalog(tmp_path / "catalog", SLOW_GRADER, limits="limits:\n  check_seconds: 60\n")
    project = write_counter_project(tmp_path / "counter")
    process = subprocess.Popen(
        [*HUBGRADE, "--log-level", "info", "check", "demo", str(project), "--runner", "local"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "HUBGRADE_HOME": str(catalog), "XDG_STATE_HOME": str(state)},
    )
    _wait_for_line(process, "running grader", timeout=120)
    return process


def _recorded_groups(state: Path) -> list[int]:
    return [int(path.name) for path in (state / "hubgrade" / "process-groups").iterdir()]


def test_interrupt_kills_the_server(tmp_path: Path) -> None:
    state = tmp_path / "state"
    process = _start_slow_local_check(tmp_path, state)
    [pgid] = _recorded_groups(state)
    assert _group_alive(pgid)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert _wait_group_gone(pgid)
    assert _recorded_groups(state) == []


def test_killed_run_is_reaped_by_the_next(tmp_path: Path) -> None:
    state = tmp_path / "state"
    process = _start_slow_local_check(tmp_path, state)
    [pgid] = _recorded_groups(state)
    process.kill()
    process.wait(timeout=30)
    assert _group_alive(pgid), "the server outlives a SIGKILL of hubgrade until the next run"

    project = copy_project(SOLUTIONS / "hello-world" / "reference", tmp_path / "hello")
    run = run_hubgrade(
        "--log-level", "info", "check", "hello-world", str(project), "--runner", "local",
        env={"XDG_STATE_HOME": str(state)},
    )
    assert run.exit_code == 0, run.stderr
    assert f"killed process group {pgid} left behind by an earlier run" in run.stderr
    assert _wait_group_gone(pgid)


def test_dependencies_installed_once(tmp_path: Path) -> None:
    project = copy_project(SOLUTIONS / "hello-world" / "reference", tmp_path / "hello")
    first = run_hubgrade("--log-level", "info", "check", "hello-world", str(project), "--runner", "local")
    second = run_hubgrade("--log-level", "info", "check", "hello-world", str(project), "--runner", "local")
    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 0, second.stderr
    assert "running `npm install --no-audit --no-fund`" in first.stderr
    assert "dependencies unchanged" in second.stderr
    assert "npm install" not in second.stderr


def test_server_does_not_see_host_secrets(tmp_path: Path) -> None:
    catalog = write_catalog(
        tmp_path / "catalog",
        """\
        import pytest

        from hubgrade.grading import expect


        @pytest.mark.points(100)
        def test_no_token(client, server_log):
            \"\"\"The server's environment has no GITHUB_TOKEN.\"\"\"
            client.get("/")
            expect.that("secret-value-123" not in server_log.text(), "GITHUB_TOKEN leaked into the server")
        """,
    )
    project = write_counter_project(tmp_path / "counter")
    server = project / "server.js"
    server.write_text(server.read_text().replace("token=${process.env.TOKEN}", "token=${process.env.GITHUB_TOKEN}"))
    run = run_hubgrade(
        "check", "demo", str(project), "--runner", "local", env={"HUBGRADE_HOME": str(catalog), "GITHUB_TOKEN": "secret-value-123"}
    )
    assert run.exit_code == 0, run.stdout + run.stderr


TEMPORARY_FILE_SERVER = """\
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

// Writes a file to the temporary folder on /write, and says whether it is there on /read.
const probe = path.join(os.tmpdir(), "hubgrade-probe.txt");
http.createServer((request, response) => {
  if (request.url === "/write") fs.writeFileSync(probe, "kept?");
  response.end(JSON.stringify({ exists: fs.existsSync(probe), folder: os.tmpdir() }));
}).listen(Number(process.env.PORT));
"""

TEMPORARY_FILE_GRADER = """\
import pytest

from hubgrade.grading import expect


@pytest.mark.points(100)
def test_temporary_folder_emptied(client, server):
    \"\"\"A restart empties the temporary folder.\"\"\"
    expect.that(client.get("/write").json()["exists"], "the file was not written")
    server.restart()
    after = client.get("/read").json()
    expect.that(not after["exists"], f"the file in {after['folder']} outlived the restart")
"""


@pytest.mark.parametrize("runner", ["local", pytest.param("docker", marks=pytest.mark.docker)])
def test_restart_empties_temporary_folder(runner: str, tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "catalog", TEMPORARY_FILE_GRADER)
    project = write_counter_project(tmp_path / "project")
    (project / "server.js").write_text(TEMPORARY_FILE_SERVER, encoding="utf-8")
    run = run_hubgrade(
        "check", "demo", str(project), "--runner", runner, "--format", "json", env={"HUBGRADE_HOME": str(catalog)}
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.json()["score"] == 100
