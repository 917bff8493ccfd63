"""Time `hubgrade batch` of 20 hello-world submissions with --jobs 2 against --jobs 1.

The 20 submissions are copies of: the reference solution 8 times (one package.json,
so one shared dependency image), the flawed variants in tests/solutions/hello-world/
(7 copies), and 5 broken projects from tests/projects/ (exits-at-once, syntax-error,
no-package-json, missing-dependency, never-listens). An untimed batch first builds the
dependency images that are missing, so the timed batches reuse them. missing-dependency
runs and fails its `npm install` in every batch, because a failed install leaves no image.

Both sides run `hubgrade batch hello-world DIR --jobs N --startup-seconds 5 --out OUT`
into a new gradebook folder, alternating (jobs 2, jobs 1, jobs 2, ...). While each runs,
the summed RSS of its Python processes (the batch process, its `hubgrade check`
children and their pytest graders) is sampled every 100 ms.

Targets: --jobs 2 at least 1.8 times faster than --jobs 1, and peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

import common

ASSIGNMENT = "hello-world"
TARGET_SPEEDUP = 1.8
TARGET_PEAK_MB = 500
BATCH_TIMEOUT_SECONDS = 1200
SOLUTIONS = common.REPO / "tests" / "solutions" / "hello-world"
PROJECTS = common.REPO / "tests" / "projects"

# Folder name -> source; the kinds are interleaved so that neither side gets the broken
# submissions together at the end.
SUBMISSIONS = {
    "s01-reference": SOLUTIONS / "reference",
    "s02-html-content-type": SOLUTIONS / "html-content-type",
    "s03-exits-at-once": PROJECTS / "exits-at-once",
    "s04-reference": SOLUTIONS / "reference",
    "s05-manual-path-parsing": SOLUTIONS / "manual-path-parsing",
    "s06-syntax-error": PROJECTS / "syntax-error",
    "s07-reference": SOLUTIONS / "reference",
    "s08-single-quoted-template": SOLUTIONS / "single-quoted-template",
    "s09-no-package-json": PROJECTS / "no-package-json",
    "s10-reference": SOLUTIONS / "reference",
    "s11-typescript": SOLUTIONS / "typescript",
    "s12-missing-dependency": PROJECTS / "missing-dependency",
    "s13-reference": SOLUTIONS / "reference",
    "s14-html-content-type": SOLUTIONS / "html-content-type",
    "s15-never-listens": PROJECTS / "never-listens",
    "s16-reference": SOLUTIONS / "reference",
    "s17-manual-path-parsing": SOLUTIONS / "manual-path-parsing",
    "s18-reference": SOLUTIONS / "reference",
    "s19-single-quoted-template": SOLUTIONS / "single-quoted-template",
    "s20-reference": SOLUTIONS / "reference",
}


def make_submissions(folder: Path) -> Path:
    for name, source in SUBMISSIONS.items():
        common.copy_project(source, folder / name)
    return folder


def batch_command(submissions: Path, jobs: int, out: Path) -> list[str]:
    return [
        common.HUBGRADE, "batch", ASSIGNMENT, str(submissions), "--jobs", str(jobs),
        "--startup-seconds", "5", "--out", str(out),
    ]


def role_of(process: psutil.Process) -> str:
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return "gone"
    if " -m pytest " in command:
        return "grader"
    if " check " in command:
        return "check"
    return "batch"


def run_batch(submissions: Path, jobs: int, out: Path) -> dict[str, object]:
    """Run one batch and return its time, peak memory and each student's status and score."""
    command = batch_command(submissions, jobs, out)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with common.CpuMeter() as cpu, common.MemorySampler(process.pid, role_of=role_of) as sampler:
        try:
            _, stderr = process.communicate(timeout=BATCH_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.communicate(timeout=120)
            raise RuntimeError(f"the batch with --jobs {jobs} did not finish within {BATCH_TIMEOUT_SECONDS} s")
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"the batch with --jobs {jobs} exited with {process.returncode}:\n{stderr.decode()}")
    records = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    grades = {record["batch"]["student"]: f"{record['status']} {record['score']}" for record in records}
    durations = {record["batch"]["student"]: record.get("duration", 0) for record in records}
    return {
        "jobs": jobs,
        "seconds": seconds,
        "hubgrade_cpu_seconds": round(cpu.children_seconds, 2),
        "engine_cpu_seconds": round(cpu.engine_seconds, 2),
        "machine_cpu_busy_fraction": round(cpu.busy_fraction, 3),
        "submission_seconds": durations,
        "peak_rss_mib": round(common.mib(sampler.peak_bytes), 1),
        "processes_at_peak": sampler.peak_processes,
        "peak_rss_mib_by_role": {role: round(common.mib(value), 1) for role, value in sampler.peak_by_role.items()},
        "samples": sampler.samples,
        "grades": grades,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed batches of each side (at least 3) [default: 3]")
    arguments = parser.parse_args()
    if arguments.runs < 3:
        parser.error("--runs must be at least 3")

    token = common.new_token()
    info = common.machine_info()
    scratch = Path(tempfile.mkdtemp(prefix=f"{token}-"))
    parallel: list[dict[str, object]] = []
    sequential: list[dict[str, object]] = []
    try:
        submissions = make_submissions(scratch / "submissions")
        print(f"warming up: one untimed batch with --jobs 2 (run token {token})", flush=True)
        warm_up = run_batch(submissions, 2, scratch / "gradebook-warm-up")
        print(f"warm-up took {warm_up['seconds']:.1f} s", flush=True)
        for index in range(arguments.runs):
            parallel.append(run_batch(submissions, 2, scratch / f"gradebook-jobs2-{index}"))
            sequential.append(run_batch(submissions, 1, scratch / f"gradebook-jobs1-{index}"))
            print(
                f"round {index + 1}/{arguments.runs}: --jobs 2 {parallel[-1]['seconds']:.1f} s "
                f"(peak {parallel[-1]['peak_rss_mib']} MiB), --jobs 1 {sequential[-1]['seconds']:.1f} s "
                f"(peak {sequential[-1]['peak_rss_mib']} MiB)",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    jobs2 = common.Summary.of(float(run["seconds"]) for run in parallel)  # type: ignore[arg-type]
    jobs1 = common.Summary.of(float(run["seconds"]) for run in sequential)  # type: ignore[arg-type]
    speedup = jobs1.median / jobs2.median
    pair_speedups = [float(b["seconds"]) / float(a["seconds"]) for a, b in zip(parallel, sequential)]  # type: ignore[arg-type]
    memory2 = common.Summary.of(float(run["peak_rss_mib"]) for run in parallel)  # type: ignore[arg-type]
    memory1 = common.Summary.of(float(run["peak_rss_mib"]) for run in sequential)  # type: ignore[arg-type]
    peak_mb = max(float(run["peak_rss_mib"]) for run in parallel + sequential) * 2**20 / 1e6  # type: ignore[arg-type]
    differing = sorted(
        student for student in warm_up["grades"]  # type: ignore[attr-defined]
        if len({run["grades"].get(student) for run in [warm_up, *parallel, *sequential]}) > 1  # type: ignore[attr-defined]
    )

    common.print_table(
        "batch of 20 hello-world submissions (seconds)", ["", "median", "min", "max", "runs"],
        [common.seconds_row("--jobs 2", jobs2), common.seconds_row("--jobs 1", jobs1)],
    )
    verdict = "met" if speedup >= TARGET_SPEEDUP else "missed"
    print(f"speed-up (median --jobs 1 / median --jobs 2): {speedup:.2f} (target at least {TARGET_SPEEDUP}: {verdict}); "
          f"per-round {min(pair_speedups):.2f} to {max(pair_speedups):.2f}")
    common.print_table(
        "peak summed RSS of hubgrade's Python processes (MiB)", ["", "median", "min", "max", "runs"],
        [common.seconds_row("--jobs 2", memory2), common.seconds_row("--jobs 1", memory1)],
    )
    memory_verdict = "met" if peak_mb < TARGET_PEAK_MB else "missed"
    print(f"highest peak: {peak_mb:.0f} MB (target under {TARGET_PEAK_MB} MB: {memory_verdict}); "
          f"ratio of median peaks, --jobs 2 / --jobs 1: {memory2.median / memory1.median:.2f}")
    cpu_rows = []
    for label, runs in (("--jobs 2", parallel), ("--jobs 1", sequential)):
        cpu_rows.append([
            label,
            f"{common.Summary.of(float(run['hubgrade_cpu_seconds']) for run in runs).median:.1f}",  # type: ignore[arg-type]
            f"{common.Summary.of(float(run['engine_cpu_seconds']) for run in runs).median:.1f}",  # type: ignore[arg-type]
            f"{common.Summary.of(float(run['machine_cpu_busy_fraction']) for run in runs).median:.0%}",  # type: ignore[arg-type]
            f"{common.Summary.of(sum(run['submission_seconds'].values()) for run in runs).median:.1f}",  # type: ignore[attr-defined]
        ])
    common.print_table(
        "where the time goes (medians)",
        ["", "CPU s, hubgrade's Python", "CPU s, dockerd + containerd", "machine CPU busy (all users)",
         "sum of submission durations (s)"],
        cpu_rows,
    )
    print("grades that differ between batches: " + (", ".join(differing) if differing else "none"))

    path = common.write_results("batch", {
        "machine": info,
        "command": " ".join(batch_command(Path("SUBMISSIONS"), 0, Path("OUT"))).replace("--jobs 0", "--jobs N"),
        "submissions": {name: str(source.relative_to(common.REPO)) for name, source in SUBMISSIONS.items()},
        "warm_up": warm_up,
        "jobs2": {"summary": jobs2.as_dict(), "memory_mib": memory2.as_dict(), "runs": parallel},
        "jobs1": {"summary": jobs1.as_dict(), "memory_mib": memory1.as_dict(), "runs": sequential},
        "speedup_of_medians": speedup,
        "per_round_speedups": pair_speedups,
        "grades_differing_between_batches": differing,
        "target": {
            "min_speedup": TARGET_SPEEDUP, "speedup_met": speedup >= TARGET_SPEEDUP,
            "max_peak_mb": TARGET_PEAK_MB, "highest_peak_mb": round(peak_mb, 1), "memory_met": peak_mb < TARGET_PEAK_MB,
        },
    })
    print(f"\nraw timings: {path.relative_to(common.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
