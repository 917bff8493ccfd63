"""The JSON report: ``GradeResult.to_dict()`` as text (schema in docs/result-format.md)."""

from __future__ import annotations

import json

from hubgrade.result import GradeResult


def format_json(result: GradeResult) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"
