"""Build small throwaway catalogs (assignment plus grader) for tests of the grading machinery."""

from __future__ import annotations

import textwrap
from pathlib import Path

COUNTER_SERVER = """\
import http from "node:http";

// Counts requests; the count starts again at 0 when the process restarts.
let count = 0;
const server = http.createServer((request, response) => {
  count += 1;
  console.log(`request ${count} ${request.method} ${request.url} token=${process.env.TOKEN}`);
  if (request.url.startsWith("/slow")) {
    setTimeout(() => response.end("late"), 60000);
    return;
  }
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({ count, token: process.env.TOKEN ?? null, pid: process.pid }));
});
server.listen(Number(process.env.PORT ?? 3000));
"""


def write_catalog(root: Path, grader_source: str, *, assignment_id: str = "demo", limits: str = "") -> Path:
    """Write a catalog with one assignment whose grader is ``grader_source``."""
    folder = root / "assignments" / assignment_id
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(
        textwrap.dedent(
            """\
            title: Demo
            track: practice
            level: beginner
            summary: A throwaway assignment for hubgrade's own tests.
            environment:
              TOKEN: {random: hex, length: 12}
            """
        )
        + limits,
        encoding="utf-8",
    )
    (folder / "spec.md").write_text("# Demo\n", encoding="utf-8")
    graders = root / "graders" / assignment_id
    graders.mkdir(parents=True)
    (graders / "test_demo.py").write_text(textwrap.dedent(grader_source), encoding="utf-8")
    (root / "templates").mkdir(exist_ok=True)
    return root


def write_counter_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(
        '{"name": "counter", "version": "1.0.0", "type": "module", "scripts": {"start": "node server.js"}}\n',
        encoding="utf-8",
    )
    (folder / "server.js").write_text(COUNTER_SERVER, encoding="utf-8")
    return folder
