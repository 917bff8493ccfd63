"""Measure hubgrade's own start-up time and memory.

Start-up: `hubgrade --help` against `python -c pass` run by the same interpreter (the
one hubgrade is installed in), alternating, each a new process timed from spawn to exit.
One extra `python -X importtime -m hubgrade --help` shows which packages' imports take
the time.

Memory: the peak summed RSS of the hubgrade processes during a warm `hubgrade check
todo-crud tests/solutions/todo-crud/reference --runner docker`, sampled every 100 ms. The
processes are the CLI process and its pytest grader subprocess. Docker's and Node.js's
processes are not counted. The baseline is the same sampling of a bare interpreter that
sleeps for one second. The check runs once untimed first so that its dependency image
exists.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import psutil

import common
import warm_check as warm

IDLE_INTERPRETER = [sys.executable, "-c", "import time; time.sleep(1)"]


def time_command(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=True)
    return time.perf_counter() - started


def import_time_by_package(count: int) -> tuple[float, list[tuple[str, float]]]:
    """Return the total import time of `hubgrade --help` and the packages that take the most of it.

    Each module's own ("self") time from `-X importtime` is added to its top-level
    package, so nested imports are not counted twice. Times are in seconds, from one run.
    """
    completed = common.run([sys.executable, "-X", "importtime", "-m", "hubgrade", "--help"], timeout=120)
    by_package: dict[str, float] = {}
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, _, module = line.removeprefix("import time:").split("|")
        package = module.strip().split(".")[0]
        by_package[package] = by_package.get(package, 0.0) + int(self_us) / 1e6
    ranked = sorted(by_package.items(), key=lambda item: item[1], reverse=True)
    return sum(by_package.values()), ranked[:count]


def role_of(process: psutil.Process) -> str:
    try:
        return "grader" if "pytest" in process.cmdline() else "cli"
    except psutil.Error:
        return "gone"


def sample_memory(command: list[str]) -> dict[str, object]:
    """Run ``command`` and return the peak summed RSS of its Python processes, in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with common.MemorySampler(process.pid, role_of=role_of) as sampler:
        _, stderr = process.communicate(timeout=warm.CHECK_TIMEOUT_SECONDS)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{stderr.decode()}")
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_mib": round(common.mib(sampler.peak_bytes), 1),
        "processes_at_peak": sampler.peak_processes,
        "peak_rss_mib_by_role": {role: round(common.mib(value), 1) for role, value in sampler.peak_by_role.items()},
        "samples": sampler.samples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--startup-runs", type=int, default=20, help="runs of each start-up command (at least 5) [default: 20]")
    parser.add_argument("--memory-runs", type=int, default=5, help="sampled checks and idle interpreters (at least 5) [default: 5]")
    arguments = parser.parse_args()
    if arguments.startup_runs < 5 or arguments.memory_runs < 5:
        parser.error("--startup-runs and --memory-runs must be at least 5")

    info = common.machine_info()
    help_command = [common.HUBGRADE, "--help"]
    bare_command = [sys.executable, "-c", "pass"]
    help_seconds: list[float] = []
    bare_seconds: list[float] = []
    for _ in range(arguments.startup_runs):
        help_seconds.append(time_command(help_command))
        bare_seconds.append(time_command(bare_command))
    import_total, imports = import_time_by_package(10)

    check_command = warm.hubgrade_command(warm.SOLUTION)
    print("warming up: one untimed `hubgrade check`", flush=True)
    warm_up = common.run(check_command, timeout=warm.CHECK_TIMEOUT_SECONDS, check=False)
    if warm_up.returncode != 0:
        raise RuntimeError(f"the warm-up check failed:\n{warm_up.stdout}\n{warm_up.stderr}")
    check_runs: list[dict[str, object]] = []
    idle_runs: list[dict[str, object]] = []
    for _ in range(arguments.memory_runs):
        check_runs.append(sample_memory(check_command))
        idle_runs.append(sample_memory(IDLE_INTERPRETER))

    helped = common.Summary.of(help_seconds)
    bare = common.Summary.of(bare_seconds)
    common.print_table(
        "start-up (seconds)", ["", "median", "min", "max", "runs"],
        [common.seconds_row("hubgrade --help", helped), common.seconds_row("python -c pass", bare)],
    )
    print(f"ratio of medians: {helped.median / bare.median:.1f}; difference {helped.median - bare.median:.3f} s")
    common.print_table(
        f"import time of `hubgrade --help` by package (one run, {import_total:.3f} s in all)", ["package", "seconds"],
        [[name, f"{value:.3f}"] for name, value in imports],
    )

    check_peak = common.Summary.of(float(run["peak_rss_mib"]) for run in check_runs)  # type: ignore[arg-type]
    idle_peak = common.Summary.of(float(run["peak_rss_mib"]) for run in idle_runs)  # type: ignore[arg-type]
    cli_peak = common.Summary.of(float(run["peak_rss_mib_by_role"]["cli"]) for run in check_runs)  # type: ignore[index]
    grader_peak = common.Summary.of(float(run["peak_rss_mib_by_role"].get("grader", 0)) for run in check_runs)  # type: ignore[attr-defined]
    common.print_table(
        "peak RSS during a warm check of todo-crud (MiB)", ["", "median", "min", "max", "runs"],
        [
            common.seconds_row("CLI + grader, summed", check_peak),
            common.seconds_row("CLI process alone", cli_peak),
            common.seconds_row("grader process alone", grader_peak),
            common.seconds_row("idle interpreter", idle_peak),
        ],
    )
    print(f"ratio of medians, CLI + grader / idle interpreter: {check_peak.median / idle_peak.median:.1f}")

    path = common.write_results("overhead", {
        "machine": info,
        "startup": {
            "commands": [" ".join(help_command), " ".join(bare_command)],
            "hubgrade_help_seconds": {"summary": helped.as_dict(), "runs": help_seconds},
            "python_pass_seconds": {"summary": bare.as_dict(), "runs": bare_seconds},
            "ratio_of_medians": helped.median / bare.median,
            "import_seconds_total": import_total,
            "import_seconds_by_package": dict(imports),
        },
        "memory": {
            "command": " ".join(warm.hubgrade_command(warm.SOLUTION.relative_to(common.REPO))),
            "baseline_command": " ".join(IDLE_INTERPRETER),
            "check_peak_rss_mib": check_peak.as_dict(),
            "cli_peak_rss_mib": cli_peak.as_dict(),
            "grader_peak_rss_mib": grader_peak.as_dict(),
            "idle_peak_rss_mib": idle_peak.as_dict(),
            "ratio_of_medians": check_peak.median / idle_peak.median,
            "check_runs": check_runs,
            "idle_runs": idle_runs,
        },
    })
    print(f"\nraw timings: {path.relative_to(common.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
