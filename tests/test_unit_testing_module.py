"""The unit-testing assignment ships its pricing module in three places; they must agree."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, SOLUTIONS

GRADER_COPY = REPO / "graders" / "unit-testing" / "pricing.js"
STARTER_COPY = REPO / "templates" / "files" / "unit-testing" / "src" / "pricing.js"


def test_starter_module_matches_grader() -> None:
    assert STARTER_COPY.read_text(encoding="utf-8") == GRADER_COPY.read_text(encoding="utf-8")


@pytest.mark.parametrize("variant", sorted(path.name for path in (SOLUTIONS / "unit-testing").iterdir()))
def test_solution_module_matches_grader(variant: str) -> None:
    copy = SOLUTIONS / "unit-testing" / variant / "src" / "pricing.js"
    assert copy.read_text(encoding="utf-8") == GRADER_COPY.read_text(encoding="utf-8")
