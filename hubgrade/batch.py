"""Grade many submissions of one assignment in parallel into a gradebook.

Each submission is graded by its own ``hubgrade check`` process, so one that crashes,
hangs or fails to build cannot disturb the others: it has its own containers, network,
ports and services, and its own time limit. Results land in the gradebook as each
submission finishes, so an interruption loses nothing already graded, and ``--resume``
skips submissions graded before with the same assignment version and the same files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubgrade.assignment import Assignment
from hubgrade.errors import UsageError
from hubgrade.submission import IGNORED_DIRS

logger = logging.getLogger(__name__)

CSV_COLUMNS = ("student", "score", "max_score", "status", "failed_checks", "duration", "message")
# A submission's own limits stop it long before this; this only ends a stuck hubgrade process.
SUBMISSION_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            index_text, count_text = text.split("/")
            shard = cls(int(index_text), int(count_text))
        except ValueError as exc:
            raise UsageError(f"--shard {text}: expected I/N with whole numbers, as in 2/4") from exc
        if not 1 <= shard.index <= shard.count:
            raise UsageError(f"--shard {text}: I must be from 1 to N")
        return shard

    def includes(self, student: str) -> bool:
        """Return whether this shard grades ``student``; the split is stable across machines."""
        return zlib.crc32(student.encode()) % self.count == self.index - 1


@dataclass
class BatchOptions:
    jobs: int
    runner: str = "auto"
    image: str | None = None
    resume: bool = False
    shard: Shard | None = None
    min_score: int = 100
    startup_seconds: float | None = None
    check_seconds: float | None = None
    # --limit NAME=VALUE options, passed on to each check as they are.
    limits: tuple[str, ...] = ()


def find_submissions(sources: list[Path]) -> list[Submission]:
    """Turn folders, folders of folders, and CSV files of student,path into submissions."""
    found: list[Submission] = []
    for source in sources:
        if not source.exists():
            raise UsageError(f"{source}: no such file or folder")
        if source.is_file():
            found.extend(_from_csv(source))
        elif (source / "package.json").is_file():
            found.append(Submission(source.resolve().name, source.resolve()))
        else:
            children = sorted(child for child in source.iterdir() if child.is_dir() and not child.name.startswith("."))
            if not children:
                raise UsageError(f"{source}: has no package.json and no submission folders")
            found.extend(Submission(child.name, child.resolve()) for child in children)
    students = [submission.student for submission in found]
    duplicates = sorted({student for student in students if students.count(student) > 1})
    if duplicates:
        raise UsageError(f"student {duplicates[0]!r} appears twice; give each submission its own name")
    return found


def _from_csv(path: Path) -> list[Submission]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if rows and [cell.strip().lower() for cell in rows[0][:2]] == ["student", "path"]:
        rows = rows[1:]
    submissions = []
    for number, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise UsageError(f"{path}: row {number}: expected student,path")
        folder = Path(row[1].strip())
        folder = folder if folder.is_absolute() else (path.parent / folder)
        submissions.append(Submission(row[0].strip(), folder.resolve()))
    return submissions


def content_digest(folder: Path) -> str:
    """Return a digest of the submission's files, without node_modules and VCS folders."""
    digest = hashlib.sha256()
    if not folder.is_dir():
        return "missing"
    for root, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(name for name in subfolders if name not in IGNORED_DIRS)
        for name in sorted(names):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class Gradebook:
    """The gradebook folder: results/<student>.json, gradebook.csv and gradebook.json."""

    def __init__(self, folder: Path, assignment: Assignment) -> None:
        self.folder = folder
        self.assignment = assignment
        self.results_dir = folder / "results"
        self.results_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def result_path(self, student: str) -> Path:
        safe = "".join(character if character.isalnum() or character in "-_." else "_" for character in student)
        return self.results_dir / f"{safe}.json"

    def already_graded(self, submission: Submission, digest: str) -> bool:
        path = self.result_path(submission.student)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        batch = record.get("batch", {})
        return bool(
            batch.get("assignment_version") == self.assignment.version
            and batch.get("content_digest") == digest
            and record.get("assignment", {}).get("id") == self.assignment.id
        )

    def record(self, submission: Submission, result: dict[str, Any]) -> None:
        """Write one submission's result, then rebuild the CSV and JSON from all results."""
        with self._lock:
            _write_atomically(self.result_path(submission.student), json.dumps(result, indent=2) + "\n")
            self.rebuild()

    def rebuild(self) -> None:
        rebuild_summaries(self.folder)


def rebuild_summaries(folder: Path) -> None:
    """Write gradebook.json and gradebook.csv from the results in ``folder/results``."""
    records = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((folder / "results").glob("*.json"))]
    records.sort(key=lambda record: str(record.get("batch", {}).get("student", "")))
    _write_atomically(folder / "gradebook.json", json.dumps(records, indent=2) + "\n")
    _write_atomically(folder / "gradebook.csv", _csv_text(records))


def _csv_text(records: list[dict[str, Any]]) -> str:
    lines: list[list[str]] = [list(CSV_COLUMNS)]
    for record in records:
        failed = [test["name"] for test in record.get("tests", []) if test.get("status") != "passed"]
        error = record.get("error") or {}
        lines.append([
            str(record.get("batch", {}).get("student", "")), str(record.get("score", 0)),
            str(record.get("max_score", 100)), str(record.get("status", "error")), " ".join(failed),
            str(record.get("duration", 0)), " ".join(str(error.get("message", "")).split()) if error else "",
        ])
    with tempfile.SpooledTemporaryFile(mode="w+", newline="") as buffer:
        csv.writer(buffer).writerows(lines)
        buffer.seek(0)
        return buffer.read()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@dataclass
class Progress:
    """Counts for the progress display; updated from worker threads under the batch's lock."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    running: int = 0
    started: float = 0.0

    def estimate_seconds(self) -> float | None:
        graded = self.done
        remaining = self.total - self.skipped - self.done
        if graded == 0 or remaining <= 0:
            return None
        return (time.monotonic() - self.started) / graded * remaining


class BatchRun:
    def __init__(self, assignment: Assignment, gradebook: Gradebook, options: BatchOptions,
                 on_change: Callable[[Progress], None] = lambda progress: None) -> None:
        self.assignment = assignment
        self.gradebook = gradebook
        self.options = options
        self.on_change = on_change
        self._lock = threading.Lock()
        self._children: dict[str, subprocess.Popen[bytes]] = {}
        self._stopping = threading.Event()
        self.progress = Progress(total=0)

    def run(self, submissions: list[Submission]) -> Progress:
        if self.options.shard is not None:
            submissions = [item for item in submissions if self.options.shard.includes(item.student)]
        self.progress = Progress(total=len(submissions), started=time.monotonic())
        pending = self._skip_graded(submissions)
        self.on_change(self.progress)
        with ThreadPoolExecutor(max_workers=self.options.jobs, thread_name_prefix="hubgrade-batch") as pool:
            futures: set[Future[None]] = {pool.submit(self._grade, item) for item in pending}
            try:
                while futures:
                    finished, futures = wait(futures, timeout=0.5, return_when=FIRST_COMPLETED)
                    for future in finished:
                        future.result()
            except KeyboardInterrupt:
                self._stop_all(pool, futures)
                raise
        return self.progress

    def _skip_graded(self, submissions: list[Submission]) -> list[Submission]:
        if not self.options.resume:
            return submissions
        pending = []
        for submission in submissions:
            if self.gradebook.already_graded(submission, content_digest(submission.path)):
                logger.info("skipping %s: graded before with the same files", submission.student)
                self.progress.skipped += 1
            else:
                pending.append(submission)
        return pending

    def _grade(self, submission: Submission) -> None:
        if self._stopping.is_set():
            return
        digest = content_digest(submission.path)
        with self._lock:
            self.progress.running += 1
        self.on_change(self.progress)
        started = time.monotonic()
        result = self._check(submission)
        if result is None:
            return
        result["batch"] = {
            "student": submission.student, "path": str(submission.path), "content_digest": digest,
            "assignment_version": self.assignment.version, "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        result.setdefault("duration", round(time.monotonic() - started, 3))
        self.gradebook.record(submission, result)
        with self._lock:
            self.progress.running -= 1
            self.progress.done += 1
            self.progress.failed += result.get("status") != "pass"
        logger.info("graded %s: %s/%s (%s)", submission.student, result.get("score"), result.get("max_score"), result.get("status"))
        self.on_change(self.progress)

    def _check(self, submission: Submission) -> dict[str, Any] | None:
        """Grade one submission in its own hubgrade process; None when the batch was stopped."""
        with tempfile.TemporaryDirectory(prefix="hubgrade-batch-") as scratch:
            report = Path(scratch) / "result.json"
            command = [
                sys.executable, "-m", "hubgrade", "check", self.assignment.id, str(submission.path),
                "--runner", self.options.runner, "--min-score", str(self.options.min_score),
                "--format", f"json={report}",
            ]
            if self.options.image:
                command += ["--image", self.options.image]
            if self.options.startup_seconds is not None:
                command += ["--startup-seconds", str(self.options.startup_seconds)]
            if self.options.check_seconds is not None:
                command += ["--check-seconds", str(self.options.check_seconds)]
            for text in self.options.limits:
                command += ["--limit", text]
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            with self._lock:
                self._children[submission.student] = process
            try:
                _, stderr = process.communicate(timeout=SUBMISSION_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGTERM)
                _, stderr = process.communicate()
                stderr += f"\nhubgrade did not finish within {SUBMISSION_TIMEOUT_SECONDS} s".encode()
            finally:
                with self._lock:
                    self._children.pop(submission.student, None)
            if self._stopping.is_set():
                return None
            if report.is_file():
                try:
                    loaded: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
                    return loaded
                except ValueError as exc:
                    logger.error("the result of %s is not valid JSON: %s", submission.student, exc)
            return self._not_graded(submission, process.returncode, stderr.decode("utf-8", errors="replace"))

    def _not_graded(self, submission: Submission, exit_code: int, stderr: str) -> dict[str, Any]:
        """Describe a submission that hubgrade rejected before grading, such as one with no package.json."""
        reason = {2: "submission", 3: "environment"}.get(exit_code, "grader")
        message = stderr.strip().removeprefix("Error: ") or f"hubgrade exited with code {exit_code}"
        logger.warning("could not grade %s: %s", submission.student, message.splitlines()[0])
        return {
            "schema_version": 1, "status": "error", "score": 0, "max_score": 100,
            "min_score": self.options.min_score,
            "assignment": {"id": self.assignment.id, "version": self.assignment.version},
            "submission": str(submission.path), "runner": self.options.runner if self.options.runner != "auto" else "docker",
            "duration": 0.0, "warnings": [],
            "error": {"reason": reason, "message": message, "log_tail": "", "exit_code": exit_code},
            "tests": [],
        }

    def _stop_all(self, pool: ThreadPoolExecutor, futures: set[Future[None]]) -> None:
        """Stop on Ctrl-C: cancel what has not started and let running checks clean up."""
        self._stopping.set()
        for future in futures:
            future.cancel()
        with self._lock:
            children = list(self._children.values())
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
        pool.shutdown(wait=True, cancel_futures=True)


def merge_gradebooks(sources: list[Path], target: Path) -> int:
    """Copy every shard's results into ``target`` and rebuild its CSV and JSON."""
    merged: dict[str, Path] = {}
    for source in sources:
        results = source / "results"
        if not results.is_dir():
            raise UsageError(f"{source}: not a gradebook (it has no results/ folder)")
        for path in sorted(results.glob("*.json")):
            if path.name in merged:
                raise UsageError(f"{path.name} is in both {merged[path.name].parent.parent} and {source}; merge each shard once")
            merged[path.name] = path
    (target / "results").mkdir(parents=True, exist_ok=True)
    for name, path in merged.items():
        _write_atomically(target / "results" / name, path.read_text(encoding="utf-8"))
    rebuild_summaries(target)
    return len(merged)
