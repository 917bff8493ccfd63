"""Limits on the command line: accepted values, rejected ones, and where they apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubgrade.errors import UsageError
from hubgrade.limits import Limits, parse_override
from tests.conftest import SOLUTIONS, copy_project, run_hubgrade


def test_override_is_read_and_applied() -> None:
    assert parse_override("memory_mib=256") == ("memory_mib", 256.0)
    assert parse_override("cpus=0.5") == ("cpus", 0.5)
    limits = Limits().with_overrides(dict([parse_override("pids=32"), parse_override("check-seconds=4")]))
    assert limits.pids == 32
    assert isinstance(limits.pids, int)
    assert limits.check_seconds == 4.0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("memory=128", "expected NAME=VALUE with NAME one of startup_seconds"),
        ("memory_mib", "expected NAME=VALUE"),
        ("memory_mib=lots", "'lots' is not a number"),
        ("memory_mib=32", "expected a whole number of MiB from 64 to 16384, got 32"),
        ("memory_mib=nan", "expected a whole number of MiB from 64 to 16384, got nan"),
        ("pids=inf", "expected a whole number of processes and threads from 16 to 4096, got inf"),
        ("pids=16.5", "got 16.5"),
        ("check_seconds=-inf", "expected a number of seconds from 1 to 300, got -inf"),
    ],
)
def test_invalid_override_names_the_problem(text: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_override(text)
    assert problem in str(caught.value)
    assert repr(text) in str(caught.value)


@pytest.mark.local
def test_local_runner_warns_limits_unenforced(tmp_path: Path) -> None:
    project = copy_project(SOLUTIONS / "hello-world" / "reference", tmp_path / "hello")
    run = run_hubgrade(
        "check", "hello-world", str(project), "--runner", "local", "--format", "json",
        "--limit", "memory_mib=128", "--limit", "check_seconds=5",
    )
    assert run.exit_code == 0, run.stderr
    warnings = run.json()["warnings"]
    assert any("the local runner sets no resource limits, so --limit memory_mib does not apply" in w for w in warnings)
