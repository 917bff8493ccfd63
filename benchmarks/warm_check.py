"""Time a warm `hubgrade check` of todo-crud against the same steps done by hand.

hubgrade: `hubgrade --log-level info check todo-crud tests/solutions/todo-crud/reference
--runner docker`, with its dependency image already built by an untimed first run.

Floor: the same steps by hand, on an image built once beforehand from the Node.js image,
the reference solution and its `npm install`.

1. `docker run` with the same user, limits and `npm start` as hubgrade's container, its
   port published on 127.0.0.1.
2. GET /todos every 50 ms until it returns 200.
3. Replay, with one httpx client and in the same order, the requests that the grader sent
   in the untimed `--verbose` run.
4. `docker rm -f` the container.

The two alternate (hubgrade, floor, hubgrade, ...). Target: hubgrade's median at most
1.5 times the floor's.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import ssl
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

import common

ASSIGNMENT = "todo-crud"
SOLUTION = common.REPO / "tests" / "solutions" / "todo-crud" / "reference"
TARGET_RATIO = 1.5
READY_TIMEOUT_SECONDS = 30
POLL_SECONDS = 0.05
CHECK_TIMEOUT_SECONDS = 300
# Seconds for which the control-server measurement keeps hubgrade's ControlServer open.
CONTROL_SERVER_LIFETIMES = (0.1, 0.3, 0.6, 0.9, 1.2)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    status: int


def hubgrade_command(project: Path, *extra: str) -> list[str]:
    return [common.HUBGRADE, "--log-level", "info", "check", ASSIGNMENT, str(project), "--runner", "docker", *extra]


def parse_transcript(report: str) -> list[RecordedRequest]:
    """Return the requests in a `--verbose` report, each with the status the grader got.

    The report shows each request as ``> curl -i [-X METHOD] [-H 'name: value']
    [--data-raw 'body'] URL`` and the response's first line as ``< status NNN ...``.
    """
    requests: list[RecordedRequest] = []
    pending: dict[str, object] | None = None
    for line in report.splitlines():
        text = line.strip()
        if text.startswith("> curl "):
            pending = _parse_curl(shlex.split(text[2:]))
        elif text.startswith("< status ") and pending is not None:
            status = int(text.split()[2])
            requests.append(RecordedRequest(status=status, **pending))  # type: ignore[arg-type]
            pending = None
    return requests


def count_checks(report: str) -> int:
    """Return the number of checks in a text report: one line each, starting with its status."""
    return sum(1 for line in report.splitlines() if line.split(" ", 1)[0] in ("PASS", "FAIL", "ERROR", "SKIP"))


def _parse_curl(arguments: list[str]) -> dict[str, object]:
    method = "GET"
    headers: dict[str, str] = {}
    body: str | None = None
    url = ""
    index = 1
    while index < len(arguments):
        argument = arguments[index]
        if argument == "-X":
            method = arguments[index + 1]
            index += 2
        elif argument == "-H":
            name, _, value = arguments[index + 1].partition(":")
            headers[name.strip()] = value.strip()
            index += 2
        elif argument == "--data-raw":
            body = arguments[index + 1]
            index += 2
        elif argument.startswith("-"):
            index += 1
        else:
            url = argument
            index += 1
    return {"method": method, "path": httpx.URL(url).raw_path.decode("ascii"), "headers": headers, "body": body}


def build_floor_image(token: str, scratch: Path) -> str:
    """Build the floor's image: the solution with `npm install` done, as hubgrade's image has it."""
    context = scratch / "floor-context"
    common.copy_project(SOLUTION, context / "app")
    write_floor_context(context)
    tag = f"{token}-floor:latest"
    common.run(
        ["docker", "build", "-q", "--label", f"{common.BENCH_LABEL}={token}", "-t", tag, str(context)], timeout=600
    )
    return tag


def write_floor_context(context: Path) -> None:
    """Write the Dockerfile, and the host's extra CA bundle if any, beside the project in ``context/app``."""
    ca_bundle = host_ca_bundle()
    if ca_bundle is not None:
        (context / "ca.pem").write_bytes(ca_bundle.read_bytes())
    (context / "Dockerfile").write_text(floor_dockerfile(with_ca=ca_bundle is not None), encoding="utf-8")


def floor_dockerfile(*, with_ca: bool) -> str:
    """Return a Dockerfile that installs the dependencies, then copies the project.

    With ``with_ca`` it copies the host's extra CA bundle as hubgrade does, so that npm
    reaches the registry through the same proxy. As in hubgrade's dependency image,
    npm's audit, fund and update checks are off and its cache is deleted in the
    install step, so the layer contains the same files.
    """
    lines = [f"FROM {common.NODE_IMAGE}"]
    if with_ca:
        lines += ["COPY ca.pem /etc/benchmark-ca.pem", "ENV NODE_EXTRA_CA_CERTS=/etc/benchmark-ca.pem"]
    lines += [
        "ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false "
        "NPM_CONFIG_CACHE=/tmp/.npm",
        "WORKDIR /app",
        "COPY app/package.json ./",
        "RUN npm install && rm -rf /tmp/.npm",
        "COPY app/ ./",
        "ENV PORT=3000",
        'CMD ["npm", "start"]',
    ]
    return "\n".join(lines) + "\n"


def host_ca_bundle() -> Path | None:
    """Return the bundle in NODE_EXTRA_CA_CERTS, the first place hubgrade looks for one."""
    value = os.environ.get("NODE_EXTRA_CA_CERTS")
    return Path(value) if value and Path(value).is_file() else None


def docker_run_command(token: str, image: str, name: str, host_port: int) -> list[str]:
    """Return the `docker run` command of the floor, with the user and limits of hubgrade's container."""
    return [
        "docker", "run", "-d", "--name", name, "--label", f"{common.BENCH_LABEL}={token}",
        "-p", f"127.0.0.1:{host_port}:3000", "-e", "PORT=3000", "--init", "--user", "1000:1000",
        "--memory", "512m", "--memory-swap", "512m", "--cpus", "1", "--pids-limit", "256",
        "--cap-drop", "ALL", "--security-opt", "no-new-privileges", image,
    ]


def wait_for_200(client: httpx.Client, path: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            if client.get(path).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"the floor's server did not return 200 on {path} within {READY_TIMEOUT_SECONDS} s")


def replay(client: httpx.Client, requests: list[RecordedRequest]) -> int:
    """Send the recorded requests in order and return how many got another status than the grader's."""
    mismatches = 0
    for request in requests:
        response = client.request(request.method, request.path, headers=request.headers, content=request.body)
        mismatches += response.status_code != request.status
    return mismatches


def run_floor(token: str, image: str, index: int, requests: list[RecordedRequest]) -> dict[str, object]:
    """Run one floor round (container start, readiness, the requests, removal) and return its timings."""
    name = f"{token}-floor-{index}"
    port = common.free_port()
    with common.CpuMeter() as cpu:
        started = time.perf_counter()
        common.run(docker_run_command(token, image, name, port), timeout=120)
        launched = time.perf_counter()
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as probe:
                wait_for_200(probe, "/todos")
            ready = time.perf_counter()
            # A new client, so the replay does not reuse the probe's connection, as the grader's does not.
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                mismatches = replay(client, requests)
            replayed = time.perf_counter()
        finally:
            common.run(["docker", "rm", "-f", name], timeout=120, check=False)
        ended = time.perf_counter()
    return {
        "seconds": ended - started,
        "engine_cpu_seconds": round(cpu.engine_seconds, 3),
        "phases": {
            "docker run": round(launched - started, 4),
            "wait for first 200": round(ready - launched, 4),
            "requests": round(replayed - ready, 4),
            "docker rm -f": round(ended - replayed, 4),
        },
        "status_mismatches": mismatches,
    }


def run_hubgrade(index: int) -> dict[str, object]:
    started_epoch = time.time()
    started = time.perf_counter()
    with common.CpuMeter() as cpu:
        completed = common.run(hubgrade_command(SOLUTION), timeout=CHECK_TIMEOUT_SECONDS, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"hubgrade check run {index} exited with {completed.returncode}:\n{completed.stdout}\n{completed.stderr}")
    return {
        "seconds": seconds,
        "hubgrade_cpu_seconds": round(cpu.children_seconds, 3),
        "engine_cpu_seconds": round(cpu.engine_seconds, 3),
        "machine_cpu_busy_fraction": round(cpu.busy_fraction, 3),
        "phases": common.phases(completed.stderr, started_epoch, started_epoch + seconds),
    }


def time_pytest_collection(scratch: Path) -> float:
    """Time pytest collecting the grader with hubgrade's plugin, as the grader subprocess starts.

    No session file is given, so no check runs and nothing is sent. The time is the
    part of the grader phase spent starting Python and pytest, importing the plugin
    and collecting the checks.
    """
    folder = scratch / "collect"
    folder.mkdir(exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    grader = common.REPO / "graders" / ASSIGNMENT
    command = [
        sys.executable, "-m", "pytest", str(grader), "-p", "hubgrade.grading.plugin", "-p", "no:cacheprovider",
        "-c", str(folder / "pytest.ini"), "--rootdir", str(grader), "-q", "--collect-only",
    ]
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    started = time.perf_counter()
    common.run(command, timeout=120, cwd=folder, env=environment)
    return time.perf_counter() - started


def time_client_creation(count: int, verify: ssl.SSLContext | bool = True) -> float:
    """Return the mean seconds to create and close one httpx.Client, as the grader's client fixture does per check.

    With the default ``verify=True``, httpx builds a new SSL context for every client,
    even for an http:// base URL. Passing one shared context shows what that costs.
    """
    started = time.perf_counter()
    for _ in range(count):
        httpx.Client(base_url="http://127.0.0.1:9", timeout=5, verify=verify).close()
    return (time.perf_counter() - started) / count


def time_control_server_exit(scratch: Path, lifetimes: tuple[float, ...]) -> dict[str, float]:
    """Return how long leaving hubgrade's ControlServer takes after it served for each lifetime, in seconds.

    The grader phase of a check ends with this exit, so its cost is part of that phase.
    """
    from hubgrade.grading.control import ControlServer

    exits: dict[str, float] = {}
    for lifetime in lifetimes:
        server = ControlServer(scratch / f"control-{lifetime:g}.sock", lambda operation, request: {})
        server.__enter__()
        time.sleep(lifetime)
        leaving = time.perf_counter()
        server.__exit__(None, None, None)
        exits[f"{lifetime:g}"] = round(time.perf_counter() - leaving, 4)
    return exits


def median_phases(runs: list[dict[str, object]]) -> dict[str, float]:
    """Return the median of each phase over the runs in which that phase was found."""
    names: list[str] = []
    for run in runs:
        names += [name for name in run["phases"] if name not in names]  # type: ignore[attr-defined]
    medians = {}
    for name in names:
        values = [run["phases"][name] for run in runs if name in run["phases"]]  # type: ignore[index, operator]
        medians[name] = common.Summary.of(values).median
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed rounds of each side (at least 5) [default: 7]")
    arguments = parser.parse_args()
    if arguments.runs < 5:
        parser.error("--runs must be at least 5")

    token = common.new_token()
    info = common.machine_info()
    scratch = Path(tempfile.mkdtemp(prefix=f"{token}-"))
    try:
        print(f"warming up: one untimed `hubgrade check --verbose` (run token {token})", flush=True)
        warm = common.run(hubgrade_command(SOLUTION, "--verbose"), timeout=CHECK_TIMEOUT_SECONDS, check=False)
        if warm.returncode != 0:
            raise RuntimeError(f"the warm-up check failed:\n{warm.stdout}\n{warm.stderr}")
        requests = parse_transcript(warm.stdout)
        checks = count_checks(warm.stdout)
        print(f"recorded {len(requests)} requests of {checks} checks from the grader's transcript", flush=True)
        image = build_floor_image(token, scratch)

        hubgrade_runs: list[dict[str, object]] = []
        floor_runs: list[dict[str, object]] = []
        for index in range(arguments.runs):
            hubgrade_runs.append(run_hubgrade(index))
            floor_runs.append(run_floor(token, image, index, requests))
            print(
                f"round {index + 1}/{arguments.runs}: hubgrade {hubgrade_runs[-1]['seconds']:.2f} s, "
                f"floor {floor_runs[-1]['seconds']:.2f} s",
                flush=True,
            )
        collection_seconds = [time_pytest_collection(scratch) for _ in range(arguments.runs)]
        client_seconds = [time_client_creation(10) for _ in range(arguments.runs)]
        shared_context = ssl.create_default_context()
        shared_client_seconds = [time_client_creation(10, shared_context) for _ in range(arguments.runs)]
        control_exits = time_control_server_exit(scratch, CONTROL_SERVER_LIFETIMES)
    finally:
        common.remove_labelled(token)
        shutil.rmtree(scratch, ignore_errors=True)

    hubgrade = common.Summary.of(run["seconds"] for run in hubgrade_runs)  # type: ignore[misc]
    floor = common.Summary.of(run["seconds"] for run in floor_runs)  # type: ignore[misc]
    ratio = hubgrade.median / floor.median
    pair_ratios = [a["seconds"] / b["seconds"] for a, b in zip(hubgrade_runs, floor_runs)]  # type: ignore[operator]

    common.print_table(
        "warm check of todo-crud (seconds)", ["", "median", "min", "max", "runs"],
        [common.seconds_row("hubgrade check", hubgrade), common.seconds_row("floor (docker run + requests)", floor)],
    )
    verdict = "met" if ratio <= TARGET_RATIO else "missed"
    print(f"ratio of medians: {ratio:.2f} (target at most {TARGET_RATIO}: {verdict}); "
          f"per-round ratios {min(pair_ratios):.2f} to {max(pair_ratios):.2f}")
    common.print_table(
        "median seconds per phase", ["phase", "seconds"],
        [[f"hubgrade: {name}", f"{value:.2f}"] for name, value in median_phases(hubgrade_runs).items()]
        + [[f"floor: {name}", f"{value:.2f}"] for name, value in median_phases(floor_runs).items()],
    )

    cpu_seconds = common.Summary.of(float(run["hubgrade_cpu_seconds"]) for run in hubgrade_runs)  # type: ignore[arg-type]
    engine_seconds = common.Summary.of(float(run["engine_cpu_seconds"]) for run in hubgrade_runs)  # type: ignore[arg-type]
    print(f"CPU time per check: hubgrade's Python processes median {cpu_seconds.median:.2f} s "
          f"({cpu_seconds.minimum:.2f} to {cpu_seconds.maximum:.2f}), dockerd and containerd median "
          f"{engine_seconds.median:.2f} s ({engine_seconds.minimum:.2f} to {engine_seconds.maximum:.2f})")
    collection = common.Summary.of(collection_seconds)
    print(f"pytest start-up and collection of the grader alone: median {collection.median:.2f} s "
          f"({collection.minimum:.2f} to {collection.maximum:.2f})")

    clients = common.Summary.of(client_seconds)
    shared_clients = common.Summary.of(shared_client_seconds)
    print(f"creating one httpx.Client: median {clients.median * 1000:.1f} ms "
          f"({clients.minimum * 1000:.1f} to {clients.maximum * 1000:.1f}), or {shared_clients.median * 1000:.2f} ms "
          f"with a shared SSL context; the grader creates one per check, {checks} here")

    grader_phases = sorted({run["phases"]["grader (pytest)"] for run in hubgrade_runs})  # type: ignore[index]
    print("leaving hubgrade's ControlServer after it was open for "
          + ", ".join(f"{lifetime} s: {seconds:.2f} s" for lifetime, seconds in control_exits.items())
          + f"; the grader phases measured: {', '.join(f'{value:.3f}' for value in grader_phases)} s")

    path = common.write_results("warm_check", {
        "machine": info,
        "command": " ".join(hubgrade_command(SOLUTION.relative_to(common.REPO))),
        "floor": {
            "docker_run": " ".join(docker_run_command("TOKEN", "IMAGE", "NAME", 0)).replace(":0:", ":PORT:"),
            "ready": "GET /todos until status 200, every 50 ms",
            "requests": len(requests),
            "checks": checks,
            "request_kinds": _count_kinds(requests),
        },
        "hubgrade": {"summary": hubgrade.as_dict(), "runs": hubgrade_runs},
        "floor_runs": {"summary": floor.as_dict(), "runs": floor_runs},
        "pytest_collection_seconds": {"summary": collection.as_dict(), "runs": collection_seconds},
        "httpx_client_creation_seconds": {"summary": clients.as_dict(), "runs": client_seconds},
        "httpx_client_creation_shared_ssl_context_seconds": {
            "summary": shared_clients.as_dict(), "runs": shared_client_seconds,
        },
        "control_server_exit_seconds_by_lifetime": control_exits,
        "ratio_of_medians": ratio,
        "per_round_ratios": pair_ratios,
        "target": {"max_ratio": TARGET_RATIO, "met": ratio <= TARGET_RATIO},
    })
    print(f"\nraw timings: {path.relative_to(common.REPO)}")
    return 0


def _count_kinds(requests: list[RecordedRequest]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for request in requests:
        kinds[request.method] = kinds.get(request.method, 0) + 1
    return kinds


if __name__ == "__main__":
    sys.exit(main())
