"""Generated data files, writable folders and restarts with another environment, on both runners."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.catalog_factory import write_catalog
from tests.conftest import run_hubgrade

DATA_GENERATOR = """\
def generate(rng):
    items = [{"id": index, "price": rng.randint(1, 10_000)} for index in range(rng.randint(5, 9))]
    import json
    return {"items.json": json.dumps(items), "files/note.txt": b"a note"}
"""

SERVER = """\
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

if (!process.env.REQUIRED) {
  console.error("REQUIRED is missing; set it and start again");
  process.exit(4);
}

function canWrite(folder) {
  try {
    fs.writeFileSync(path.join(folder, "probe.txt"), "written");
    return true;
  } catch {
    return false;
  }
}

http.createServer((request, response) => {
  if (request.url === "/kept") {
    response.end(String(fs.existsSync(path.join(process.env.WORK_DIR, "probe.txt"))));
    return;
  }
  if (request.url === "/data") {
    response.end(fs.readFileSync(process.env.DATA_FILE));
    return;
  }
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({
    work: canWrite(process.env.WORK_DIR),
    project: canWrite(process.cwd()),
    data: canWrite(process.env.FILES_DIR),
    note: fs.readFileSync(path.join(process.env.FILES_DIR, "note.txt"), "utf8"),
  }));
}).listen(Number(process.env.PORT ?? 3000));
"""

GRADER = """\
import json

import pytest

from hubgrade.grading import expect


@pytest.mark.points(25)
def test_data_file(client, data_files):
    \"\"\"The server serves the generated data file\"\"\"
    response = client.get("/data")
    expect.equal(json.loads(response.content), json.loads(data_files["items.json"]), "the items", response)


@pytest.mark.points(25)
def test_writable_folder(client):
    \"\"\"The server can write to its work folder, and reads the data folder\"\"\"
    body = expect.json_object(client.get("/"), "work", "note")
    expect.equal(body["work"], True, "writing to WORK_DIR")
    expect.equal(body["note"], "a note", "files/note.txt")


@pytest.mark.points(25)
def test_read_only_elsewhere(client):
    \"\"\"The project and data folders are read-only\"\"\"
    body = expect.json_object(client.get("/"), "project", "data")
    expect.equal(body["project"], False, "writing to the project folder")
    expect.equal(body["data"], False, "writing to the data folder")


@pytest.mark.points(25)
def test_restart_without_variable(client, server):
    \"\"\"Without REQUIRED the server refuses to start, and comes back with it\"\"\"
    outcome = server.try_restart(environment={"REQUIRED": None})
    expect.equal(outcome.started, False, "started without REQUIRED")
    expect.equal(outcome.exit_code, 4, "the exit code")
    expect.that("REQUIRED is missing" in outcome.log, f"the log does not name the variable: {outcome.log!r}")
    server.restart()
    response = client.get("/kept")
    expect.equal(response.text, "true", "whether a file written to WORK_DIR before the restarts is still there", response)
"""


def _catalog(root: Path, environment: str) -> Path:
    catalog = write_catalog(root / "catalog", GRADER)
    yaml_path = catalog / "assignments" / "demo" / "assignment.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") + environment, encoding="utf-8")
    (catalog / "graders" / "demo" / "data.py").write_text(DATA_GENERATOR, encoding="utf-8")
    return catalog


GOOD_ENVIRONMENT = """\
  REQUIRED: present
  DATA_FILE: {data: items.json}
  FILES_DIR: {data: files}
  WORK_DIR: {directory: scratch}
"""


def _project(root: Path) -> Path:
    folder = root / "project"
    folder.mkdir()
    (folder / "package.json").write_text(
        '{"name": "files", "version": "1.0.0", "type": "module", "scripts": {"start": "node server.js"}}\n',
        encoding="utf-8",
    )
    (folder / "server.js").write_text(SERVER, encoding="utf-8")
    return folder


def _grade(tmp_path: Path, runner: str, environment: str = GOOD_ENVIRONMENT) -> tuple[int, dict, str]:
    catalog = _catalog(tmp_path, environment)
    run = run_hubgrade(
        "check", "demo", str(_project(tmp_path)), "--runner", runner, "--format", "json",
        env={"HUBGRADE_HOME": str(catalog)},
    )
    report = json.loads(run.stdout) if run.stdout.strip() else {}
    return run.exit_code, report, run.stderr


@pytest.mark.docker
def test_docker_runner_places_files_and_isolates_writes(tmp_path: Path, no_leftovers: None) -> None:
    exit_code, report, stderr = _grade(tmp_path, "docker")
    assert exit_code == 0, (stderr, report)
    assert report["score"] == 100


@pytest.mark.local
def test_local_runner_leaves_project_writable(tmp_path: Path) -> None:
    exit_code, report, stderr = _grade(tmp_path, "local")
    failed = [check["name"] for check in report["tests"] if check["status"] != "passed"]
    # The local runner gives no isolation: the project folder stays writable.
    assert failed == ["test_read_only_elsewhere"], (stderr, report)
    assert exit_code == 1


def test_data_value_that_names_no_generated_file(tmp_path: Path) -> None:
    exit_code, _, stderr = _grade(tmp_path, "local", GOOD_ENVIRONMENT + "  OTHER: {data: missing.csv}\n")
    assert exit_code == 2
    assert "environment.OTHER: {data: missing.csv} names no file or folder that generate() returned" in stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{data: ../secret}", "environment.BAD.data: expected a relative path among the generated files, got '../secret'"),
        ("{directory: a/b}", "environment.BAD.directory: expected a folder name of letters, digits, - and _, got 'a/b'"),
    ],
)
def test_invalid_path_values(tmp_path: Path, value: str, message: str) -> None:
    exit_code, _, stderr = _grade(tmp_path, "local", GOOD_ENVIRONMENT + f"  BAD: {value}\n")
    assert exit_code == 2
    assert message in stderr
