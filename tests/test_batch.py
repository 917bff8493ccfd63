"""`hubgrade batch` and `hubgrade merge` on real submissions, under Docker."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from hubgrade.batch import Shard
from tests.conftest import HUBGRADE, PROJECTS, REPO, SOLUTIONS, run_hubgrade, validate_result

pytestmark = pytest.mark.docker

MIX = {
    "ada": SOLUTIONS / "hello-world" / "reference",
    "bob": SOLUTIONS / "hello-world" / "html-content-type",
    "cy": SOLUTIONS / "hello-world" / "manual-path-parsing",
    "dee": PROJECTS / "exits-at-once",
    "eve": PROJECTS / "no-package-json",
    "fay": PROJECTS / "never-listens",
    "gus": PROJECTS / "missing-dependency",
}
EXPECTED = {"ada": ("100", "pass"), "bob": ("80", "fail"), "cy": ("90", "fail"), "dee": ("0", "error"),
            "eve": ("0", "error"), "fay": ("0", "error"), "gus": ("0", "error")}


def _class_folder(tmp_path: Path, students: dict[str, Path]) -> Path:
    folder = tmp_path / "class"
    for student, source in students.items():
        shutil.copytree(source, folder / student, ignore=shutil.ignore_patterns("node_modules", "package-lock.json"))
    return folder


def _rows(gradebook: Path) -> dict[str, dict[str, str]]:
    with (gradebook / "gradebook.csv").open(newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


# Twenty submissions: correct, flawed, crashing, hanging, failing to build or install.
CLASS_OF_20 = {
    **MIX,
    **{f"ref{number}": MIX["ada"] for number in range(1, 6)},
    **{f"html{number}": MIX["bob"] for number in range(1, 3)},
    "hal": PROJECTS / "slow-root",
    "ian": PROJECTS / "build-fails",
    "jo": PROJECTS / "syntax-error",
    "kai": PROJECTS / "listens-on-loopback",
    "lou": PROJECTS / "invalid-package-json",
    "max": MIX["cy"],
}


def test_mixed_class_gives_a_complete_gradebook(tmp_path: Path, no_leftovers: None) -> None:
    assert len(CLASS_OF_20) == 20
    folder = _class_folder(tmp_path, CLASS_OF_20)
    gradebook = tmp_path / "gradebook"
    run = run_hubgrade("batch", "hello-world", str(folder), "--out", str(gradebook), "--jobs", "2",
                       "--startup-seconds", "4", "--check-seconds", "2")
    assert run.exit_code == 0, run.stderr
    rows = _rows(gradebook)
    assert set(rows) == set(CLASS_OF_20)
    assert {student: (rows[student]["score"], rows[student]["status"]) for student in MIX} == EXPECTED
    for number in range(1, 6):
        assert rows[f"ref{number}"]["score"] == "100"
    for student in ("ian", "jo", "kai", "lou"):
        assert rows[student]["status"] == "error", student
    assert rows["hal"]["status"] == "fail"
    assert int(rows["hal"]["score"]) > 0
    assert rows["bob"]["failed_checks"] == "test_root_content_type test_hello_content_type"
    assert "package.json: not found" in rows["eve"]["message"]
    assert "did not respond to HTTP" in rows["fay"]["message"]
    records = json.loads((gradebook / "gradebook.json").read_text())
    assert [record["batch"]["student"] for record in records] == sorted(CLASS_OF_20)
    for record in records:
        validate_result(record)
    assert "Graded 20 submissions" in run.stdout


def test_resume_grades_only_what_changed(tmp_path: Path, no_leftovers: None) -> None:
    folder = _class_folder(tmp_path, {name: MIX[name] for name in ("ada", "bob", "cy")})
    gradebook = tmp_path / "gradebook"
    assert run_hubgrade("batch", "hello-world", str(folder), "--out", str(gradebook)).exit_code == 0
    shutil.copy(SOLUTIONS / "hello-world" / "reference" / "server.js", folder / "bob" / "server.js")

    again = run_hubgrade("--log-level", "info", "batch", "hello-world", str(folder), "--out", str(gradebook), "--resume")
    assert again.exit_code == 0, again.stderr
    assert "skipping ada: graded before with the same files" in again.stderr
    assert "skipping cy" in again.stderr
    assert "graded bob: 100/100 (pass)" in again.stderr
    assert "Graded 1 submissions" in again.stdout
    assert _rows(gradebook)["bob"]["score"] == "100"


def test_interrupted_batch_keeps_results_and_resumes(tmp_path: Path, docker_client, no_leftovers: None) -> None:  # type: ignore[no-untyped-def]
    students = {"ada": MIX["ada"], "bob": MIX["bob"], "fay": MIX["fay"], "zed": MIX["fay"]}
    folder = _class_folder(tmp_path, students)
    gradebook = tmp_path / "gradebook"
    process = subprocess.Popen(
        [*HUBGRADE, "batch", "hello-world", str(folder), "--out", str(gradebook), "--jobs", "1", "--startup-seconds", "20"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((gradebook / "results").glob("*.json"))) < 2:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=90)
    assert process.returncode == 130, stderr[-3000:]
    assert "the gradebook keeps every submission graded so far, and --resume grades the rest" in stderr
    graded = set(_rows(gradebook))
    assert {"ada", "bob"} <= graded
    assert graded != set(students)

    resumed = run_hubgrade("--log-level", "info", "batch", "hello-world", str(folder), "--out", str(gradebook),
                           "--resume", "--startup-seconds", "2")
    assert resumed.exit_code == 0, resumed.stderr
    assert "skipping ada" in resumed.stderr
    assert "skipping bob" in resumed.stderr
    assert set(_rows(gradebook)) == set(students)


def test_shards_split_and_merge(tmp_path: Path, no_leftovers: None) -> None:
    students = {name: MIX[name] for name in ("ada", "bob", "cy", "eve")}
    folder = _class_folder(tmp_path, students)
    books = []
    for index in (1, 2):
        book = tmp_path / f"shard{index}"
        assert run_hubgrade("batch", "hello-world", str(folder), "--out", str(book), "--shard", f"{index}/2").exit_code == 0
        books.append(book)
    first, second = (set(_rows(book)) for book in books)
    assert first.isdisjoint(second)
    assert first | second == set(students)

    merged = tmp_path / "merged"
    run = run_hubgrade("merge", *map(str, books), "--out", str(merged))
    assert run.exit_code == 0, run.stderr
    assert set(_rows(merged)) == set(students)
    assert len(json.loads((merged / "gradebook.json").read_text())) == 4


def test_csv_of_students_and_paths(tmp_path: Path) -> None:
    folder = _class_folder(tmp_path, {"ada": MIX["ada"]})
    roster = tmp_path / "roster.csv"
    roster.write_text(f"student,path\nada.lovelace,{folder / 'ada'}\n")
    gradebook = tmp_path / "gradebook"
    run = run_hubgrade("batch", "hello-world", str(roster), "--out", str(gradebook))
    assert run.exit_code == 0, run.stderr
    assert _rows(gradebook)["ada.lovelace"]["score"] == "100"


@pytest.mark.parametrize(("text", "message"), [("0/2", "I must be from 1 to N"), ("a/b", "expected I/N")])
def test_invalid_shard(text: str, message: str) -> None:
    from hubgrade.errors import UsageError

    with pytest.raises(UsageError) as caught:
        Shard.parse(text)
    assert message in str(caught.value)


def test_shard_split_is_stable() -> None:
    students = [f"student-{number}" for number in range(40)]
    shards = [Shard(index, 3) for index in (1, 2, 3)]
    owners = [[shard.index for shard in shards if shard.includes(student)] for student in students]
    assert all(len(owner) == 1 for owner in owners)
    assert owners == [[shard.index for shard in shards if shard.includes(student)] for student in students]


@pytest.mark.local
def test_local_runner_batch_warns_about_untrusted_code(tmp_path: Path) -> None:
    class_folder = tmp_path / "class"
    shutil.copytree(SOLUTIONS / "hello-world" / "reference", class_folder / "ada", ignore=shutil.ignore_patterns("node_modules"))
    run = run_hubgrade("batch", "hello-world", str(class_folder), "--runner", "local", "--out", str(tmp_path / "out"))
    assert run.exit_code == 0, run.stderr
    assert "use it only for code you trust" in run.stderr
    assert "Graded 1 submissions" in run.stdout
