"""The grader API: ``from hubgrade.grading import expect, CheckFailed``."""

from hubgrade.grading import expect
from hubgrade.grading.expect import CheckFailed

__all__ = ["CheckFailed", "expect"]
