"""Time a cold `hubgrade check` of todo-crud, whose dependency set is new on every run.

Each round copies the reference solution of todo-crud and writes a unique
`description` into its package.json, so the dependency image's tag is new and hubgrade
runs `npm install` in a fresh image build.

hubgrade: `hubgrade --log-level info check todo-crud COPY --runner docker`. The
dependency image it built is removed after the round, outside the timing.

Baseline: `docker build` of an equivalent Dockerfile on a copy with its own unique
description. The Dockerfile starts from the Node.js image, adds the same CA bundle and
npm settings as hubgrade, copies package.json, runs `npm install` and copies the
project's files. The floor of warm_check.py follows on the built image: `docker run` with
the same limits, GET /todos until 200, the grader's recorded requests, `docker rm -f`.
The image is removed after the round, outside the timing.

The two alternate (hubgrade, baseline, hubgrade, ...). Target: hubgrade's median at most
1.2 times the baseline's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import common
import warm_check as warm

TARGET_RATIO = 1.2
BUILD_TIMEOUT_SECONDS = 600


def unique_project(source: Path, target: Path, token: str, label: str) -> Path:
    """Copy ``source`` and give its package.json a description no other run has used."""
    common.copy_project(source, target)
    manifest_path = target / "package.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["description"] = f"benchmark {token} {label} {time.time_ns()}"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


def run_hubgrade(scratch: Path, token: str, index: int) -> dict[str, object]:
    project = unique_project(warm.SOLUTION, scratch / f"hubgrade-{index}", token, f"hubgrade-{index}")
    started_epoch = time.time()
    started = time.perf_counter()
    completed = common.run(warm.hubgrade_command(project), timeout=warm.CHECK_TIMEOUT_SECONDS, check=False)
    seconds = time.perf_counter() - started
    built = common.dependency_image_built(completed.stderr)
    if built is not None:
        common.remove_image(built)
    shutil.rmtree(project, ignore_errors=True)
    if completed.returncode != 0:
        raise RuntimeError(f"hubgrade check run {index} exited with {completed.returncode}:\n{completed.stdout}\n{completed.stderr}")
    if built is None:
        raise RuntimeError(f"hubgrade check run {index} reused a dependency image; the dependency set was not new")
    return {
        "seconds": seconds,
        "dependency_image": built,
        "phases": common.phases(completed.stderr, started_epoch, started_epoch + seconds),
    }


def run_baseline(scratch: Path, token: str, index: int, requests: list[warm.RecordedRequest]) -> dict[str, object]:
    context = scratch / f"baseline-{index}"
    unique_project(warm.SOLUTION, context / "app", token, f"baseline-{index}")
    warm.write_floor_context(context)
    tag = f"{token}-cold:{index}"
    started = time.perf_counter()
    common.run(
        ["docker", "build", "-q", "--label", f"{common.BENCH_LABEL}={token}", "-t", tag, str(context)],
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    built = time.perf_counter()
    try:
        floor = warm.run_floor(token, tag, index, requests)
    finally:
        common.remove_image(tag)
        shutil.rmtree(context, ignore_errors=True)
    build_seconds = built - started
    phases = {"docker build": round(build_seconds, 4), **floor["phases"]}  # type: ignore[dict-item]
    return {"seconds": build_seconds + float(floor["seconds"]), "phases": phases,  # type: ignore[arg-type]
            "status_mismatches": floor["status_mismatches"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds of each side (at least 5) [default: 5]")
    arguments = parser.parse_args()
    if arguments.runs < 5:
        parser.error("--runs must be at least 5")

    token = common.new_token()
    info = common.machine_info()
    scratch = Path(tempfile.mkdtemp(prefix=f"{token}-"))
    hubgrade_runs: list[dict[str, object]] = []
    baseline_runs: list[dict[str, object]] = []
    try:
        print(f"warming up: one untimed `hubgrade check --verbose` of the reference (run token {token})", flush=True)
        warmed = common.run(warm.hubgrade_command(warm.SOLUTION, "--verbose"), timeout=warm.CHECK_TIMEOUT_SECONDS, check=False)
        if warmed.returncode != 0:
            raise RuntimeError(f"the warm-up check failed:\n{warmed.stdout}\n{warmed.stderr}")
        requests = warm.parse_transcript(warmed.stdout)
        print(f"recorded {len(requests)} requests from the grader's transcript", flush=True)

        for index in range(arguments.runs):
            hubgrade_runs.append(run_hubgrade(scratch, token, index))
            baseline_runs.append(run_baseline(scratch, token, index, requests))
            print(
                f"round {index + 1}/{arguments.runs}: hubgrade {hubgrade_runs[-1]['seconds']:.2f} s, "
                f"baseline {baseline_runs[-1]['seconds']:.2f} s",
                flush=True,
            )
    finally:
        common.remove_labelled(token)
        for run in hubgrade_runs:
            common.remove_image(str(run["dependency_image"]))
        shutil.rmtree(scratch, ignore_errors=True)

    hubgrade = common.Summary.of(float(run["seconds"]) for run in hubgrade_runs)  # type: ignore[arg-type]
    baseline = common.Summary.of(float(run["seconds"]) for run in baseline_runs)  # type: ignore[arg-type]
    ratio = hubgrade.median / baseline.median
    pair_ratios = [float(a["seconds"]) / float(b["seconds"]) for a, b in zip(hubgrade_runs, baseline_runs)]  # type: ignore[arg-type]

    common.print_table(
        "cold check of todo-crud, new dependency set each round (seconds)", ["", "median", "min", "max", "runs"],
        [common.seconds_row("hubgrade check", hubgrade), common.seconds_row("docker build + floor", baseline)],
    )
    verdict = "met" if ratio <= TARGET_RATIO else "missed"
    print(f"ratio of medians: {ratio:.2f} (target at most {TARGET_RATIO}: {verdict}); "
          f"per-round ratios {min(pair_ratios):.2f} to {max(pair_ratios):.2f}")
    common.print_table(
        "median seconds per phase", ["phase", "seconds"],
        [[f"hubgrade: {name}", f"{value:.2f}"] for name, value in warm.median_phases(hubgrade_runs).items()]
        + [[f"baseline: {name}", f"{value:.2f}"] for name, value in warm.median_phases(baseline_runs).items()],
    )

    path = common.write_results("cold_check", {
        "machine": info,
        "command": " ".join(warm.hubgrade_command(Path("COPY_OF_REFERENCE_WITH_UNIQUE_DESCRIPTION"))),
        "baseline": {
            "build": "docker build -q -t TAG CONTEXT",
            "dockerfile": warm.floor_dockerfile(with_ca=warm.host_ca_bundle() is not None),
            "docker_run": " ".join(warm.docker_run_command("TOKEN", "IMAGE", "NAME", 0)).replace(":0:", ":PORT:"),
            "requests": len(requests),
        },
        "hubgrade": {"summary": hubgrade.as_dict(), "runs": hubgrade_runs},
        "baseline_runs": {"summary": baseline.as_dict(), "runs": baseline_runs},
        "ratio_of_medians": ratio,
        "per_round_ratios": pair_ratios,
        "target": {"max_ratio": TARGET_RATIO, "met": ratio <= TARGET_RATIO},
    })
    print(f"\nraw timings: {path.relative_to(common.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
