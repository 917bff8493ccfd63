from __future__ import annotations

from pathlib import Path

import pytest

from hubgrade.errors import UsageError
from hubgrade.report.outputs import Output, parse_outputs


def test_default_is_text_to_stdout() -> None:
    assert parse_outputs((), None) == [Output("text")]


def test_several_formats_with_paths(tmp_path: Path) -> None:
    outputs = parse_outputs(("text", f"junit={tmp_path}/a.xml", f"json={tmp_path}/r.json", "github"), None)
    assert outputs == [
        Output("text"), Output("junit", tmp_path / "a.xml"), Output("json", tmp_path / "r.json"), Output("github")
    ]


def test_output_option_applies_to_the_format_without_path(tmp_path: Path) -> None:
    outputs = parse_outputs(("json", "github"), tmp_path / "r.json")
    assert outputs == [Output("json", tmp_path / "r.json"), Output("github")]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (("text", "json"), "formats text and json would both go to stdout"),
        (("yaml",), "unknown format 'yaml'"),
        (("json=",), "the path after = is empty"),
        (("json", "json=x.json"), "--format json is given twice"),
    ],
)
def test_invalid_combinations(values: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_outputs(values, None)
    assert message in str(caught.value)


def test_output_option_needs_one_unplaced_format(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        parse_outputs((f"json={tmp_path}/r.json",), tmp_path / "x.txt")
    assert "--output needs exactly one --format without a path" in str(caught.value)


def test_unwritable_path_fails_before_grading(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        parse_outputs((f"junit={tmp_path}",), None)
    assert "is a folder" in str(caught.value)


def test_github_annotations_and_json_cannot_share_stdout() -> None:
    with pytest.raises(UsageError) as caught:
        parse_outputs(("github", "json"), None)
    assert "give it a path, as in --format json=FILE" in str(caught.value)


def test_github_annotations_and_text_share_stdout() -> None:
    assert parse_outputs(("text", "github"), None) == [Output("text"), Output("github")]


def test_same_file_for_two_reports(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        parse_outputs((f"json={tmp_path}/r", f"junit={tmp_path}/r"), None)
    assert "named for two reports" in str(caught.value)


def test_path_under_a_file_fails_before_grading(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError) as caught:
        parse_outputs((f"json={blocker}/result.json",), None)
    assert "cannot write the report" in str(caught.value)
    assert not (tmp_path / "result.json").exists()


def test_checking_a_path_leaves_no_file(tmp_path: Path) -> None:
    parse_outputs((f"json={tmp_path}/new/result.json",), None)
    assert not (tmp_path / "new" / "result.json").exists()
