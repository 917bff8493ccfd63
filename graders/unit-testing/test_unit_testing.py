"""Grade the learner's test suite by mutation testing.

`npm test` runs in a throwaway copy of the project twice over: once with the grader's
correct copy of src/pricing.js (``pricing.js`` beside this file), where it must pass,
and once per planted bug, where it must fail. Every copy starts with a comment that is
new for each run, so a suite that compares the file's text cannot pass.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest

from hubgrade.grading import expect

MODULE_PATH = "src/pricing.js"
CORRECT_SOURCE = (Path(__file__).parent / "pricing.js").read_text(encoding="utf-8")
TEST_COMMAND = ["npm", "test"]
# The spec promises the suite this long per run; assignment.yaml gives each check more.
RUN_SECONDS = 20
OUTPUT_LINES = 30


@dataclass(frozen=True)
class Mutant:
    """A planted bug: one exact text substitution in the correct module."""

    original: str
    replacement: str
    behaviour: str


MUTANTS = {
    "discount_boundary": Mutant(
        "if (quantity >= tier.minQuantity) {",
        "if (quantity > tier.minQuantity) {",
        "a line of exactly 10 items gets no bulk discount, and one of exactly 50 items gets 5 % instead of 10 %",
    ),
    "rounding_down": Mutant(
        "return Math.floor((cents * (100 - percent) + 50) / 100);",
        "return Math.floor((cents * (100 - percent)) / 100);",
        "discounted prices are rounded down, so applyDiscount(3330, 5) returns 3163 instead of 3164",
    ),
    "zero_quantity": Mutant(
        "if (!Number.isInteger(quantity) || quantity < 1) {",
        "if (!Number.isInteger(quantity) || quantity < 0) {",
        "lineTotal accepts a quantity of 0 and returns 0 instead of throwing a RangeError",
    ),
    "order_without_discount": Mutant(
        "total += lineTotal(line.unitCents, line.quantity);",
        "total += line.unitCents * line.quantity;",
        "orderTotal adds unitCents * quantity for each line, without the bulk discount",
    ),
}


def module_source(mutant: Mutant | None = None) -> str:
    """Return the module for one run: the correct source, or the source with ``mutant`` planted."""
    source = f"// Graded copy {secrets.token_hex(6)}\n{CORRECT_SOURCE}"
    if mutant is None:
        return source
    found = source.count(mutant.original)
    if found != 1:
        raise RuntimeError(f"grader error: {mutant.original!r} occurs {found} times in pricing.js, expected once")
    return source.replace(mutant.original, mutant.replacement)


def output_tail(output: str) -> str:
    lines = output.rstrip().splitlines()[-OUTPUT_LINES:]
    return "\n".join(lines) if lines else "(no output)"


@pytest.fixture(scope="session")
def correct_run(project):
    return project.run(TEST_COMMAND, files={MODULE_PATH: module_source()}, timeout=RUN_SECONDS)


def assert_catches(project, correct_run, name: str) -> None:
    mutant = MUTANTS[name]
    if not correct_run.succeeded:
        expect.fail(
            "not graded: npm test fails on the correct src/pricing.js too, so its failure here does not "
            "show that it catches this bug; fix the check \"npm test passes on the correct src/pricing.js\" first"
        )
    run = project.run(TEST_COMMAND, files={MODULE_PATH: module_source(mutant)}, timeout=RUN_SECONDS)
    if run.succeeded:
        expect.fail(
            f"npm test passed (exit code 0) with this bug planted in src/pricing.js: {mutant.behaviour}. "
            f"Add a test that fails on it. The end of the output of npm test:\n{output_tail(run.output)}"
        )


@pytest.mark.points(20)
def test_passes_on_correct_module(correct_run):
    """npm test passes on the correct src/pricing.js"""
    if correct_run.timed_out:
        expect.fail(
            f"npm test did not finish within {RUN_SECONDS} s on the correct src/pricing.js and was stopped. "
            "A test that starts a server or a timer and never closes it keeps the test runner from ending. "
            f"The end of its output:\n{output_tail(correct_run.output)}"
        )
    expect.that(
        correct_run.exit_code == 0,
        f"npm test failed with exit code {correct_run.exit_code} on the correct src/pricing.js, so the suite "
        f"reports a bug where there is none. The end of its output:\n{output_tail(correct_run.output)}",
    )


@pytest.mark.points(20)
def test_catches_discount_boundary(project, correct_run):
    """npm test fails when the bulk discount starts one item late"""
    assert_catches(project, correct_run, "discount_boundary")


@pytest.mark.points(20)
def test_catches_rounding_down(project, correct_run):
    """npm test fails when discounted prices are rounded down"""
    assert_catches(project, correct_run, "rounding_down")


@pytest.mark.points(20)
def test_catches_zero_quantity(project, correct_run):
    """npm test fails when lineTotal accepts a quantity of 0"""
    assert_catches(project, correct_run, "zero_quantity")


@pytest.mark.points(20)
def test_catches_order_without_discount(project, correct_run):
    """npm test fails when orderTotal leaves out the bulk discount"""
    assert_catches(project, correct_run, "order_without_discount")
