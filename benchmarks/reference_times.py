"""Time the grading of every assignment's reference solution under Docker, warm.

For each assignment, one untimed check builds the dependency image. Then the rounds
alternate between the assignment's reference and the baseline, hello-world's reference
(the smallest assignment), so that both see the same machine load. Each timed run is a whole
`hubgrade check ID PATH --runner docker --format json`: run image, start, grading,
clean-up. The figure is each assignment's median against the baseline's median.

Target: each reference graded in well under 30 s once its images are built.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import common

BASELINE = "hello-world"
TARGET_SECONDS = 30.0
CHECK_TIMEOUT_SECONDS = 600


def reference_of(assignment_id: str) -> Path:
    """Return the assignment's first reference solution whose service image is present."""
    folder = common.REPO / "tests" / "solutions" / assignment_id
    for candidate in sorted(folder.glob("reference*")):
        expect = (candidate / "expect.yaml").read_text(encoding="utf-8")
        if "needs_image: mongo" not in expect:
            return candidate
    raise RuntimeError(f"{assignment_id} has no reference solution that can run here")


def timed_check(assignment_id: str, project: Path) -> tuple[float, float]:
    """Grade once; return the wall time and the time the checks themselves took."""
    started = time.monotonic()
    completed = common.run(
        [common.HUBGRADE, "check", assignment_id, str(project), "--runner", "docker", "--format", "json"],
        timeout=CHECK_TIMEOUT_SECONDS, check=False,
    )
    wall = time.monotonic() - started
    report = json.loads(completed.stdout)
    if report["score"] != 100:
        raise RuntimeError(f"{assignment_id} reference scored {report['score']}, not 100:\n{completed.stderr[-2000:]}")
    return wall, sum(test["duration"] for test in report["tests"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("ids", nargs="*", help="assignments to time (default: all)")
    arguments = parser.parse_args()
    ids = arguments.ids or sorted(path.parent.name for path in (common.REPO / "assignments").glob("*/assignment.yaml"))
    baseline_project = reference_of(BASELINE)
    timed_check(BASELINE, baseline_project)

    rows: list[list[str]] = []
    data: dict[str, Any] = {"machine": common.machine_info(), "rounds": arguments.rounds, "assignments": {}}
    for assignment_id in ids:
        project = reference_of(assignment_id)
        timed_check(assignment_id, project)
        walls, checks, baselines = [], [], []
        for _ in range(arguments.rounds):
            wall, checked = timed_check(assignment_id, project)
            walls.append(wall)
            checks.append(checked)
            baselines.append(timed_check(BASELINE, baseline_project)[0])
        summary = common.Summary.of(walls)
        baseline = common.Summary.of(baselines)
        ratio = summary.median / baseline.median
        data["assignments"][assignment_id] = {
            "wall_seconds": walls, "check_seconds": checks, "baseline_seconds": baselines, "ratio": ratio,
        }
        rows.append([
            assignment_id, f"{summary.median:.1f} s ({summary.minimum:.1f} to {summary.maximum:.1f})",
            f"{common.Summary.of(checks).median:.1f} s", f"{baseline.median:.1f} s", f"{ratio:.2f}",
            "yes" if summary.maximum < TARGET_SECONDS else "no",
        ])
    common.print_table(
        "Reference solutions, warm, under Docker",
        ["assignment", "check (median, range)", "checks alone", "hello-world baseline", "ratio", "under 30 s"],
        rows,
    )
    print(common.write_results("reference_times", data))


if __name__ == "__main__":
    main()
